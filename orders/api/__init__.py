"""The TM Forum Open APIs other systems use: TMF622 ordering, TMF620 catalog (read-only), hub.

TMF camelCase lives only in this package (and customers.api for TMF629); every write goes through
orders.services, as in every other channel.
"""
