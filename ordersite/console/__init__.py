"""The agent console: a channel over the domain (capture wizard, order page, customer search, customer 360).

Views turn a request into calls of the commands in orders/services/ and customers' commands, and of
the selectors; forms, presenters and templates (templates/console/) only translate.
"""
