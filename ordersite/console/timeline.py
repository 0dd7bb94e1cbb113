"""The order's timeline on its console page: its creation, its transitions and the events published."""

from __future__ import annotations

from dataclasses import dataclass

from orders.models import Order, OrderState, OutboxEvent


@dataclass
class TimelineEntry:
    when: object
    kind: str  # transition or event
    title: str
    note: str = ""
    actor: object = None
    state: str = ""
    state_label: str = ""
    published: bool | None = None
    detail: str = ""


EVENT_TITLES = {
    OutboxEvent.Type.CREATE: "Order placed",
    OutboxEvent.Type.ATTRIBUTE_VALUE_CHANGE: "Order details changed",
    OutboxEvent.Type.DELETE: "Order deleted",
    OutboxEvent.Type.INFORMATION_REQUIRED: "Information requested from the customer",
    OutboxEvent.Type.CANCEL_CREATE: "Cancellation requested",
    OutboxEvent.Type.CANCEL_STATE_CHANGE: "Cancellation request updated",
    OutboxEvent.Type.CANCEL_INFORMATION_REQUIRED: "Information needed for the cancellation",
}


def timeline(order: Order) -> list[TimelineEntry]:
    """The order's creation, its transitions (from the history) and the other events published, oldest first."""
    entries = [
        TimelineEntry(
            when=order.created_at,
            kind="created",
            title="Order created",
            actor=order.captured_by,
            detail=order.get_channel_display(),
        )
    ]
    entries += [
        TimelineEntry(
            when=event.created_at,
            kind="transition",
            title=f"{OrderState(event.from_state).label} → {OrderState(event.to_state).label}"
            if event.from_state in OrderState.values and event.to_state in OrderState.values
            else f"{event.from_state} → {event.to_state}",
            note=event.note,
            actor=event.actor,
            state=event.to_state,
            state_label=OrderState(event.to_state).label if event.to_state in OrderState.values else event.to_state,
            detail=f"Item {event.item.item_id}" if event.item_id else "",
        )
        for event in order.events.all()
    ]
    entries += [
        TimelineEntry(
            when=event.created_at,
            kind="event",
            title=EVENT_TITLES.get(event.event_type, event.event_type),
            detail=event.event_type,
            published=event.published_at is not None,
            note=f"Changed: {event.payload['changed']}"
            if isinstance(event.payload, dict) and event.payload.get("changed")
            else "",
        )
        for event in order.outbox_events.all()
        if event.event_type != OutboxEvent.Type.STATE_CHANGE
    ]
    return sorted(entries, key=lambda e: e.when)
