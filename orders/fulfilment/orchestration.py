"""Orchestration: issued orders become tasks, task results drive items, items drive the order.

Each function here is one transaction, like the order commands in orders.services, and moves
states through the same `_move` (history row and outbox event every time). Calls to downstream
systems happen only after the transaction commits.
"""

from __future__ import annotations

import datetime as dt
import math

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

import orders.services as services
from customers.models import InstalledProduct, ProductStatus, User
from orders import selectors
from orders.fulfilment.models import OPEN_TASK_STATES, DeliverySignOff, FulfilmentTask, TaskState
from orders.fulfilment.plans import Step, critical_path_hours, plan_for
from orders.models import ItemIntent, ItemState, Order, OrderItem, OrderNote, OrderState, OutboxEvent

SETTLED_ITEM_STATES = (ItemState.COMPLETED, ItemState.FAILED, ItemState.CANCELLED)


class FulfilmentError(Exception):
    """A fulfilment command that makes no sense now; the message says why."""


# --- decomposition -------------------------------------------------------------------------------


def decompose(order: Order) -> list[FulfilmentTask]:
    """Create the tasks of every item (called inside the issuing transaction)."""
    items = list(
        order.items.select_related("offering", "product").prefetch_related(
            "offering__fulfilment_steps__depends_on", "relies_on"
        )
    )
    plans = plan_items(items)
    relies = {item.item_id: [other.item_id for other in item.relies_on.all()] for item in items}
    created = create_tasks(order, items, plans, relies)
    if not created:
        return []
    order.expected_completion_date = expected_completion_date(plans)
    order.save(update_fields=["expected_completion_date"])
    create_pending_products(order, items)
    return created


def plan_items(items: list[OrderItem]) -> dict[str, dict[str, Step]]:
    """The steps of each item being fulfilled, by item id then step code (items may be unsaved)."""
    return {
        item.item_id: {step.code: step for step in plan_for(item)}
        for item in items
        if item.intent != ItemIntent.CONTEXT and item.state == ItemState.IN_PROGRESS
    }


def expected_completion_date(plans: dict[str, dict[str, Step]]) -> dt.date:
    hours = max((critical_path_hours(plan) for plan in plans.values()), default=0)
    return timezone.localdate() + dt.timedelta(days=max(1, math.ceil(hours / 24)))


def create_tasks(
    order: Order, items: list[OrderItem], plans: dict[str, dict[str, Step]], relies: dict[str, list[str]]
) -> list[FulfilmentTask]:
    """Write the tasks of the planned items and their dependencies: two statements, whatever the size."""
    tasks_by_item: dict[str, dict[str, FulfilmentTask]] = {}
    for item in items:
        if item.item_id not in plans:
            continue
        tasks_by_item[item.item_id] = {
            code: FulfilmentTask(
                order=order,
                item=item,
                code=code,
                name=step.name,
                system=step.system,
                sequence=index * 10,
                is_point_of_no_return=step.is_point_of_no_return,
                expected_duration_hours=step.expected_duration_hours,
            )
            for index, (code, step) in enumerate(plans[item.item_id].items(), start=1)
        }
    created = FulfilmentTask.objects.bulk_create([t for tasks in tasks_by_item.values() for t in tasks.values()])
    links = []
    Link = FulfilmentTask.depends_on.through
    for item_id, tasks in tasks_by_item.items():
        plan = plans[item_id]
        for code, step in plan.items():
            links += [
                Link(from_fulfilmenttask=tasks[code], to_fulfilmenttask=tasks[dep])
                for dep in step.depends_on
                if dep in tasks
            ]
        # An item that relies on another starts only when that one is done.
        roots = [tasks[code] for code, step in plan.items() if not step.depends_on]
        for other in relies.get(item_id, []):
            for leaf in _leaves(plans.get(other, {}), tasks_by_item.get(other, {})):
                links += [Link(from_fulfilmenttask=root, to_fulfilmenttask=leaf) for root in roots]
    if links:
        Link.objects.bulk_create(links)
    return created


