"""What the self-service pages show of orders and items: list rows, item views, prices."""

from __future__ import annotations

from dataclasses import dataclass, field

from orders.models import ItemIntent, Order, OrderItem
from orders.pricing import CHARGED_INTENTS
from orders.pricing import totals as totals  # the pages' totals are the domain's, as on every channel
from ordersite.presentation.capture import describe
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


def item_views(items: list[OrderItem]) -> list[ItemView]:
    return [
        ItemView(
            item=item,
            title=item_title(item),
            intent_label=INTENT_LABELS.get(item.intent, item.get_intent_display()),
            charged=item.intent in CHARGED_INTENTS,
            configuration=describe(item.offering.data_requirements if item.offering_id else [], item.characteristics)
            if item.intent in (ItemIntent.PROVIDE, ItemIntent.CHANGE, ItemIntent.REPACKAGE)
            else [],
        )
        for item in items
    ]
