"""Orchestration: issued orders become tasks, task results drive items, items drive the order.

Each function here is one transaction, like the order commands in orders.services, and moves
states through the same `_move` (history row and outbox event every time). Tasks are dispatched in
the transaction that makes them ready; telling the downstream system is an outbox row
(`handover_due`) that the relay (orders.outbox) acts on once the transaction has committed.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from customers.models import InstalledProduct, ProductStatus, User
from orders import lifecycle, outbox, selectors
from orders.downstream import downstream
from orders.fulfilment import completion
from orders.fulfilment.plans import Step, critical_path_hours, plan_for
from orders.models import (
    OPEN_TASK_STATES,
    DeliverySignOff,
    FulfilmentTask,
    ItemIntent,
    ItemState,
    Order,
    OrderItem,
    OrderNote,
    OrderState,
    OutboxEvent,
    TaskState,
)

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
    order: Order,
    items: list[OrderItem],
    plans: dict[str, dict[str, Step]],
    relies: dict[str, list[str]],
) -> list[FulfilmentTask]:
    """Write the tasks of the planned (saved) items and their dependencies: two statements, whatever the size."""
    tasks, links = build_tasks(order, items, plans, relies)
    created = FulfilmentTask.objects.bulk_create(tasks)
    if links:
        FulfilmentTask.depends_on.through.objects.bulk_create(links)
    return created


def build_tasks(
    order: Order,
    items: list[OrderItem],
    plans: dict[str, dict[str, Step]],
    relies: dict[str, list[str]],
    *,
    dispatch: bool = False,
) -> tuple[list[FulfilmentTask], list]:
    """The tasks of the planned items and the rows linking them to what they wait for, in memory.

    With `dispatch`, the tasks that wait for nothing go out at once (the order being issued with
    its items, none of them written yet): items whose point of no return that passes have it set.
    """
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
                waits_for_signoff=step.waits_for_signoff,
            )
            for index, (code, step) in enumerate(plans[item.item_id].items(), start=1)
        }
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
    every_task = [t for tasks in tasks_by_item.values() for t in tasks.values()]
    if dispatch and order.state == OrderState.IN_PROGRESS:
        waiting = {id(link.from_fulfilmenttask) for link in links}
        started = [task for task in every_task if id(task) not in waiting and not task.waits_for_signoff]
        now, hand_over = timezone.now(), _hands_over()
        for task in started:
            start_dispatched(task, now, hand_over=hand_over)
            if task.is_point_of_no_return and not hand_over and task.item.point_of_no_return_at is None:
                task.item.point_of_no_return_at = now
    return every_task, links


def started_milestone(order: Order, tasks: list[FulfilmentTask]) -> OutboxEvent | None:
    """The TMF622 event announcing tasks that went out (not saved: the caller writes events in bulk)."""
    started = [task for task in tasks if task.state == TaskState.DISPATCHED]
    return milestone_event(order, [(task, None) for task in started]) if started else None


def _leaves(plan, tasks) -> list[FulfilmentTask]:
    return [tasks[code] for code in plan if not any(code in step.depends_on for step in plan.values())]


def create_pending_products(order: Order, items: list[OrderItem]) -> None:
    """New products appear in the installed base at once, as pending active (items saved)."""
    products = InstalledProduct.objects.bulk_create(pending_products(order, items))
    for product in products:
        product.last_order_item.product = product  # now with its id
    if products:
        OrderItem.objects.bulk_update([product.last_order_item for product in products], ["product"])


def pending_products(order: Order, items: list[OrderItem]) -> list[InstalledProduct]:
    """The products the items provide, pending active, in memory; each item has its product (neither written)."""
    products = []
    for item in items:
        if _provides(item):
            product = InstalledProduct(
                customer=order.customer,
                offering=item.offering,
                name=item.offering.name,
                status=ProductStatus.PENDING_ACTIVE,
                characteristics=item.characteristics,
                install_address=item.install_address,
                last_order_item=item,
            )
            item.product = product
            products.append(product)
    return products


def _provides(item: OrderItem) -> bool:
    return item.intent == ItemIntent.PROVIDE and not item.product_id and item.state == ItemState.IN_PROGRESS


# --- dispatch and results ------------------------------------------------------------------------


def start_dispatched(task: FulfilmentTask, now: dt.datetime, *, hand_over: bool) -> None:
    """A task goes out: dispatched now, its hand-over to the downstream system due (in memory).

    An item passes its point of no return when the downstream system has the task: at hand-over,
    or at once where nothing is handed over (systems that take their work through the callback).
    """
    task.state, task.dispatched_at, task.attempts = TaskState.DISPATCHED, now, task.attempts + 1
    task.handover_due, task.claimed_until = hand_over, None


def _hands_over() -> bool:
    return downstream().sends


@transaction.atomic
def dispatch_ready_tasks(order: Order) -> list[FulfilmentTask]:
    """Dispatch every task whose dependencies are done (the order locked, in its own transaction)."""
    return dispatch_ready(lifecycle.lock(order))


def dispatch_ready(order: Order) -> list[FulfilmentTask]:
    """Dispatch every task whose dependencies are done, in the caller's transaction (order locked)."""
    if order.state != OrderState.IN_PROGRESS:
        return []
    tasks = list(order.tasks.prefetch_related("depends_on"))
    depends = {task.pk: [dep.pk for dep in task.depends_on.all()] for task in tasks}
    ready = ready_tasks(tasks, depends, {task.pk: task for task in tasks})
    if ready:
        dispatch(ready, timezone.now(), hand_over=_hands_over())
        lifecycle.publish_all([milestone_event(order, [(task, None) for task in ready])])
    return ready