def _leaves(plan, tasks) -> list[FulfilmentTask]:
    return [tasks[code] for code in plan if not any(code in step.depends_on for step in plan.values())]


def create_pending_products(order: Order, items: list[OrderItem]) -> None:
    """New products appear in the installed base at once, as pending active."""
    providing = [
        item
        for item in items
        if item.intent == ItemIntent.PROVIDE and not item.product_id and item.state == ItemState.IN_PROGRESS
    ]
    if not providing:
        return
    products = InstalledProduct.objects.bulk_create(
        InstalledProduct(
            customer=order.customer,
            offering=item.offering,
            name=item.offering.name,
            status=ProductStatus.PENDING_ACTIVE,
            characteristics=item.characteristics,
            install_address=item.install_address,
            last_order_item=item,
        )
        for item in providing
    )
    for item, product in zip(providing, products, strict=True):
        item.product = product
    OrderItem.objects.bulk_update(providing, ["product"])


def after_commit_dispatch(order: Order) -> None:
    from orders import tasks

    order_id = order.pk
    transaction.on_commit(lambda: tasks.dispatch_order.delay(order_id))


# --- dispatch and results ------------------------------------------------------------------------


@transaction.atomic
def dispatch_ready_tasks(order: Order) -> list[FulfilmentTask]:
    """Send every task whose dependencies are done to its downstream system."""
    order = services._lock(order)
    if order.state != OrderState.IN_PROGRESS:
        return []
    tasks = list(order.tasks.select_related("item").prefetch_related("depends_on"))
    now = timezone.now()
    ready = [
        task
        for task in tasks
        if task.state == TaskState.WAITING and all(dep.state == TaskState.COMPLETED for dep in task.depends_on.all())
    ]
    for task in ready:
        task.state, task.dispatched_at, task.attempts = TaskState.DISPATCHED, now, task.attempts + 1
        task.save(update_fields=["state", "dispatched_at", "attempts"])
        if task.is_point_of_no_return and task.item.point_of_no_return_at is None:
            task.item.point_of_no_return_at = now
            task.item.save(update_fields=["point_of_no_return_at"])
    if ready:
        services._publish(
            order,
            OutboxEvent.Type.ATTRIBUTE_VALUE_CHANGE,
            changed="fulfilment",
            milestone=", ".join(t.name for t in ready) + " started",
        )
        task_ids = [t.pk for t in ready]
        transaction.on_commit(lambda: _send_downstream(task_ids))
    return ready


def _send_downstream(task_ids: list[int]) -> None:
    from orders.fulfilment.downstream import downstream

    system = downstream()
    for task in FulfilmentTask.objects.filter(pk__in=task_ids):
        system.submit(task)


@transaction.atomic
def record_task_result(task: FulfilmentTask, *, succeeded: bool, message: str = "", reference: str = "") -> bool:
    """A downstream system reports a task done or failed; repeats of the same report change nothing."""
    order = services._lock(task.order)
    task = FulfilmentTask.objects.select_related("item__offering").get(pk=task.pk)
    if task.state != TaskState.DISPATCHED:
        return False  # a duplicate or late report: at-least-once delivery from downstream
    task.state = TaskState.COMPLETED if succeeded else TaskState.FAILED
    task.completed_at = timezone.now()
    task.failure_reason = "" if succeeded else (message or "Failed downstream")
    task.external_reference = reference or task.external_reference
    task.save()
    services._publish(
        order,
        OutboxEvent.Type.ATTRIBUTE_VALUE_CHANGE,
        changed="fulfilment",
        milestone=f"{task.name} {'done' if succeeded else 'failed'}",
        reason=task.failure_reason,
    )
    item = task.item
    if (
        succeeded
        and item.state == ItemState.IN_PROGRESS
        and not item.tasks.exclude(state__in=[TaskState.COMPLETED, TaskState.CANCELLED]).exists()
    ):
        item.complete()
        item.save()
    settle(order)
    return True


