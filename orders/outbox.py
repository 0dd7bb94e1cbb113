"""The outbox relay: the only way work leaves a committed transaction.

A command writes what must happen after it commits as rows in its own transaction: an OutboxEvent
per TMF622 event (fanned out to hub listeners, then delivered), and `handover_due` on a fulfilment
task the downstream system must hear about (dispatched, cancelled or undone). The relay finds what
has not been relayed yet, in order, does it and marks it. After a commit, `nudge()` asks for a relay
at once (the fast path); Celery beat runs it every few seconds whatever happens (the guarantee), so
a broker that is down, a worker killed mid-task or a lost message delays work but never loses it.

Work that calls out (a downstream system, a listener) is claimed with a lease first: two relays
never take the same row, and a row whose relay died is taken again when the lease runs out.
Everything downstream of the relay is idempotent, so a row relayed twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from orders import notifications
from orders.downstream import downstream
from orders.models import EventDelivery, FulfilmentTask, OrderItem, OutboxEvent, TaskState

log = logging.getLogger(__name__)

BATCH = 500


@dataclass(frozen=True)
class OutboxLag:
    """How far the relay is behind: what the back office, readiness and metrics show."""

    unrelayed_events: int
    oldest_unrelayed_seconds: float
    handovers_waiting: int
    oldest_handover_seconds: float
    deliveries_waiting: int
    dead_letters: int

    @property
    def seconds(self) -> float:
        """Age of the oldest row not yet relayed: events to fan out or hand-overs to make."""
        return max(self.oldest_unrelayed_seconds, self.oldest_handover_seconds)


def lag(now: dt.datetime | None = None) -> OutboxLag:
    """Counts and ages of what waits in the outbox (three indexed queries)."""
    now = now or timezone.now()
    events = OutboxEvent.objects.filter(published_at__isnull=True).aggregate(n=Count("pk"), oldest=Min("created_at"))
    handovers = FulfilmentTask.objects.filter(handover_due=True).aggregate(n=Count("pk"), oldest=Min("dispatched_at"))
    deliveries = EventDelivery.objects.filter(
        status__in=[EventDelivery.Status.PENDING, EventDelivery.Status.DEAD]
    ).aggregate(
        pending=Count("pk", filter=Q(status=EventDelivery.Status.PENDING)),
        dead=Count("pk", filter=Q(status=EventDelivery.Status.DEAD)),
    )
    return OutboxLag(
        unrelayed_events=events["n"],
        oldest_unrelayed_seconds=_age(events["oldest"], now),
        handovers_waiting=handovers["n"],
        oldest_handover_seconds=_age(handovers["oldest"], now),
        deliveries_waiting=deliveries["pending"],
        dead_letters=deliveries["dead"],
    )


def _age(moment: dt.datetime | None, now: dt.datetime) -> float:
    return max((now - moment).total_seconds(), 0.0) if moment else 0.0


# --- the fast path ---------------------------------------------------------------------------------

NUDGE_KEY = "outbox:relay-queued"
NUDGE_SECONDS = 2  # with a per-process cache (no Redis) also the most a nudge can be held back


def nudge() -> None:
    """Ask for a relay as soon as the current transaction commits (once per transaction).

    Best effort: the relay sweep on Celery beat picks up whatever a lost nudge leaves behind.
    """
    if not connection.in_atomic_block:
        _send_nudge()
    elif current_app.conf.task_always_eager or not any(
        callback is _send_nudge for _, callback, _ in connection.run_on_commit
    ):
        # (Tests that capture on-commit callbacks keep them listed after running them, so there
        # every commit registers its own.)
        transaction.on_commit(_send_nudge)


def task(name: str):
    """A task of orders.tasks, found by name: the relay and the fulfilment code queue work without
    importing the tasks module, which imports them."""
    return current_app.tasks[f"orders.tasks.{name}"]


def _send_nudge() -> None:
    if current_app.conf.task_always_eager:
        task("relay_outbox").apply()
        return
    # One relay queued at a time is enough: it takes everything there is when it runs.
    if not cache.add(NUDGE_KEY, 1, timeout=NUDGE_SECONDS):
        return
    try:
        task("relay_outbox").apply_async(retry=False)
    except Exception as error:  # noqa: BLE001 (whatever the transport raises: the work is safe in the outbox)
        cache.delete(NUDGE_KEY)
        log.warning("Broker unreachable (%s): the outbox waits for the next relay sweep", error)


def relay_started() -> None:
    """A relay began: commits from now on need a relay of their own."""
    cache.delete(NUDGE_KEY)


# --- the relay ---------------------------------------------------------------------------------------


@dataclass
class RelayReport:
    events: int = 0
    handovers: int = 0
    deliveries: int = 0

    def __bool__(self) -> bool:
        return bool(self.events or self.handovers or self.deliveries)


def relay(now: dt.datetime | None = None) -> RelayReport:
    """One pass: fan events out to listeners, hand tasks to downstream systems, send due deliveries."""
    report = RelayReport()
    report.events = fan_out_events()
    report.handovers = hand_over_tasks(now)
    report.deliveries = send_due_deliveries(now)
    return report


def claim_seconds() -> int:
    return settings.OUTBOX_CLAIM_SECONDS


def fan_out_events(limit: int = BATCH) -> int:
    """Turn events not yet relayed into one delivery per listener allowed to see them, in order.

    One transaction: the deliveries and the mark commit together, and rows another relay holds
    are skipped, so two relays at once never fan out the same event.
    """
    with transaction.atomic():
        events = list(
            OutboxEvent.objects.filter(published_at__isnull=True)
            .order_by("pk")
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("order")[:limit]
        )
        if not events:
            return 0
        # No next attempt yet: due at once.
        deliveries = [
            EventDelivery(event=event, listener=listener)
            for event, listeners in notifications.listeners_for_events(events).items()
            for listener in listeners
        ]
        if deliveries:
            EventDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        OutboxEvent.objects.filter(pk__in=[event.pk for event in events]).update(published_at=timezone.now())
    return len(events)


def claim(queryset, now: dt.datetime, limit: int) -> tuple[list[int], dt.datetime]:
    """Take up to `limit` rows nobody holds, for claim_seconds(); returns their ids and the claim."""
    until = now + dt.timedelta(seconds=claim_seconds())
    with transaction.atomic():
        ids = list(queryset.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
        if ids:
            queryset.model.objects.filter(pk__in=ids).update(claimed_until=until)
    return ids, until


def hand_over_tasks(now: dt.datetime | None = None, limit: int = BATCH) -> int:
    """Tell downstream systems about the tasks dispatched, cancelled or undone since the last pass."""
    now = now or timezone.now()
    due = FulfilmentTask.objects.filter(handover_due=True).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )
    ids, held = claim(due.order_by("pk"), now, limit)
    if not ids:
        return 0
    tasks = list(FulfilmentTask.objects.filter(pk__in=ids, claimed_until=held).order_by("pk"))
    system = downstream()
    by_state: dict[str, list[FulfilmentTask]] = {}
    for task in tasks:
        by_state.setdefault(task.state, []).append(task)
    system.submit(by_state.get(TaskState.DISPATCHED, []))
    system.cancel(by_state.get(TaskState.CANCELLED, []))
    system.compensate(by_state.get(TaskState.COMPENSATED, []))
    handed = timezone.now()
    # Only rows still under this claim: a task dispatched again meanwhile keeps its own hand-over.
    mine = FulfilmentTask.objects.filter(pk__in=ids, claimed_until=held)
    mine.filter(state=TaskState.DISPATCHED).update(handover_due=False, handed_over_at=handed, claimed_until=None)
    mine.update(handover_due=False, claimed_until=None)
    past_return = {t.item_id for t in by_state.get(TaskState.DISPATCHED, []) if t.is_point_of_no_return}
    if past_return:
        OrderItem.objects.filter(pk__in=past_return, point_of_no_return_at__isnull=True).update(
            point_of_no_return_at=handed
        )
    system.handed_over(by_state.get(TaskState.DISPATCHED, []))
    return len(tasks)


def due_deliveries(now: dt.datetime):
    """Deliveries to send at `now`: new, backed off long enough, or left by a worker whose claim ran out."""
    return EventDelivery.objects.filter(status=EventDelivery.Status.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def send_due_deliveries(now: dt.datetime | None = None, limit: int = BATCH, chunk: int = 20) -> int:
    """Claim deliveries that are due (new, backed off, or left by a dead worker) and send them out.

    The claim moves `next_attempt_at` past the lease: a worker that dies mid-delivery leaves the
    delivery due again when the lease ends, and the next sweep sends it.
    """
    now = now or timezone.now()
    due = due_deliveries(now)
    until = now + dt.timedelta(seconds=claim_seconds())
    with transaction.atomic():
        ids = list(due.order_by("pk").select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
        if ids:
            EventDelivery.objects.filter(pk__in=ids).update(next_attempt_at=until)
    for start in range(0, len(ids), chunk):
        batch = ids[start : start + chunk]
        try:
            task("deliver_events").delay(batch, until.isoformat())
        except Exception as error:  # noqa: BLE001 (the claim runs out and the next sweep sends them)
            log.warning("Broker unreachable (%s): %d deliveries wait for the next sweep", error, len(ids) - start)
            break
    return len(ids)


def relay_for(seconds: float) -> RelayReport:
    """Relay passes until nothing is left or the time is up; then ask for another run if work remains."""
    deadline = time.monotonic() + seconds
    total = RelayReport()
    while True:
        report = relay()
        total.events += report.events
        total.handovers += report.handovers
        total.deliveries += report.deliveries
        if not report:
            return total
        if time.monotonic() > deadline:
            nudge()
            return total


def deliver_due_events(now: dt.datetime | None = None) -> int:
    """Fan out what is waiting, then send every delivery due at `now`, here and now (a sweep in one process)."""
    now = now or timezone.now()
    fan_out_events()
    deliveries = due_deliveries(now).select_related("event__order", "listener").order_by("pk")[:BATCH]
    return sum(notifications.attempt(delivery) for delivery in deliveries)
