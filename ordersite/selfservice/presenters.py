"""What the self-service pages show of orders and items: list rows, item views, prices, what an amendment changed."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import prefetch_related_objects

from customers.models import Address
from orders.fulfilment.plans import delivery_address, ships_equipment
from orders.models import ItemIntent, Order, OrderItem
from orders.pricing import CHARGED_INTENTS
from orders.pricing import totals as totals  # the pages' totals are the domain's, as on every channel
from orders.requirements import item_path
from orders.services import revision_differences
from ordersite.presentation.capture import describe, path_label, spec_at, value_text
from ordersite.selfservice.wording import INTENT_LABELS, item_title, order_summary, state_label, waiting_for


@dataclass
class OrderRow:
    order: Order
    label: str
    summary: str
    needs_you: str

    @classmethod
    def of(cls, order: Order) -> OrderRow:
        return cls(order=order, label=state_label(order), summary=order_summary(order), needs_you=waiting_for(order))


@dataclass
class ItemView:
    item: OrderItem
    title: str
    intent_label: str
    charged: bool
    configuration: list = field(default_factory=list)
    posted_to: Address | None = None  # where its equipment (a SIM, a box) is posted


def item_views(items: list[OrderItem], posted: dict[int, Address] | None = None) -> list[ItemView]:
    """The items as the pages show them; `posted`: where_posted(items, customer), where the page says it."""
    return [
        ItemView(
            item=item,
            title=item_title(item),
            intent_label=INTENT_LABELS.get(item.intent, item.get_intent_display()),
            charged=item.intent in CHARGED_INTENTS,
            configuration=describe(item.offering.data_requirements if item.offering_id else [], item.characteristics)
            if item.intent in (ItemIntent.PROVIDE, ItemIntent.CHANGE, ItemIntent.REPACKAGE)
            else [],
            posted_to=(posted or {}).get(item.pk),
        )
        for item in items
    ]


def where_posted(items: list[OrderItem], customer_id: int) -> dict[int, Address]:
    """Where each item whose plan posts something goes (a physical SIM, not an eSIM), in two queries at most."""
    prefetch_related_objects([item for item in items if item.offering_id], "offering__fulfilment_steps")
    posting = [item for item in items if item.offering_id and ships_equipment(item)]
    if not posting:
        return {}
    addresses = list(Address.objects.filter(customer_id=customer_id))
    places = {item.pk: delivery_address(item, addresses) for item in posting}
    return {pk: address for pk, address in places.items() if address is not None}


# --- what an amendment changed, in the customer's words ------------------------------------------

# The order's own details a customer reads about; the others (channel, priority…) are ours.
ORDER_FIELD_WORDS = {
    "requested_start_date": "Wanted from",
    "requested_completion_date": "Wanted by",
    "appointment_preference": "Engineer visit",
    "special_requirements": "What you need",
}
ITEM_FIELD_WORDS = {"offering": "Product", "quantity": "Quantity", "install_address": "Address"}
# A requirement's label may name its currency ("Monthly spend cap (GBP)"): the values carry it instead.
CURRENCY_IN_LABEL = re.compile(r"\s*\((GBP|EUR|USD)\)$")
CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}
NOTHING = "—"


@dataclass(frozen=True)
class Change:
    """One thing an amendment changed: "Monthly spend cap: £40 → £60"."""

    label: str
    before: str
    after: str

    def __str__(self) -> str:
        return f"{self.label}: {self.before} → {self.after}"


def amendment_changes(before: Order, after: Order) -> list[Change]:
    """revision_differences (the agents' list) as the customer reads it; items named, not numbered.

    Reads both orders' prefetched items (with their offerings and addresses).
    """
    old_items = {item.item_id: item for item in before.items.all()}
    new_items = {item.item_id: item for item in after.items.all()}
    several = len(old_items.keys() | new_items.keys()) > 1
    changes = []
    for difference in revision_differences(before, after):
        at = item_path(difference.field)
        if at is None:
            if difference.field in ORDER_FIELD_WORDS:
                changes.append(
                    Change(ORDER_FIELD_WORDS[difference.field], _text(difference.before), _text(difference.after))
                )
            continue
        old, new = old_items.get(at.item), new_items.get(at.item)
        if old is None or new is None:
            title = item_title(new or old)
            changes.append(
                Change(title, "Not in the order", "Added") if old is None else Change(title, "In the order", "Removed")
            )
            continue
        prefix = f"{item_title(new)} · " if several else ""
        if at.part == "characteristics":
            changes.append(_setting_change(new, at.rest or "", difference, prefix))
        elif at.part in ITEM_FIELD_WORDS:
            before_text, after_text = _text(difference.before), _text(difference.after)
            if at.part == "offering":
                before_text, after_text = old.offering.name, new.offering.name
            changes.append(Change(prefix + ITEM_FIELD_WORDS[at.part], before_text, after_text))
    # Stored differently but read the same (an unticked box left out, or stored as false): no change.
    return [change for change in changes if change.before != change.after]


def _setting_change(item: OrderItem, path: str, difference, prefix: str) -> Change:
    requirements = item.offering.data_requirements if item.offering_id else []
    spec = spec_at(requirements, path)
    label = path_label(requirements, path)
    before, after = value_text(spec, difference.before), value_text(spec, difference.after)
    currency = CURRENCY_IN_LABEL.search(label)
    if currency:
        label = CURRENCY_IN_LABEL.sub("", label)
        symbol = CURRENCY_SYMBOLS[currency.group(1)]
        before, after = (text if text == NOTHING else f"{symbol}{text}" for text in (before, after))
    return Change(prefix + label, before, after)


def _text(value) -> str:
    if value is None or value == "":
        return NOTHING
    if isinstance(value, dt.date):
        return f"{value:%-d %B %Y}"
    return str(value)
