"""Stuck orders: fulfilment that stopped moving for longer than its plan allows surfaces by itself.

An order in progress is stuck when one of its tasks is

(a) dispatched for longer than the step's planned duration plus a grace (OVERDUE_GRACE), so the
    downstream system is late: "Activate line (network) dispatched 3 days ago, plan allows 24 h";
(b) dispatched but still not handed to its downstream system (`handover_due`) after
    STUCK_HANDOVER_MINUTES, so the outbox relay is behind: "Ship equipment not handed to logistics
    for 14 min";
(c) waiting with every step it depends on completed for those minutes, so nobody dispatched it:
    "Start billing (billing) ready for 25 min, not dispatched" (unless it waits for the customer's
    sign-off, which is the plan);

or (d) when it has no open task at all (none waiting, dispatched or failed) for those minutes while
it is still in progress: "No step left to run for 12 min, yet the order is still in progress".

`flag_stuck_orders` keeps `Order.stuck_since` (when the plan's allowance ran out) and
`Order.stuck_at` (where it stopped, in plain words) equal to these rules. It is a back-office flag,
not a lifecycle transition: no history row, no outbox event, `updated_at` untouched. It runs on Celery
beat every few minutes over a million orders, so it reads only orders in progress, through the
order state index and the tasks' (order, state) index, with four reads whatever the number of orders,
and writes only the flags that change (one statement to clear, one per BATCH to set).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from orders.models import FulfilmentTask, Order, OrderState, TaskState

# A step dispatched longer than its planned duration plus this share of it is overdue.
OVERDUE_GRACE = 0.10
# Flags written per UPDATE statement.
BATCH = 500

__all__ = ["flag_stuck_orders", "humanise", "stuck_handover_minutes", "stuck_orders"]


def stuck_handover_minutes() -> int:
    """How long a hand-over, an undispatched ready step or an order with nothing to run may wait."""
    return int(getattr(settings, "STUCK_HANDOVER_MINUTES", 10))


def stuck_orders() -> QuerySet[Order]:
    """The stuck-orders queue: orders in progress flagged stuck, the longest stuck first (partial index)."""
    return (
        Order.objects.select_related("customer")
        .filter(state=OrderState.IN_PROGRESS, stuck_since__isnull=False)
        .order_by("stuck_since", "pk")
    )


@dataclass(frozen=True)
class _Stall:
    since: dt.datetime  # when the plan's allowance ran out
    rank: int  # which rule, to break ties: the relay first, then dispatching, downstream, the order
    where: str


@dataclass
class _Candidate:
    flagged_since: dt.datetime | None  # the flags as they are now
    flagged_at: str
    stalls: list[_Stall]


def flag_stuck_orders(now: dt.datetime | None = None) -> int:
    """Set `stuck_since`/`stuck_at` on orders whose fulfilment stopped, clear them elsewhere; returns how many are new.

    An order flagged before keeps its flag and gets the description refreshed; an order that moved on
    (its stalled task changed state) or left `inProgress` is cleared.
    """
    now = now or timezone.now()
    candidates: dict[int, _Candidate] = {}

    def stall(order_id: int, flagged_since, flagged_at: str, since: dt.datetime, rank: int, where: str) -> None:
        candidate = candidates.setdefault(order_id, _Candidate(flagged_since, flagged_at, []))
        candidate.stalls.append(_Stall(since, rank, where))

    minutes = dt.timedelta(minutes=stuck_handover_minutes())

    # (b) dispatched, not handed over: the outbox relay is behind.
    for order_id, flagged_since, flagged_at, name, system, dispatched_at in _not_handed_over(now - minutes):
        stall(
            order_id,
            flagged_since,
            flagged_at,
            dispatched_at + minutes,
            0,
            f"{name} not handed to {_system(system)} for {_span(now - dispatched_at)}",
        )
    # (c) ready to start, never dispatched.
    for order_id, flagged_since, flagged_at, name, system, ready_since in _ready_not_dispatched(now - minutes):
        stall(
            order_id,
            flagged_since,
            flagged_at,
            ready_since + minutes,
            1,
            f"{name} ({_system(system)}) ready for {_span(now - ready_since)}, not dispatched",
        )
    # (a) dispatched for longer than the plan allows: the downstream system is late.
    for order_id, flagged_since, flagged_at, name, system, dispatched_at, hours in _overdue(now):
        stall(
            order_id,
            flagged_since,
            flagged_at,
            dispatched_at + _allowance(hours),
            2,
            f"{name} ({_system(system)}) dispatched {_span(now - dispatched_at)} ago, plan allows {hours} h",
        )
    # (d) nothing left to run, yet the order did not move on.
    for order_id, flagged_since, flagged_at, idle_since in _nothing_to_run(now - minutes):
        stall(
            order_id,
            flagged_since,
            flagged_at,
            idle_since + minutes,
            3,
            f"No step left to run for {_span(now - idle_since)}, yet the order is still in progress",
        )

    flags = {order_id: _describe(candidate.stalls) for order_id, candidate in candidates.items()}

    # Clear every flag no rule raises any more (moved on, completed, held, cancelled...).
    cleared = Order.objects.filter(stuck_since__isnull=False)
    if flags:
        cleared = cleared.exclude(pk__in=list(flags))
    cleared.update(stuck_since=None, stuck_at="")

    changed = {
        order_id: flag
        for order_id, flag in flags.items()
        if (candidates[order_id].flagged_since, candidates[order_id].flagged_at) != flag
    }
    ids = sorted(changed)
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        # Still in progress: an order that moved on since the reads above is left alone.
        Order.objects.filter(pk__in=batch, state=OrderState.IN_PROGRESS).update(
            stuck_since=Case(
                *(When(pk=order_id, then=Value(changed[order_id][0])) for order_id in batch),
                output_field=DateTimeField(),
            ),
            stuck_at=Case(
                *(When(pk=order_id, then=Value(changed[order_id][1])) for order_id in batch),
                output_field=CharField(),
            ),
        )
    return sum(1 for candidate in candidates.values() if candidate.flagged_since is None)


# --- the four reads: each a join of the orders in progress with their tasks -----------------------

_FLAGS = ("order__stuck_since", "order__stuck_at")


def _tasks_in_progress() -> QuerySet[FulfilmentTask]:
    return FulfilmentTask.objects.filter(order__state=OrderState.IN_PROGRESS).order_by()


def _not_handed_over(cutoff: dt.datetime):
    """(b) Dispatched before the cutoff and still due to be handed over."""
    return (
        _tasks_in_progress()
        .filter(handover_due=True, state=TaskState.DISPATCHED, dispatched_at__lt=cutoff)
        .values_list("order_id", *_FLAGS, "name", "system", "dispatched_at")
    )


def _ready_not_dispatched(cutoff: dt.datetime):
    """(c) Waiting, every dependency completed, ready since before the cutoff.

    Ready since the last dependency completed, or since the order (re)entered `inProgress` (tasks are
    dispatched only then); a step without dependencies is ready from that moment.
    """
    links = FulfilmentTask.depends_on.through.objects.filter(from_fulfilmenttask=OuterRef("pk")).order_by()
    unfinished = links.exclude(to_fulfilmenttask__state=TaskState.COMPLETED)
    last_done = (
        links.values("from_fulfilmenttask").annotate(last=Max("to_fulfilmenttask__completed_at")).values("last")[:1]
    )
    entered = F("order__state_entered_at")
    return (
        _tasks_in_progress()
        .filter(state=TaskState.WAITING, order__state_entered_at__lt=cutoff)
        .exclude(waits_for_signoff=True)  # held for the customer on purpose, not forgotten
        .exclude(Exists(unfinished))
        .annotate(ready_since=Greatest(Coalesce(Subquery(last_done, output_field=DateTimeField()), entered), entered))
        .filter(ready_since__lt=cutoff)
        .values_list("order_id", *_FLAGS, "name", "system", "ready_since")
    )


def _overdue(now: dt.datetime):
    """(a) Dispatched and handed over longer ago than the step's planned duration plus the grace."""
    hours = ExpressionWrapper(F("expected_duration_hours"), output_field=IntegerField())
    per_hour = Value(dt.timedelta(hours=1 + OVERDUE_GRACE))
    deadline = ExpressionWrapper(
        F("dispatched_at") + ExpressionWrapper(hours * per_hour, output_field=DurationField()),
        output_field=DateTimeField(),
    )
    return (
        _tasks_in_progress()
        .filter(state=TaskState.DISPATCHED, handover_due=False, dispatched_at__isnull=False)
        .alias(deadline=deadline)
        .filter(deadline__lt=now)
        .values_list("order_id", *_FLAGS, "name", "system", "dispatched_at", "expected_duration_hours")
    )


