"""Celery tasks: thin wrappers that load rows and call the fulfilment commands."""

from celery import shared_task

from orders.fulfilment import orchestration
from orders.fulfilment.downstream import SimulatedDownstream
from orders.fulfilment.models import FulfilmentTask, TaskState
from orders.models import Order


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def dispatch_order(order_id: int) -> int:
    order = Order.objects.filter(pk=order_id).first()
    return len(orchestration.dispatch_ready_tasks(order)) if order else 0


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def simulate_task_outcome(task_id: int, attempt: int) -> bool:
    task = FulfilmentTask.objects.filter(pk=task_id, state=TaskState.DISPATCHED, attempts=attempt).first()
    if task is None:
        return False  # cancelled, retried or already reported meanwhile
    failed = SimulatedDownstream.fails(task_id, attempt)
    return orchestration.record_task_result(
        task,
        succeeded=not failed,
        message="Simulated downstream failure" if failed else "",
        reference=f"SIM-{task_id}-{attempt}",
    )


@shared_task
def flag_orders_in_jeopardy() -> int:
    return orchestration.flag_orders_in_jeopardy()


@shared_task
def publish_events(event_ids: list[int]) -> int:
    from orders import notifications
    from orders.models import OutboxEvent

    events = OutboxEvent.objects.filter(pk__in=event_ids).select_related("order").order_by("pk")
    return sum(len(notifications.publish_event(event)) for event in events)


@shared_task
def deliver_pending_events() -> int:
    from orders import notifications

    return notifications.deliver_due_events()
