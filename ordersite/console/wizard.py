"""The capture wizard's frame: its steps, what each holds so far, and the context every step page shares."""

from __future__ import annotations

from dataclasses import dataclass

from django.shortcuts import redirect
from django.urls import reverse

from customers.models import Customer
from orders.models import ItemIntent, Order, OrderItem
from orders.requirements import validate_characteristics
from ordersite.console.presenters import CHARGED_INTENTS

CONFIGURED_INTENTS = (ItemIntent.PROVIDE, ItemIntent.CHANGE, ItemIntent.REPACKAGE)


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    short: str


STEPS = [
    Step("request", "Customer and request", "Request"),
    Step("products", "What the customer wants", "Products"),
    Step("configure", "Product configuration", "Configuration"),
    Step("delivery", "Installation and delivery", "Delivery"),
    Step("review", "Review and submit", "Review"),
]
STEP_SLUGS = [s.slug for s in STEPS]


def next_step(slug: str) -> str:
    return STEP_SLUGS[min(STEP_SLUGS.index(slug) + 1, len(STEP_SLUGS) - 1)]


def step_url(order: Order, slug: str, anchor: str = "") -> str:
    return reverse("console:capture", args=[order.number, slug]) + (f"#{anchor}" if anchor else "")


def needs_address(item: OrderItem) -> bool:
    return bool(item.offering_id and item.offering.requires_install_address and item.intent in CHARGED_INTENTS)


def is_configured(item: OrderItem) -> bool:
    return item.intent in CONFIGURED_INTENTS and item.offering_id is not None


def options_apply(item: OrderItem) -> bool:
    return item.intent in (ItemIntent.CHANGE_OWNERSHIP, ItemIntent.REPACKAGE)


def step_states(order: Order, items: list[OrderItem]) -> dict[str, str]:
    """done / todo per step, from what the draft holds (cheap: no queries beyond the loaded order)."""
    configured = all(
        not validate_characteristics(item.offering.data_requirements, item.characteristics)
        for item in items
        if is_configured(item)
    ) and all(item.new_owner_id for item in items if item.intent == ItemIntent.CHANGE_OWNERSHIP)
    return {
        "request": "done" if order.initiating_request_id else "todo",
        "products": "done" if items else "todo",
        "configure": "done" if items and configured else "todo",
        "delivery": "done" if items and all(i.install_address_id for i in items if needs_address(i)) else "todo",
        "review": "todo",
    }


def capture_context(order: Order | None, current: str, customer: Customer, **extra) -> dict:
    items = list(order.items.all()) if order else []
    states = step_states(order, items) if order else {}
    position = STEP_SLUGS.index(current)
    steps = [
        {
            "number": index + 1,
            "step": step,
            "state": "current" if step.slug == current else states.get(step.slug, "todo"),
            "url": step_url(order, step.slug) if order else "",
        }
        for index, step in enumerate(STEPS)
    ]
    return {
        "order": order,
        "customer": customer,
        "items": items,
        "steps": steps,
        "step": STEPS[position],
        "step_number": position + 1,
        "step_count": len(STEPS),
        "progress": round(100 * (position + 1) / len(STEPS)),
        "previous_url": step_url(order, STEP_SLUGS[position - 1]) if order and position else "",
        # Steps with one main form: the stepper's buttons submit it, so moving on never loses input.
        "capture_form_id": "capture-form" if order and current in ("request", "configure", "delivery") else "",
        **extra,
    }


def after_save(request, order: Order, current: str):
    """Where a saved step goes: the step named by a stepper button, else the next one."""
    wanted = request.POST.get("goto", "")
    return redirect(step_url(order, wanted if wanted in STEP_SLUGS else next_step(current)))
