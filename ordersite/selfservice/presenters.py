"""What the self-service pages show of orders and items: list rows, item views, prices."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from orders.models import ItemIntent, Order, OrderItem
from ordersite.presentation.capture import describe
from ordersite.selfservice.wording import INTENT_LABELS, item_title, order_summary, state_label, waiting_for

CHARGED_INTENTS = (ItemIntent.PROVIDE, ItemIntent.REPACKAGE)


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


def totals(items: list[OrderItem]) -> dict:
    charged = [i for i in items if i.intent in CHARGED_INTENTS]
    return {
        "one_off": sum((i.one_off_price * i.quantity for i in charged), Decimal("0")),
        "monthly": sum((i.recurring_price * i.quantity for i in charged), Decimal("0")),
        "currency": next((i.offering.currency for i in items if i.offering_id), "GBP"),
    }
