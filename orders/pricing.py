"""What an order costs: which items are charged, and their one-off and monthly totals.

One rule for every channel (the console, self-service, the TMF622 API) and for the domain's own
checks (an install address, the order's value, the fulfilment plan): providing an offering, or
repackaging onto one, is charged; changing or ceasing a product is not.

An item's price is its offering's price plus, for every group of its data requirements that declares
a ``price_per_entry``, the entries captured times that charge (a hosted PBX: so much per handset).
The item keeps the price it was configured at (``configured_prices``), so every channel, the totals
and the TMF622 itemPrice read the same figures, and a later catalog change does not move a draft.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from orders.models import ItemIntent, Order, OrderItem, ProductOffering
from orders.requirements import entry_charges

# The intents that provide an offering, and so carry its price.
CHARGED_INTENTS = (ItemIntent.PROVIDE, ItemIntent.REPACKAGE)


def is_charged(item: OrderItem) -> bool:
    return item.intent in CHARGED_INTENTS


def default_currency() -> str:
    """The catalog's currency: an offering's currency when nothing on the order names one."""
    return ProductOffering._meta.get_field("currency").get_default()


@dataclass(frozen=True)
class Totals:
    one_off: Decimal
    monthly: Decimal
    currency: str

    def __getitem__(self, key: str):  # templates and callers that read totals["one_off"]
        return getattr(self, key)


def totals(order_or_items: Order | Iterable[OrderItem]) -> Totals:
    """The one-off and monthly totals of the charged items, in the currency of their offerings."""
    items = list(order_or_items.items.all() if isinstance(order_or_items, Order) else order_or_items)
    charged = [i for i in items if is_charged(i)]
    return Totals(
        one_off=sum((i.one_off_price * i.quantity for i in charged), Decimal("0")),
        monthly=sum((i.recurring_price * i.quantity for i in charged), Decimal("0")),
        currency=next((i.offering.currency for i in items if i.offering_id), None) or default_currency(),
    )


@dataclass(frozen=True)
class Prices:
    one_off: Decimal
    recurring: Decimal


def configured_prices(offering: ProductOffering | None, characteristics) -> Prices:
    """An offering's price for this configuration: its own price plus each captured entry's charge."""
    if offering is None:
        return Prices(Decimal("0"), Decimal("0"))
    one_off, recurring = offering.one_off_price, offering.recurring_price
    for charge in entry_charges(offering.data_requirements, characteristics):
        one_off += charge.one_off * charge.entries
        recurring += charge.recurring * charge.entries
    return Prices(one_off, recurring)


def repriced(item: OrderItem, offering: ProductOffering | None, before, after) -> Prices:
    """An item's price once its configuration goes from `before` to `after`: what it was, moved by the
    entries added or removed (at the catalog's charge per entry)."""
    old, new = configured_prices(offering, before), configured_prices(offering, after)
    return Prices(
        item.one_off_price + new.one_off - old.one_off,
        item.recurring_price + new.recurring - old.recurring,
    )
