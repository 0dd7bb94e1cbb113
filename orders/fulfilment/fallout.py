"""Fallout: a supervisor sends failed steps again, or closes them by hand."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from customers.models import User
from orders import lifecycle
from orders.fulfilment.orchestration import settle
from orders.models import (
    OPEN_TASK_STATES,
    ItemState,
    Order,
    OrderItem,
    TaskState,
)

# --- fallout -------------------------------------------------------------------------------------


@transaction.atomic
def retry_fallout(order: Order, *, by: User, note: str = "") -> Order:
    """Send the failed tasks again and let fulfilment go on."""
    order = lifecycle.lock(order)
    failed = list(order.tasks.filter(state=TaskState.FAILED))
    lifecycle.move(
        order, "release", by=by, note=note or f"Retrying {', '.join(t.name for t in failed) or 'fulfilment'}."
    )
    order.tasks.filter(state=TaskState.FAILED).update(state=TaskState.WAITING, failure_reason="")
    lifecycle.move_items(order, "start", states=[ItemState.HELD])
    settle(order)
    return order


@transaction.atomic
def resolve_fallout(order: Order, *, by: User, note: str, give_up: bool = False) -> Order:
    """Close fallout by hand: the failed steps were done another way, or their items are given up."""
    if not note.strip():
        raise lifecycle.ActionRefused("Say how the fallout was resolved.")
    order = lifecycle.lock(order)
    failed = list(order.tasks.filter(state=TaskState.FAILED).select_related("item"))
    lifecycle.move(order, "release", by=by, note=note)
    lifecycle.move_items(order, "start", states=[ItemState.HELD])
    now = timezone.now()
    for task in failed:
        if give_up:
            item = OrderItem.objects.get(pk=task.item_id)
            item.tasks.filter(state__in=[*OPEN_TASK_STATES, TaskState.FAILED]).update(state=TaskState.CANCELLED)
            if item.state == ItemState.IN_PROGRESS:
                item.fail()
                item.save()
        else:
            task.state, task.completed_at, task.failure_reason = TaskState.COMPLETED, now, f"Done by hand: {note}"
            task.save()
            item = OrderItem.objects.get(pk=task.item_id)
            if (
                item.state == ItemState.IN_PROGRESS
                and not item.tasks.exclude(state__in=[TaskState.COMPLETED, TaskState.CANCELLED]).exists()
            ):
                item.complete()
                item.save()
    settle(order)
    return order
