"""Does fulfilment keep pace with intake? The production topology under a steady stream of API orders.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ordersite_bench \\
        python -m tests.benchmarks.drain --duration 60

The Procfile's processes run on this machine against the benchmark database: gunicorn (as in the
throughput run), a Celery worker for the work queue, one for the control queue, and beat, with Redis
as broker and shared cache and the simulated downstream answering at once. wrk posts orders for
`--duration` seconds; then the load stops and the benchmark watches until every order it made is
done (or `--drain-limit` seconds pass). It reports intake and fulfilment per second, the backlog when
the load stopped, how long the rest took, the broker messages per order (Redis LPUSH calls, each one
a message sent) and the database sessions opened (PostgreSQL's own count).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from tests.benchmarks import throughput

ROOT = throughput.ROOT
CACHE = "redis://127.0.0.1:6379/14"
WORK_QUEUE, CONTROL_QUEUE = "orders-drain", "control-drain"


def environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        **throughput.bench_environment(database_url),
        "CELERY_QUEUE": WORK_QUEUE,
        "CELERY_CONTROL_QUEUE": CONTROL_QUEUE,
        "CACHE_URL": CACHE,
        "FULFILMENT_DOWNSTREAM": "simulated",
        "SIMULATOR_DELAY_SECONDS": "0",
        "LOG_LEVEL": os.environ.get("DRAIN_LOG_LEVEL", "WARNING"),
    }


def _start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _redis_pushes() -> int:
    import redis

    stats = redis.Redis.from_url(throughput.BENCH_REDIS).info("commandstats")
    return sum(stats.get(f"cmdstat_{command}", {}).get("calls", 0) for command in ("lpush", "rpush"))


def _sessions() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def _purge() -> None:
    import redis

    broker = redis.Redis.from_url(throughput.BENCH_REDIS)
    broker.delete(WORK_QUEUE, CONTROL_QUEUE, "unacked", "unacked_index")
    redis.Redis.from_url(CACHE).flushdb()


def _where(first: int, client_id: int) -> dict:
    """Where the run's orders are: open orders, and their steps by what waits on whom."""
    from django.db.models import Count, Q

    from orders.models import FulfilmentTask, Order

    tasks = FulfilmentTask.objects.filter(order__pk__gt=first, order__created_by_client_id=client_id).aggregate(
        to_hand_over=Count("pk", filter=Q(state="dispatched", handover_due=True)),
        downstream=Count("pk", filter=Q(state="dispatched", handover_due=False)),
        done=Count("pk", filter=Q(state="completed")),
    )
    open_orders = Order.objects.filter(pk__gt=first, created_by_client_id=client_id, state="inProgress").count()
    return {"in_progress": open_orders, **tasks}


def measure(database_url: str, *, seconds: int = 60, connections: int = 4, drain_limit: int = 300) -> dict:
    from django.db.models import Count

    from orders.models import ApiClient, Order

    client_id = ApiClient.objects.get(name="Demo partner").pk
    bodies = throughput.order_bodies()
    env = environment(database_url)
    celery = str(Path(sys.executable).with_name("celery"))
    port = throughput._free_port()
    lua = throughput.WRK_SCRIPT.replace(
        "BODIES", "{" + ", ".join(throughput._lua_string(json.dumps(b)) for b in bodies) + "}"
    )
    lua = lua.replace("TOKEN", throughput.TOKEN).replace("ORDER_PATH", throughput.ORDER_PATH)
    _purge()
    with tempfile.TemporaryDirectory() as folder:
        logs = Path(os.environ.get("DRAIN_LOGS") or folder)
        logs.mkdir(parents=True, exist_ok=True)
        script = logs / "orders.lua"
        script.write_text(lua)
        processes = [
            _start(
                [
                    str(Path(sys.executable).with_name("gunicorn")),
                    "ordersite.wsgi",
                    "--no-control-socket",
                    "--workers",
                    str(os.cpu_count() or 2),
                    "--worker-class",
                    "gthread",
                    "--threads",
                    "4",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--log-level",
                    "warning",
                ],
                env,
                logs / "web.log",
            ),
            _start([celery, "-A", "ordersite", "worker", "-Q", WORK_QUEUE, "-c", "2", "-n", "w@%h"], env, logs / "w"),
            _start([celery, "-A", "ordersite", "worker", "-Q", CONTROL_QUEUE, "-c", "1"], env, logs / "c"),
            _start([celery, "-A", "ordersite", "beat", "-s", str(logs / "beat")], env, logs / "beat.log"),
        ]
        try:
            throughput._wait_until_serving(port, processes[0])
            first = Order.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            mine = Order.objects.filter(pk__gt=first, created_by_client_id=client_id)
            pushes, sessions = _redis_pushes(), _sessions()
            before = throughput.cpu_seconds(os.getpid())
            started = time.monotonic()
            samples = []
            outcome: dict = {}
            wrk = threading.Thread(
                target=lambda: outcome.update(
                    throughput._wrk(port, script, seconds, connections, f"drain-{secrets.token_hex(4)}")
                )
            )
            wrk.start()
            while wrk.is_alive():
                samples.append({"after_s": round(time.monotonic() - started - seconds, 1), **_where(first, client_id)})
                wrk.join(5)
            load, load_stopped = outcome, time.monotonic()
            made = mine.count()
            backlog_at_stop = mine.filter(state="inProgress").count()
            done_during_load = made - backlog_at_stop
            while time.monotonic() - load_stopped < drain_limit:
                open_orders = mine.filter(state="inProgress").count()
                samples.append({"after_s": round(time.monotonic() - load_stopped, 1), **_where(first, client_id)})
                if open_orders == 0:
                    break
                time.sleep(5)
            drained = time.monotonic()
            after = throughput.cpu_seconds(os.getpid())
            states = dict(mine.values_list("state").annotate(n=Count("pk")).order_by())
            pushes, sessions = _redis_pushes() - pushes, _sessions() - sessions
        finally:
            for process in processes:
                _stop(process)
            errors = {name: (logs / name).read_text(errors="replace")[-2000:] for name in ("w", "c")}
    _purge()
    left = states.get("inProgress", 0)
    return {
        "load_seconds": round(load_stopped - started, 1),
        "orders": made,
        "non_2xx": load["non_2xx"],
        "intake_per_second": round(made / (load_stopped - started), 1),
        "fulfilled_per_second_during_load": round(done_during_load / (load_stopped - started), 1),
        "backlog_at_stop": backlog_at_stop,
        "drain_seconds_after_stop": round(drained - load_stopped, 1) if left == 0 else None,
        "still_in_progress": left,
        "states": states,
        "fulfilled_per_second_overall": round((made - left) / (drained - started), 1),
        "broker_messages_per_order": round(pushes / max(made, 1), 2),
        "database_sessions_opened": sessions,
        "cpu_seconds": {k: round(after[k] - before[k], 1) for k in after},
        "samples": samples,
        "worker_log_tail": errors if left else {},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=60, help="seconds of load (default 60)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent wrk connections (default 4)")
    parser.add_argument("--drain-limit", type=int, default=300, help="seconds to wait after the load (default 300)")
    args = parser.parse_args(argv)
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to the PostgreSQL database the benchmark may write to.")
    os.environ.update(throughput.bench_environment(database_url))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ordersite.settings")
    import django

    django.setup()
    result = measure(database_url, seconds=args.duration, connections=args.connections, drain_limit=args.drain_limit)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
