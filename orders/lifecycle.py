"""The lifecycle of an order: the five beats every state change has, for commands and fulfilment alike.

Permission (the user may, and the transition's own permission), guard (django-fsm's conditions),
save (ConcurrentTransition when someone else moved the order first), history (an OrderEvent) and
outbox (the TMF622 event, with a nudge to the relay once the transaction commits). Nothing here
opens a transaction: the command calling it does.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_fsm import TransitionNotAllowed, can_proceed, has_transition_perm

from customers.models import Channel, Customer, User
from orders import numbers, outbox
from orders.models import Order, OrderEvent, OrderState, OutboxEvent


class ActionRefused(Exception):
    """The request makes no sense for this order or product; the message says why."""


def apply(order: Order, transition_name: str, *, by: User | None, note: str = "", args=()) -> OrderEvent:
    """Permission and guard, then the transition in memory; returns the history row, not yet saved."""
    bound = getattr(order, transition_name)
    if not can_proceed(bound):
        raise TransitionNotAllowed(f"Cannot {transition_name} an order that is {order.get_state_display().lower()}.")
    if by is not None and not has_transition_perm(bound, by):
        raise PermissionDenied
    previous = order.state
    bound(*args)
    measure_wait(order, previous)
    return OrderEvent(
        order=order, transition=transition_name, from_state=previous, to_state=order.state, actor=by, note=note
    )


def record(order: Order, transition_name: str, *, by: User | None, note: str = "", args=()) -> OrderEvent:
    """Apply one transition with permission check, save the order and its history row."""
    event = apply(order, transition_name, by=by, note=note, args=args)
    order.save()
    event.save()
    if order.is_terminal:
        # Whatever way an order ends, numbers it held for lines it did not deliver go back to the pool.
        numbers.release_for_order(order)
    return event


def move(order: Order, transition_name: str, *, by: User | None, note: str = "", args=()) -> None:
    """Apply one transition with permission check, save, history row and outbox event."""
    event = record(order, transition_name, by=by, note=note, args=args)
    publish(order, OutboxEvent.Type.STATE_CHANGE, previousState=event.from_state, reason=note)


def measure_wait(order: Order, left_state: str) -> None:
    """Count time waiting on the customer and on us separately; the customer's wait moves the due date."""
    now = timezone.now()
    waited = max(int((now - order.state_entered_at).total_seconds()), 0)
    if left_state == OrderState.PENDING:
        order.customer_wait_seconds += waited
        if order.expected_completion_date:
            order.expected_completion_date += dt.timedelta(days=round(waited / 86400))
    elif left_state == OrderState.HELD:
        order.provider_wait_seconds += waited
    order.state_entered_at = now


def move_items(order: Order, transition_name: str, *, states=None, args=()) -> None:
    """Move the order's items along with it (those in `states`, or all that can)."""
    for item in order.items.all():
        bound = getattr(item, transition_name)
        if (states is None or item.state in states) and bound._django_fsm.has_transition(item.state):
            bound(*args)
            item.save()


def publish(order: Order, event_type: str, **payload) -> OutboxEvent:
    """Record a TMF622 event in the outbox, in the caller's transaction."""
    event = OutboxEvent.objects.create(order=order, event_type=event_type, payload=event_body(order, **payload))
    outbox.nudge()
    return event


def publish_all(events: list[OutboxEvent]) -> list[OutboxEvent]:
    """Record events built in memory (several orders, or one order's several changes) in one statement."""
    written = OutboxEvent.objects.bulk_create(events)
    if written:
        outbox.nudge()
    return written


def event_body(order: Order, *, state: str | None = None, **payload) -> dict:
    return {
        "id": order.number,
        "state": state or order.state,
        **{k: v for k, v in payload.items() if v not in ("", None)},
    }


def lock(order: Order) -> Order:
    """The order as it is now, locked until the transaction ends (serialises concurrent commands)."""
    return Order.objects.select_for_update().get(pk=order.pk)


def require_perm(user: User, codename: str) -> None:
    if not user.has_perm(f"orders.{codename}"):
        raise PermissionDenied


def may_act_for(user: User, customer: Customer) -> bool:
    if user.customer_id:
        return user.customer_id == customer.pk
    return user.has_perm("orders.submit_order")


def channel_of(user: User) -> str:
    return Channel.SELF_SERVICE if user.customer_id else user.channel