def ready_tasks(
    tasks: list[FulfilmentTask], depends: dict[int, list[int]], by_id: dict[int, FulfilmentTask]
) -> list[FulfilmentTask]:
    """The waiting tasks whose dependencies are all done (and not held for the customer's sign-off)."""
    return [
        task
        for task in tasks
        if task.state == TaskState.WAITING
        and not task.waits_for_signoff
        and all(by_id[dep].state == TaskState.COMPLETED for dep in depends.get(task.pk, []))
    ]


def dispatch(tasks: list[FulfilmentTask], now: dt.datetime, *, hand_over: bool) -> None:
    """Send saved tasks out, in memory and in the database (two statements at most, whatever the number)."""
    for task in tasks:
        start_dispatched(task, now, hand_over=hand_over)
    FulfilmentTask.objects.filter(pk__in=[task.pk for task in tasks], state=TaskState.WAITING).update(
        state=TaskState.DISPATCHED,
        dispatched_at=now,
        attempts=F("attempts") + 1,
        handover_due=hand_over,
        claimed_until=None,
    )
    if not hand_over:  # otherwise when the relay hands them over (outbox.hand_over_tasks)
        OrderItem.objects.filter(
            pk__in={task.item_id for task in tasks if task.is_point_of_no_return}, point_of_no_return_at__isnull=True
        ).update(point_of_no_return_at=now)


@dataclass(frozen=True)
class TaskReport:
    """What a downstream system says about one attempt at a task."""

    task_id: int
    succeeded: bool
    attempt: int | None = None  # None: whichever attempt is under way
    message: str = ""
    reference: str = ""


def record_task_result(task: FulfilmentTask, *, succeeded: bool, message: str = "", reference: str = "") -> bool:
    """A downstream system reports a task done or failed; repeats of the same report change nothing."""
    report = TaskReport(task_id=task.pk, succeeded=succeeded, message=message, reference=reference)
    return record_task_results(task.order_id, [report]) == 1


@transaction.atomic
def record_task_results(order_id: int, reports: list[TaskReport]) -> int:
    """Reports on several tasks of one order, in one transaction; returns how many changed a task."""
    return record_results({order_id: reports})


SETTLED_TASK_STATES = (TaskState.COMPLETED, TaskState.CANCELLED)


