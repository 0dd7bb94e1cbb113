"""Self-service (/my/): customers follow and place their own orders and manage their products.

Views only translate. Reads go through the self-service selectors in customers/selectors.py, which
scope every order and product to the signed-in customer and answer 404 for anything else (the
same answer as for something that does not exist). Writes go through the commands every channel
uses (orders/services/, orders/fulfilment/orchestration.py); they record the channel as
self-service because the user is a customer login, and check ownership once more themselves.

What a customer reads is worded for them: friendly state names, a timeline of what happened and
what comes next, no staff notes, no staff names ("us"), no internal reasons.

    urls.py        the URL patterns (namespace selfservice)
    home.py        the overview at /my/
    orders.py      the customer's orders: list, one order's page and its polls, answer, cancel, sign off
    ordering.py    new online orders: choose, details, review and send; discard an unsent one
    products.py    the customer's products and the changes they may start on them
    forms.py       the forms those pages post
    outcomes.py    what a view says after a command (refusals, outcomes) and where it sends the customer
    presenters.py  order rows, item views, prices
    timeline.py    what happened and what comes next
    wording.py     words for customers: labels, explanations, item titles, reasons
"""
