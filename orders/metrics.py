"""Prometheus metrics about orders, the outbox and Celery tasks (the web side is ordersite/metrics.py).

- `orderdesk_orders_created_total{channel}`: counted when the transaction creating an order commits
  (a revision of an order is an order too); counted in whichever process created it.
- `orderdesk_task_duration_seconds{task,outcome}`: every Celery task run, from `task_prerun` to
  `task_postrun` (outcome: success, failure, retry, ...); in a worker, or in the web process when
  tasks run eagerly.
- `OrderDeskCollector`: gauges read from the database at scrape time, so they are right whichever
  process is scraped (see its docstring).

The Celery signals here also put the task id in the log context as the request id, and keep Celery
from replacing the logging set up by Django's LOGGING (JSON lines in a worker as on the web).
"""

from __future__ import annotations

import logging
import time

from celery import signals as celery_signals
from django.db import DatabaseError, transaction
from django.db.models import Count
from django.db.models.signals import post_save
from django.dispatch import receiver
from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily

from ordersite import logcontext

log = logging.getLogger(__name__)

ORDERS_CREATED = Counter(
    "orderdesk_orders_created_total",
    "Orders created (committed), by channel; an amendment's revision counts as an order.",
    ["channel"],
)
TASK_DURATION = Histogram(
    "orderdesk_task_duration_seconds",
    "Time a Celery task ran, by task name and outcome (success, failure, retry, ...).",
    ["task", "outcome"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
)


@receiver(post_save, sender="orders.Order", dispatch_uid="orders.metrics.count_created")
def _count_created_order(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        channel = instance.channel or "unknown"
        transaction.on_commit(lambda: ORDERS_CREATED.labels(channel=channel).inc())


# --- Celery tasks: duration, and the task id as the request id in logs -------------------------

_running: dict[str, tuple[float, object, object]] = {}


@celery_signals.task_prerun.connect(dispatch_uid="orders.metrics.task_prerun")
def _task_started(sender=None, task_id=None, task=None, **kwargs):
    eager = bool(getattr(getattr(task, "request", None), "is_eager", False))
    # An eager task runs inside a web request: its log lines keep that request's id.
    request_id = logcontext.request_id_var.get() if eager and logcontext.request_id_var.get() else task_id
    _running[task_id] = (
        time.perf_counter(),
        logcontext.request_id_var.set(request_id),
        logcontext.order_var.set(logcontext.order_var.get()),
    )


@celery_signals.task_postrun.connect(dispatch_uid="orders.metrics.task_postrun")
def _task_finished(sender=None, task_id=None, task=None, state=None, **kwargs):
    started = _running.pop(task_id, None)
    if started is None:
        return
    began, request_token, order_token = started
    name = getattr(task, "name", None) or getattr(sender, "name", None) or "unknown"
    # No state: the task's error is propagating to an eager caller (task_eager_propagates).
    outcome = (state or "failure").lower()
    TASK_DURATION.labels(task=name, outcome=outcome).observe(time.perf_counter() - began)
    try:
        logcontext.order_var.reset(order_token)
        logcontext.request_id_var.reset(request_token)
    except ValueError:  # set in another context: nothing of ours to restore
        logcontext.clear()


@celery_signals.setup_logging.connect(dispatch_uid="orders.metrics.setup_logging")
def _keep_django_logging(**kwargs):
    # A receiver here tells the worker not to install its own handlers: Django's LOGGING (one JSON
    # object a line, with the task id as request_id) stays in force. `-l` no longer sets the level:
    # LOG_LEVEL does.
    return None


# --- gauges computed at scrape time ---------------------------------------------------------


def open_states() -> list[str]:
    from orders.models import TERMINAL_STATES, OrderState

    return [state.value for state in OrderState if state not in TERMINAL_STATES]


class OrderDeskCollector:
    """Gauges read from the database when /metrics is scraped (five small indexed queries).

    - `orderdesk_orders{state}`: orders in each *open* state (every state but rejected, cancelled,
      completed, partial, failed). Terminal states are not counted: at millions of orders that
      count is a full scan on every scrape; use `orderdesk_orders_created_total` for throughput.
    - `orderdesk_relay_lag_seconds`: age of the oldest outbox row not relayed yet (0 when none).
    - `orderdesk_outbox_unrelayed_events`: TMF622 events not yet fanned out to hub listeners.
    - `orderdesk_fulfilment_handovers_waiting`: fulfilment tasks waiting to be handed to downstream.
    - `orderdesk_event_deliveries_waiting`: event deliveries to hub listeners still pending.
    - `orderdesk_event_deliveries_dead`: event deliveries that gave up (dead letters).
    - `orderdesk_scrape_database_up`: 1 when these queries succeeded, 0 when the database failed
      (the other gauges are then absent from that scrape).
    """

    def describe(self):
        return []  # not registered anywhere: nothing to check for duplicates, and no query at import

    def collect(self):
        from orders import outbox
        from orders.models import Order

        up = GaugeMetricFamily(
            "orderdesk_scrape_database_up", "1 when the scrape-time database gauges could be read, else 0."
        )
        try:
            states = open_states()
            counts = dict.fromkeys(states, 0)
            rows = Order.objects.filter(state__in=states).values("state").annotate(n=Count("pk")).order_by()
            counts.update({row["state"]: row["n"] for row in rows})
            lag = outbox.lag()
        except DatabaseError:
            log.warning("metrics: the database could not be read for the scrape-time gauges", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up

        orders = GaugeMetricFamily(
            "orderdesk_orders", "Orders in each open state (terminal states are not counted).", labels=["state"]
        )
        for state, n in counts.items():
            orders.add_metric([state], n)
        yield orders
        yield GaugeMetricFamily(
            "orderdesk_relay_lag_seconds", "Age of the oldest outbox row not yet relayed.", value=lag.seconds
        )
        yield GaugeMetricFamily(
            "orderdesk_outbox_unrelayed_events", "TMF622 events not yet relayed.", value=lag.unrelayed_events
        )
        yield GaugeMetricFamily(
            "orderdesk_fulfilment_handovers_waiting",
            "Fulfilment tasks waiting to be handed over to downstream systems.",
            value=lag.handovers_waiting,
        )
        yield GaugeMetricFamily(
            "orderdesk_event_deliveries_waiting",
            "Event deliveries to hub listeners still pending.",
            value=lag.deliveries_waiting,
        )
        yield GaugeMetricFamily(
            "orderdesk_event_deliveries_dead", "Event deliveries that gave up (dead letters).", value=lag.dead_letters
        )