@transaction.atomic
def record_results(reports_by_order: dict[int, list[TaskReport]]) -> int:
    """Reports on tasks of many orders, in one transaction; returns how many changed a task.

    A report about a task no longer dispatched, or about an earlier attempt, is a duplicate or
    late (downstream delivers at least once) and changes nothing. The usual outcome (steps done,
    the next ones dispatched) is worked out in memory and written in a fixed number of statements
    for the whole batch; an order that fails a step or has every item settled goes through
    `settle` on its own, once in its life.
    """
    orders = {o.pk: o for o in Order.objects.select_for_update().filter(pk__in=reports_by_order).order_by("pk")}
    if not orders:
        return 0
    tasks = list(FulfilmentTask.objects.filter(order_id__in=orders).order_by("order", "item", "sequence", "pk"))
    by_id = {task.pk: task for task in tasks}
    depends: dict[int, list[int]] = {}
    for task_id, dependency_id in FulfilmentTask.depends_on.through.objects.filter(
        from_fulfilmenttask__order_id__in=orders
    ).values_list("from_fulfilmenttask_id", "to_fulfilmenttask_id"):
        depends.setdefault(task_id, []).append(dependency_id)
    items = {item.pk: item for item in OrderItem.objects.filter(order_id__in=orders).only("pk", "order_id", "state")}
    tasks_of: dict[int, list[FulfilmentTask]] = {}
    for task in tasks:
        tasks_of.setdefault(task.order_id, []).append(task)

    now, hand_over = timezone.now(), _hands_over()
    changed: list[FulfilmentTask] = []
    completed_items: list[OrderItem] = []
    ready: list[FulfilmentTask] = []
    events: list[OutboxEvent] = []
    to_settle: list[Order] = []
    for order_id, reports in reports_by_order.items():
        order = orders.get(order_id)
        if order is None:
            continue
        own = tasks_of.get(order_id, [])
        outcome = _apply_reports(order_id, reports, by_id, now)
        if not outcome:
            continue
        changed += [task for task, _ in outcome]
        events.append(milestone_event(order, [(task, report.succeeded) for task, report in outcome]))
        for item_id in {task.item_id for task, report in outcome if report.succeeded}:
            item = items[item_id]
            if item.state == ItemState.IN_PROGRESS and all(
                t.state in SETTLED_TASK_STATES for t in own if t.item_id == item_id
            ):
                item.complete()
                completed_items.append(item)
        if order.state != OrderState.IN_PROGRESS:
            continue
        settled = all(item.state in SETTLED_ITEM_STATES for item in items.values() if item.order_id == order_id)
        if settled or any(task.state == TaskState.FAILED for task in own):
            to_settle.append(order)
            continue
        going = ready_tasks(own, depends, by_id)
        if not going and only_signoff_left(own):
            to_settle.append(order)
            continue
        if going:
            ready += going
            events.append(milestone_event(order, [(task, None) for task in going]))

    if not changed:
        return 0
    # One UPDATE per kind of outcome (usually one for the whole batch).
    outcomes: dict[tuple[str, str, str], list[int]] = {}
    for task in changed:
        outcomes.setdefault((task.state, task.failure_reason, task.external_reference), []).append(task.pk)
    for (state, reason, reference), ids in outcomes.items():
        FulfilmentTask.objects.filter(pk__in=ids).update(
            state=state, completed_at=now, failure_reason=reason, external_reference=reference, claimed_until=None
        )
    if completed_items:
        OrderItem.objects.filter(pk__in=[item.pk for item in completed_items], state=ItemState.IN_PROGRESS).update(
            state=ItemState.COMPLETED
        )
    if ready:
        dispatch(ready, now, hand_over=hand_over)
    lifecycle.publish_all(events)
    for order in to_settle:
        settle(order)
    return len(changed)


def _apply_reports(
    order_id: int, reports: list[TaskReport], by_id: dict[int, FulfilmentTask], now: dt.datetime
) -> list[tuple[FulfilmentTask, TaskReport]]:
    """The reports that change a task of this order, applied to the tasks in memory."""
    applied = []
    for report in reports:
        task = by_id.get(report.task_id)
        if task is None or task.order_id != order_id or task.state != TaskState.DISPATCHED:
            continue
        if report.attempt is not None and report.attempt != task.attempts:
            continue
        task.state = TaskState.COMPLETED if report.succeeded else TaskState.FAILED
        task.completed_at = now
        task.failure_reason = "" if report.succeeded else (report.message or "Failed downstream")
        task.external_reference = report.reference or task.external_reference
        task.claimed_until = None
        applied.append((task, report))
    return applied


def milestone_event(order: Order, steps: list[tuple[FulfilmentTask, bool | None]]) -> OutboxEvent:
    """The TMF622 event for steps done (True), failed (False) or started (None), not yet saved."""
    words = {True: "done", False: "failed", None: "started"}
    if all(outcome is None for _, outcome in steps):
        milestone = ", ".join(task.name for task, _ in steps) + " started"
    else:
        milestone = ", ".join(f"{task.name} {words[outcome]}" for task, outcome in steps)
    reason = "; ".join(task.failure_reason for task, outcome in steps if outcome is False and task.failure_reason)
    return OutboxEvent(
        order=order,
        event_type=OutboxEvent.Type.ATTRIBUTE_VALUE_CHANGE,
        payload=lifecycle.event_body(order, changed="fulfilment", milestone=milestone, reason=reason),
    )


