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
from dataclasses import dataclass

from django.db.models import Count, Min
from django.utils import timezone

from orders.fulfilment.models import EventDelivery, FulfilmentTask
from orders.models import OutboxEvent

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
    """Counts and ages of what waits in the outbox (four indexed queries)."""
    now = now or timezone.now()
    events = OutboxEvent.objects.filter(published_at__isnull=True).aggregate(n=Count("pk"), oldest=Min("created_at"))
    handovers = FulfilmentTask.objects.filter(handover_due=True).aggregate(n=Count("pk"), oldest=Min("dispatched_at"))
    deliveries = EventDelivery.objects.filter(status=EventDelivery.Status.PENDING).count()
    dead = EventDelivery.objects.filter(status=EventDelivery.Status.DEAD).count()
    return OutboxLag(
        unrelayed_events=events["n"],
        oldest_unrelayed_seconds=_age(events["oldest"], now),
        handovers_waiting=handovers["n"],
        oldest_handover_seconds=_age(handovers["oldest"], now),
        deliveries_waiting=deliveries,
        dead_letters=dead,
    )


def _age(moment: dt.datetime | None, now: dt.datetime) -> float:
    return max((now - moment).total_seconds(), 0.0) if moment else 0.0
