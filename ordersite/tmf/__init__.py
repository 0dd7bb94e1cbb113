"""The TM Forum Open APIs other systems use, one channel under /tmf-api/.

tmf630 holds what every API shares (authentication, the Error body, parsers, fields/filters/paging,
the OpenAPI hooks and docs); tmf622 (product ordering), tmf629 (customer), tmf620 (product catalog,
read-only) and tmf637 (product inventory, read-only) sit on it, and urls.py composes them. TMF
camelCase lives only here; every write goes through the domain's commands, as in every other channel.
"""
