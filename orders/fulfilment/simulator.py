"""The simulated downstream systems: they take each task handed over and answer after a delay.

A stand-in for logistics, field service, network and billing, so the demo and the tests move orders
end to end. Like a real system it reports through the fulfilment commands (record_results), never
by writing our tables itself.
"""

from __future__ import annotations

import datetime as dt
import random
import time

from django.conf import settings
from django.utils import timezone

from orders import outbox
from orders.fulfilment.orchestration import TaskReport, record_results
from orders.models import FulfilmentTask, TaskState


class SimulatedDownstream:
    """Finishes each task SIMULATOR_DELAY_SECONDS after it was handed over, failing at the configured rate.

    It keeps no state of its own: a task handed over (`handed_over_at`) and still dispatched is work
    in hand. `report_due_results` reports what is due, in batches; Celery beat runs it every few
    seconds, and a hand-over asks for a run once the delay has passed.
    """

    sends = True
    simulator = True  # a deployment runs on it only when it says so (orders/checks.py)

    def submit(self, tasks: list[FulfilmentTask]) -> None:
        """Accepted as handed over (after the simulated API's latency); results come from report_due_results."""
        if tasks and settings.SIMULATOR_SUBMIT_SECONDS:
            time.sleep(settings.SIMULATOR_SUBMIT_SECONDS)

    def cancel(self, tasks: list[FulfilmentTask]) -> None:
        """Nothing to stop: a task no longer dispatched is never reported."""

    def compensate(self, tasks: list[FulfilmentTask]) -> None:
        """A real system would collect equipment, release numbers, credit charges."""

    def handed_over(self, tasks: list[FulfilmentTask]) -> None:
        if tasks:
            outbox.task("simulate_downstream").apply_async(countdown=settings.SIMULATOR_DELAY_SECONDS)

    @staticmethod
    def fails(task_id: int, attempt: int) -> bool:
        return random.Random(f"{task_id}:{attempt}").random() < settings.SIMULATOR_FAILURE_RATE


def report_due_results(now: dt.datetime | None = None, limit: int = 500) -> int:
    """The simulator's answers for tasks handed over at least SIMULATOR_DELAY_SECONDS ago.

    Claimed like any outbox row, so two runs at once report nothing twice; one transaction per
    order for all of its tasks that are due.
    """
    now = now or timezone.now()
    due = FulfilmentTask.objects.filter(
        state=TaskState.DISPATCHED,
        handover_due=False,
        handed_over_at__lte=now - dt.timedelta(seconds=settings.SIMULATOR_DELAY_SECONDS),
    ).exclude(claimed_until__gt=now)
    ids, held = outbox.claim(due.order_by("handed_over_at", "pk"), now, limit)
    if not ids:
        return 0
    by_order: dict[int, list[TaskReport]] = {}
    for task_id, order_id, attempt in FulfilmentTask.objects.filter(pk__in=ids, claimed_until=held).values_list(
        "pk", "order_id", "attempts"
    ):
        failed = SimulatedDownstream.fails(task_id, attempt)
        by_order.setdefault(order_id, []).append(
            TaskReport(
                task_id=task_id,
                attempt=attempt,
                succeeded=not failed,
                message="Simulated downstream failure" if failed else "",
                reference=SIMULATED_REFERENCE,
            )
        )
    # A few dozen orders a transaction: the batch is cheap, and no order waits long for its lock.
    order_ids = sorted(by_order)
    return sum(
        record_results({order_id: by_order[order_id] for order_id in order_ids[start : start + ORDERS_PER_BATCH]})
        for start in range(0, len(order_ids), ORDERS_PER_BATCH)
    )


ORDERS_PER_BATCH = 50
SIMULATED_REFERENCE = "SIMULATED"
