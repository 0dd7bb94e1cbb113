"""What a self-service view tells the customer after a command, and where it sends them."""

from __future__ import annotations

from django.contrib import messages
from django.urls import reverse

from orders.models import Order
from orders.services import ActionRefused, ConcurrentTransition, TransitionNotAllowed
from ordersite.selfservice.wording import customer_reason

REFUSALS = (ActionRefused, TransitionNotAllowed, ConcurrentTransition)


def order_url(order: Order, anchor: str = "") -> str:
    return reverse("selfservice:my-order", args=[order.number]) + (f"#{anchor}" if anchor else "")


def refusal_message(refusal: Exception, moved_on: str) -> str:
    if isinstance(refusal, (TransitionNotAllowed, ConcurrentTransition)):
        return f"{moved_on} Nothing was changed; the page shows where it is now."
    return str(refusal)


def submission_key_for(order: Order) -> str:
    """What submit_order remembers: the same order sent twice gives the first outcome back."""
    return f"self-service-{order.number}"


def say_outcome(request, outcome, *, sent: str) -> None:
    order = outcome.order
    if outcome.rejected_reasons:
        reasons = " ".join(customer_reason(r) for r in outcome.rejected_reasons)
        messages.error(request, f"Sorry, we couldn't accept {order.number}. {reasons}")
    elif outcome.held_reasons:
        messages.success(
            request, f"{sent} is with us as {order.number}. Our team reviews it and contacts you if needed."
        )
    else:
        messages.success(request, f"{sent} is confirmed as {order.number}. This page shows how it's going.")