def settle(order: Order) -> None:
    """Move the order on from what its tasks and items say: fallout, next tasks, or completion."""
    if order.state != OrderState.IN_PROGRESS:
        return
    failed = order.tasks.filter(state=TaskState.FAILED).select_related("item").first()
    if failed is not None:
        services._move(
            order,
            "hold",
            by=None,
            note=f"Fallout: {failed.name} failed for item {failed.item.item_id}: {failed.failure_reason}",
        )
        services._move_items(order, "hold", states=[ItemState.IN_PROGRESS])
        return
    items = list(order.items.select_related("offering"))
    if any(item.state not in SETTLED_ITEM_STATES for item in items):
        after_commit_dispatch(order)
        return
    delivered = [item for item in items if item.state == ItemState.COMPLETED]
    if (
        delivered
        and any(item.offering.requires_customer_signoff for item in delivered)
        and not order.signoffs.filter(accepted=True).exists()
    ):
        order.awaiting_signoff = True
        services._move(
            order,
            "await_customer",
            by=None,
            note="Delivered: waiting for the customer's commissioning test and sign-off.",
        )
        return
    _finish(order, items)


def _finish(order: Order, items: list[OrderItem]) -> None:
    """Update the installed base from the delivered items, then complete the order."""
    today = timezone.localdate()
    delivered = [item for item in items if item.state == ItemState.COMPLETED]
    for item in delivered:
        _apply_to_installed_base(item, today)
    for item in items:
        if item.state != ItemState.COMPLETED and item.intent == ItemIntent.PROVIDE and item.product_id:
            InstalledProduct.objects.filter(pk=item.product_id).update(status=ProductStatus.CANCELLED)
    if not delivered:
        services._move(order, "fail", by=None, note="No item could be delivered.")
    elif len(delivered) < len(items):
        services._move(order, "complete_partially", by=None, note=f"{len(delivered)} of {len(items)} items delivered.")
    else:
        services._move(order, "complete", by=None, note="Every item delivered; the customer record is updated.")


def _apply_to_installed_base(item: OrderItem, today: dt.date) -> None:
    product = item.product
    if item.intent == ItemIntent.PROVIDE:
        product.status, product.start_date = ProductStatus.ACTIVE, today
    elif item.intent == ItemIntent.CHANGE:
        product.characteristics = item.characteristics
    elif item.intent == ItemIntent.SUSPEND:
        product.status = ProductStatus.SUSPENDED
    elif item.intent == ItemIntent.RESUME:
        product.status = ProductStatus.ACTIVE
    elif item.intent == ItemIntent.CHANGE_OWNERSHIP:
        # The old owner's address means nothing to the new owner.
        product.customer, product.install_address = item.new_owner, None
    elif item.intent == ItemIntent.DISCONTINUE:
        product.status, product.termination_date = ProductStatus.TERMINATED, today
    elif item.intent == ItemIntent.REPACKAGE:
        product.status, product.termination_date = ProductStatus.TERMINATED, today
        product.last_order_item = item
        product.save()
        InstalledProduct.objects.create(
            customer=product.customer,
            offering=item.offering,
            name=item.offering.name,
            status=ProductStatus.ACTIVE,
            characteristics=item.characteristics,
            install_address=item.install_address or product.install_address,
            start_date=today,
            last_order_item=item,
        )
        return
    product.last_order_item = item
    product.save()


# --- the customer's sign-off (eTOM 1.3.3.4) ------------------------------------------------------