def settle(order: Order) -> None:
    """Move the order on from what its tasks and items say: fallout, next tasks, or completion."""
    if order.state != OrderState.IN_PROGRESS:
        return
    failed = order.tasks.filter(state=TaskState.FAILED).select_related("item").first()
    if failed is not None:
        lifecycle.move(
            order,
            "hold",
            by=None,
            note=f"Fallout: {failed.name} failed for item {failed.item.item_id}: {failed.failure_reason}",
        )
        lifecycle.move_items(order, "hold", states=[ItemState.IN_PROGRESS])
        return
    items = list(order.items.select_related("offering"))
    if any(item.state not in SETTLED_ITEM_STATES for item in items):
        if not dispatch_ready(order) and only_signoff_left(list(order.tasks.all())):
            await_signoff(order)
        return
    delivered = [item for item in items if item.state == ItemState.COMPLETED]
    if (
        delivered
        and any(item.offering.requires_customer_signoff for item in delivered)
        and not order.signoffs.filter(accepted=True).exists()
    ):
        await_signoff(order)
        return
    completion.finish(order, items)


def only_signoff_left(tasks: list[FulfilmentTask]) -> bool:
    """Everything is done but the steps held for the customer's sign-off (billing, typically)."""
    open_tasks = [task for task in tasks if task.state in OPEN_TASK_STATES]
    return bool(open_tasks) and all(task.state == TaskState.WAITING and task.waits_for_signoff for task in open_tasks)


def await_signoff(order: Order) -> None:
    order.awaiting_signoff = True
    lifecycle.move(
        order,
        "await_customer",
        by=None,
        note="Delivered: waiting for the customer's commissioning test and sign-off.",
    )


def release_after_signoff(order: Order) -> bool:
    """The customer signed off: the steps held for it may go (in the sign-off's transaction).

    False when none was held (the order was delivered whole and can be finished).
    """
    if not order.tasks.filter(state=TaskState.WAITING, waits_for_signoff=True).update(waits_for_signoff=False):
        return False
    settle(order)
    return True


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
    order = lifecycle.lock(order)
    if not lifecycle.may_act_for(by, order.customer) and not by.has_perm("orders.answer_information"):
        raise PermissionDenied
    if order.state != OrderState.PENDING or not order.awaiting_signoff:
        raise lifecycle.ActionRefused(f"{order.number} is not waiting for a sign-off.")
    if training == DeliverySignOff.Training.SCHEDULED and training_date is None:
        raise lifecycle.ActionRefused("Give the date of the training session.")
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
    lifecycle.move(
        order,
        "resume_from_customer",
        by=by,
        note="Customer signed off delivery." if passed else f"Customer did not accept: {remarks}",
    )
    if passed:
        # Billing held for the sign-off starts now; the order finishes when it is done.
        if not release_after_signoff(order):
            completion.finish(order, list(order.items.select_related("offering", "product", "new_owner")))
    else:
        lifecycle.move(order, "hold", by=None, note="Fallout: the customer's acceptance test did not pass.")
        OrderNote.objects.create(
            order=order, author=by, text=f"Acceptance test: {remarks or test_result}", customer_visible=True
        )
    return signoff


# --- cancellation --------------------------------------------------------------------------------


def stop_fulfilment(order: Order) -> None:
    """Cancel outstanding tasks and undo the finished ones (inside the cancellation's transaction).

    Downstream systems hear of it through the outbox: what they were given is recalled, what they
    finished is undone.
    """
    hand_over, now = _hands_over(), timezone.now()
    compensate = list(order.tasks.filter(state=TaskState.COMPLETED).values_list("pk", flat=True))
    # Recall what the downstream system has, or may be receiving from a relay right now.
    given = Q(handed_over_at__isnull=False) | Q(claimed_until__gt=now)
    order.tasks.filter(given, state=TaskState.DISPATCHED).update(
        state=TaskState.CANCELLED, handover_due=hand_over, claimed_until=None
    )
    order.tasks.filter(state__in=OPEN_TASK_STATES).update(
        state=TaskState.CANCELLED, handover_due=False, claimed_until=None
    )
    order.tasks.filter(pk__in=compensate).update(
        state=TaskState.COMPENSATED, handover_due=hand_over, claimed_until=None
    )
    InstalledProduct.objects.filter(
        order_items__order=order, order_items__intent=ItemIntent.PROVIDE, status=ProductStatus.PENDING_ACTIVE
    ).update(status=ProductStatus.CANCELLED)
    if hand_over:
        outbox.nudge()


# --- jeopardy ------------------------------------------------------------------------------------


def flag_orders_in_jeopardy(today: dt.date | None = None) -> int:
    """Keep Order.in_jeopardy equal to the one definition (orders.selectors.in_jeopardy); one UPDATE each way."""
    at_risk = selectors.in_jeopardy(today)
    flagged = Order.objects.filter(at_risk, in_jeopardy=False).update(in_jeopardy=True)
    Order.objects.filter(in_jeopardy=True).exclude(at_risk).update(in_jeopardy=False)
    return flagged
