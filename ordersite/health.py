"""Health probes: /health/live (the process answers) and /health/ready (it can do its work).

/health/ready runs four checks and answers 200 when none fails, 503 naming the ones that failed:

- `database`: a `SELECT 1` answers (PostgreSQL: with a 2-second statement timeout; connecting is
  bounded by DB_CONNECT_TIMEOUT).
- `migrations`: no migration is left to apply. Once true it is remembered for the life of the process.
- `broker`: the Celery broker accepts a connection; skipped (reason "eager") when tasks run in the web
  process, as in the embedded default.
- `relay`: the outbox relay is less than READY_MAX_RELAY_LAG_SECONDS behind (orders.outbox.lag()).

A check whose dependency already failed (migrations and relay need the database) is skipped rather
than failed again. Error details go to the log, not to the response: the probes need no login.
The body, either way: {"status": "ok" | "fail", "failing": [...], "checks": {name: {"status": ...}}}.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

log = logging.getLogger(__name__)

DATABASE_STATEMENT_TIMEOUT_MS = 2000
BROKER_CONNECT_TIMEOUT = 2

OK, FAIL, SKIPPED = "ok", "fail", "skipped"

_migrations_applied = False  # cached once true: a running process's migrations do not go away


def _ok(**detail):
    return {"status": OK, **detail}


def _fail(error, **detail):
    return {"status": FAIL, "error": error, **detail}


def _skipped(reason):
    return {"status": SKIPPED, "reason": reason}


def check_database() -> dict:
    started = time.perf_counter()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # LOCAL: the timeout ends with this transaction, not with the (persistent) connection.
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(DATABASE_STATEMENT_TIMEOUT_MS)])
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        log.warning("readiness: database check failed: %s", error)
        return _fail(type(error).__name__)
    return _ok(seconds=round(time.perf_counter() - started, 4))


def check_migrations() -> dict:
    global _migrations_applied
    if _migrations_applied:
        return _ok()
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        log.warning("readiness: migrations check failed: %s", error)
        return _fail(type(error).__name__)
    if plan:
        names = [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
        log.warning("readiness: %d migrations not applied: %s", len(names), ", ".join(names[:20]))
        return _fail("unapplied migrations", unapplied=len(names))
    _migrations_applied = True
    return _ok()


def check_broker() -> dict:
    from ordersite.celery import app as celery_app

    if celery_app.conf.task_always_eager:
        return _skipped("eager")
    try:
        # The kombu Connection the web process publishes with (CELERY_BROKER_URL, with the transport
        # options and TLS settings of the Celery configuration). memory:// and filesystem://
        # connect to nothing: the attempt itself passes.
        with celery_app.connection_for_write(connect_timeout=BROKER_CONNECT_TIMEOUT) as broker:
            broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_CONNECT_TIMEOUT)
    except Exception as error:  # any transport's refusal, timeout or authentication failure
        log.warning("readiness: broker check failed: %r", error)
        return _fail(type(error).__name__)
    return _ok()


def check_relay() -> dict:
    from orders import outbox

    threshold = settings.READY_MAX_RELAY_LAG_SECONDS
    try:
        lag = outbox.lag()
    except DatabaseError as error:
        log.warning("readiness: relay check failed: %s", error)
        return _fail(type(error).__name__)
    detail = {"lag_seconds": round(lag.seconds, 1), "max_seconds": threshold}
    if lag.seconds >= threshold:
        log.warning("readiness: the outbox relay is %.0f s behind (limit %s s)", lag.seconds, threshold)
        return _fail("relay behind", **detail)
    return _ok(**detail)


def readiness() -> dict:
    checks = {"database": check_database()}
    database_up = checks["database"]["status"] == OK
    checks["migrations"] = check_migrations() if database_up else _skipped("database unavailable")
    checks["broker"] = check_broker()
    checks["relay"] = check_relay() if database_up else _skipped("database unavailable")
    failing = [name for name, result in checks.items() if result["status"] == FAIL]
    return {"status": FAIL if failing else OK, "failing": failing, "checks": checks}


def _answer(body: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status)
    add_never_cache_headers(response)
    return response


@csrf_exempt
@require_safe
def live(request):
    return _answer({"status": OK})


@csrf_exempt
@require_safe
def ready(request):
    body = readiness()
    return _answer(body, status=503 if body["failing"] else 200)
