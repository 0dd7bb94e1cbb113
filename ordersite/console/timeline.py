"""The order's timeline on its console page: its creation, its transitions and the events published.

Entries speak of what happened to the order; the TMF622 event type behind an entry stays available as
its `code` (a tooltip on the page). Runs of internal detail changes (fulfilment milestones, feasibility
records) are folded into one entry that lists them, so they do not drown the transitions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from orders.models import Order, OrderState, OutboxEvent


@dataclass
class TimelineEntry:
    when: object
    kind: str  # created, transition, event or folded
    title: str
    note: str = ""
    actor: object = None
    state: str = ""
    state_label: str = ""
    published: bool | None = None
    detail: str = ""
    code: str = ""  # the TMF622 event type behind an event, for those who integrate with it
    folded: list[TimelineEntry] = field(default_factory=list)


EVENT_TITLES = {
    OutboxEvent.Type.CREATE: "Order placed",
    OutboxEvent.Type.ATTRIBUTE_VALUE_CHANGE: "Order details updated",
    OutboxEvent.Type.DELETE: "Order deleted",
    OutboxEvent.Type.INFORMATION_REQUIRED: "Information requested from the customer",
    OutboxEvent.Type.CANCEL_CREATE: "Cancellation requested",
    OutboxEvent.Type.CANCEL_STATE_CHANGE: "Cancellation request updated",
    OutboxEvent.Type.CANCEL_INFORMATION_REQUIRED: "Information needed for the cancellation",
}

# What an attribute-value change was about (its payload's "changed"), in people's words.
CHANGE_TITLES = {
    "fulfilment": "Fulfilment progress",
    "feasibilityAssessment": "Feasibility assessment recorded",
}

# Consecutive entries of these event types fold into one.
FOLDED_EVENTS = {OutboxEvent.Type.ATTRIBUTE_VALUE_CHANGE}


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
            title=f"{state_label(event.from_state)} → {state_label(event.to_state)}",
            note=event.note,
            actor=event.actor,
            state=event.to_state,
            state_label=state_label(event.to_state),
            detail=f"Item {event.item.item_id}" if event.item_id else "",
        )
        for event in order.events.all()
    ]
    entries += [
        event_entry(event) for event in order.outbox_events.all() if event.event_type != OutboxEvent.Type.STATE_CHANGE
    ]
    return fold(sorted(entries, key=lambda e: e.when))


def state_label(state: str) -> str:
    return OrderState(state).label if state in OrderState.values else state


def event_entry(event: OutboxEvent) -> TimelineEntry:
    payload = event.payload if isinstance(event.payload, dict) else {}
    title = EVENT_TITLES.get(event.event_type, "Order updated")
    note = ""
    if event.event_type == OutboxEvent.Type.ATTRIBUTE_VALUE_CHANGE:
        title = CHANGE_TITLES.get(payload.get("changed"), title)
        note = "; ".join(str(payload[key]) for key in ("milestone", "reason") if payload.get(key))
    return TimelineEntry(
        when=event.created_at,
        kind="event",
        title=title,
        note=note,
        published=event.published_at is not None,
        code=event.event_type,
    )


def fold(entries: list[TimelineEntry]) -> list[TimelineEntry]:
    """Each run of two or more consecutive detail changes becomes one entry, at the time of the last."""
    folded: list[TimelineEntry] = []
    run: list[TimelineEntry] = []

    def close_run():
        if len(run) == 1:
            folded.append(run[0])
        elif run:
            folded.append(
                TimelineEntry(
                    when=run[-1].when,
                    kind="folded",
                    title=f"{EVENT_TITLES[OutboxEvent.Type.ATTRIBUTE_VALUE_CHANGE]} (×{len(run)})",
                    published=all(entry.published for entry in run),
                    code=run[0].code,
                    folded=list(run),
                )
            )
        run.clear()

    for entry in entries:
        if entry.kind == "event" and entry.code in FOLDED_EVENTS:
            run.append(entry)
            continue
        close_run()
        folded.append(entry)
    close_run()
    return folded
