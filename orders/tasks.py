"""Celery tasks: thin wrappers that load rows and call the outbox relay or the fulfilment commands.

Control work (the relay, the sweeps on beat) goes to the control queue (CELERY_TASK_ROUTES), so a
backlog of work never delays it; the rest to the default queue. Each task is safe to run twice (acks are late: a task
whose worker died runs again): what it acts on is claimed in the database first.
"""

from celery import shared_task
from django.conf import settings

from orders import notifications, outbox
from orders.fulfilment import orchestration
from orders.fulfilment.simulator import report_due_results
from orders.models import Order


@shared_task
def relay_outbox() -> int:
    """Relay whatever waits in the outbox; hand what is left after the time budget to the next run."""
    outbox.relay_started()
    report = outbox.relay_for(seconds=settings.OUTBOX_RELAY_BUDGET_SECONDS)
    return report.events + report.handovers + report.deliveries


@shared_task
def deliver_events(delivery_ids: list[int], claimed_until: str) -> int:
    from django.utils.dateparse import parse_datetime

    return notifications.deliver_claimed(delivery_ids, parse_datetime(claimed_until))


@shared_task
def simulate_downstream() -> int:
    """The simulated downstream systems answer for every task whose time has come."""
    return report_due_results()


@shared_task
def flag_orders_in_jeopardy() -> int:
    return orchestration.flag_orders_in_jeopardy()


# Messages a worker of the previous release may have left queued: still understood.
@shared_task
def dispatch_order(order_id: int) -> int:
    order = Order.objects.filter(pk=order_id).first()
    return len(orchestration.dispatch_ready_tasks(order)) if order else 0


@shared_task
def publish_events(event_ids: list[int]) -> int:
    return outbox.relay().events


@shared_task
def deliver_pending_events() -> int:
    return outbox.relay().deliveries


@shared_task
def flag_stuck_orders() -> int:
    from orders.fulfilment.stuck import flag_stuck_orders as flag

    return flag()


@shared_task
def simulate_task_outcome(task_id: int, attempt: int) -> int:
    from orders.fulfilment.orchestration import TaskReport, record_task_results
    from orders.fulfilment.simulator import SimulatedDownstream
    from orders.models import FulfilmentTask

    task = FulfilmentTask.objects.filter(pk=task_id).first()
    if task is None:
        return 0
    failed = SimulatedDownstream.fails(task_id, attempt)
    message = "Simulated downstream failure" if failed else ""
    report = TaskReport(task_id, not failed, attempt, message, "SIMULATED")
    return record_task_results(task.order_id, [report])