@transaction.atomic
def sign_off_delivery(
    order: Order,
    *,
    by: User,
    test_result: str,
    accepted: bool,
    remarks: str = "",
    training: str = DeliverySignOff.Training.NOT_OFFERED,
    training_date: dt.date | None = None,
) -> DeliverySignOff:
    """Record the commissioning test and the customer's acceptance; accepted delivery completes the order."""
    order = services._lock(order)
    if not services._may_act_for(by, order.customer) and not by.has_perm("orders.answer_information"):
        raise PermissionDenied
    if order.state != OrderState.PENDING or not order.awaiting_signoff:
        raise services.ActionRefused(f"{order.number} is not waiting for a sign-off.")
    if training == DeliverySignOff.Training.SCHEDULED and training_date is None:
        raise services.ActionRefused("Give the date of the training session.")
    signoff = DeliverySignOff.objects.create(
        order=order,
        test_result=test_result,
        accepted=accepted,
        remarks=remarks.strip(),
        training=training,
        training_date=training_date,
        signed_by=by,
    )
    order.awaiting_signoff = False
    passed = accepted and test_result != DeliverySignOff.TestResult.FAILED
    services._move(
        order,
        "resume_from_customer",
        by=by,
        note="Customer signed off delivery." if passed else f"Customer did not accept: {remarks}",
    )
    if passed:
        _finish(order, list(order.items.select_related("offering", "product", "new_owner")))
    else:
        services._move(order, "hold", by=None, note="Fallout: the customer's acceptance test did not pass.")
        OrderNote.objects.create(
            order=order, author=by, text=f"Acceptance test: {remarks or test_result}", customer_visible=True
        )
    return signoff


# --- fallout -------------------------------------------------------------------------------------


@transaction.atomic
def retry_fallout(order: Order, *, by: User, note: str = "") -> Order:
    """Send the failed tasks again and let fulfilment go on."""
    order = services._lock(order)
    failed = list(order.tasks.filter(state=TaskState.FAILED))
    services._move(
        order, "release", by=by, note=note or f"Retrying {', '.join(t.name for t in failed) or 'fulfilment'}."
    )
    order.tasks.filter(state=TaskState.FAILED).update(state=TaskState.WAITING, failure_reason="")
    services._move_items(order, "start", states=[ItemState.HELD])
    settle(order)
    return order


@transaction.atomic
def resolve_fallout(order: Order, *, by: User, note: str, give_up: bool = False) -> Order:
    """Close fallout by hand: the failed steps were done another way, or their items are given up."""
    if not note.strip():
        raise services.ActionRefused("Say how the fallout was resolved.")
    order = services._lock(order)
    failed = list(order.tasks.filter(state=TaskState.FAILED).select_related("item"))
    services._move(order, "release", by=by, note=note)
    services._move_items(order, "start", states=[ItemState.HELD])
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


# --- cancellation --------------------------------------------------------------------------------


def stop_fulfilment(order: Order) -> None:
    """Cancel outstanding tasks and undo the finished ones (inside the cancellation's transaction)."""
    compensate = list(order.tasks.filter(state=TaskState.COMPLETED).values_list("pk", flat=True))
    recall = list(order.tasks.filter(state=TaskState.DISPATCHED).values_list("pk", flat=True))
    order.tasks.filter(state__in=OPEN_TASK_STATES).update(state=TaskState.CANCELLED)
    order.tasks.filter(pk__in=compensate).update(state=TaskState.COMPENSATED)
    InstalledProduct.objects.filter(
        order_items__order=order, order_items__intent=ItemIntent.PROVIDE, status=ProductStatus.PENDING_ACTIVE
    ).update(status=ProductStatus.CANCELLED)
    if compensate or recall:
        transaction.on_commit(lambda: _undo_downstream(recall, compensate))


def _undo_downstream(recall: list[int], compensate: list[int]) -> None:
    from orders.fulfilment.downstream import downstream

    system = downstream()
    for task in FulfilmentTask.objects.filter(pk__in=recall):
        system.cancel(task)
    for task in FulfilmentTask.objects.filter(pk__in=compensate):
        system.compensate(task)


# --- jeopardy ------------------------------------------------------------------------------------


def flag_orders_in_jeopardy(today: dt.date | None = None) -> int:
    """Keep Order.in_jeopardy equal to the one definition (orders.selectors.in_jeopardy); one UPDATE each way."""
    at_risk = selectors.in_jeopardy(today)
    flagged = Order.objects.filter(at_risk, in_jeopardy=False).update(in_jeopardy=True)
    Order.objects.filter(in_jeopardy=True).exclude(at_risk).update(in_jeopardy=False)
    return flagged
