"""Cancelling an order in flight, and the point of no return that stops it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from customers.models import User
from orders import lifecycle
from orders.fulfilment import orchestration
from orders.models import (
    IN_FLIGHT_STATES,
    CancellationRequest,
    ItemState,
    Order,
    OutboxEvent,
)
from orders.services.amendment import past_point_of_no_return
from orders.services.outcomes import ActionRefused

# --- cancellation --------------------------------------------------------------------------------


@transaction.atomic
def request_cancellation(order: Order, *, by: User, reason: str) -> CancellationRequest:
    """Cancel an order in flight, or refuse with the reason once an item passed its point of no return."""
    if not reason.strip():
        raise ActionRefused("Give a reason for the cancellation.")
    order = lifecycle.lock(order)
    if order.state not in IN_FLIGHT_STATES:
        raise ActionRefused(f"{order.number} is {order.get_state_display().lower()}; it cannot be cancelled now.")
    if order.why_not_cancellable:
        raise ActionRefused(order.why_not_cancellable)
    cancellation = CancellationRequest.objects.create(
        order=order, reason=reason.strip(), requested_by=by, channel=lifecycle.channel_of(by)
    )
    lifecycle.publish(order, OutboxEvent.Type.CANCEL_CREATE, cancellationReason=cancellation.reason)
    item_states = {item.pk: item.state for item in order.items.all()}
    lifecycle.move(order, "assess_cancellation", by=by, note=f"Cancellation requested: {cancellation.reason}")
    lifecycle.move_items(order, "assess_cancellation")

    refusal = past_point_of_no_return(order, "cancel")
    if refusal:
        lifecycle.move(order, "refuse_cancellation", by=by, note=refusal)
        for item in order.items.all():
            if item.state == ItemState.ASSESSING_CANCELLATION:
                item.refuse_cancellation(item_states[item.pk])
                item.save()
        _decide(cancellation, CancellationRequest.State.REJECTED, refusal)
        return cancellation
    lifecycle.move(order, "accept_cancellation", by=by, note="No item has passed its point of no return.")
    lifecycle.move_items(order, "accept_cancellation")
    orchestration.stop_fulfilment(order)
    lifecycle.move(order, "cancel", by=by, note="Outstanding work stopped.")
    lifecycle.move_items(order, "cancel")
    _decide(cancellation, CancellationRequest.State.DONE)
    return cancellation


def _decide(cancellation: CancellationRequest, state: str, refusal: str = "") -> None:
    cancellation.state, cancellation.refusal_reason, cancellation.decided_at = state, refusal, timezone.now()
    cancellation.save()
    lifecycle.publish(
        cancellation.order, OutboxEvent.Type.CANCEL_STATE_CHANGE, cancellationState=state, refusalReason=refusal
    )