def _nothing_to_run(cutoff: dt.datetime):
    """(d) In progress with no task waiting, dispatched or failed, idle since before the cutoff.

    Idle since the last task completed, or since the order entered `inProgress`.
    """
    tasks = FulfilmentTask.objects.filter(order=OuterRef("pk")).order_by()
    still_open = tasks.filter(state__in=[TaskState.WAITING, TaskState.DISPATCHED, TaskState.FAILED])
    last_done = tasks.values("order").annotate(last=Max("completed_at")).values("last")[:1]
    entered = F("state_entered_at")
    return (
        Order.objects.filter(state=OrderState.IN_PROGRESS, state_entered_at__lt=cutoff)
        .exclude(Exists(still_open))
        .annotate(idle_since=Greatest(Coalesce(Subquery(last_done, output_field=DateTimeField()), entered), entered))
        .filter(idle_since__lt=cutoff)
        .order_by()
        .values_list("pk", "stuck_since", "stuck_at", "idle_since")
    )


# --- wording --------------------------------------------------------------------------------------


def _describe(stalls: list[_Stall]) -> tuple[dt.datetime, str]:
    """The stall that has lasted longest says where the order stopped; the others are counted."""
    first = min(stalls, key=lambda s: (s.since, s.rank))
    where = first.where
    if len(stalls) > 1:
        more = len(stalls) - 1
        where += f"; {more} more step{'s' if more > 1 else ''} stuck"
    if len(where) > 200:
        where = where[:199] + "…"
    return first.since, where


def _allowance(hours: int) -> dt.timedelta:
    return dt.timedelta(hours=hours * (1 + OVERDUE_GRACE))


def _system(system: str) -> str:
    return system.replace("_", " ")


def _span(delta: dt.timedelta) -> str:
    """A coarse age for the description, so it changes (and is written) rarely: 14 min, 5 h, 3 days."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    if minutes < 60:
        return f"{max(minutes, 1)} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h"
    return f"{hours // 24} days"


def humanise(delta: dt.timedelta) -> str:
    """A duration for a person, to the minute: "12 min", "3 h 12 min", "2 days 4 h"."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} day{'s' if days > 1 else ''}" + (f" {hours} h" if hours else "")
    if hours:
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    return f"{minutes} min"
