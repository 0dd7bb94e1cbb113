"""`make bench`: the whole benchmark on the local PostgreSQL, printed as one table and kept as JSON.

    python -m tests.benchmarks.run [--orders 1000000] [--runs 30] [--duration 20] [--reuse]

1. A throwaway database (BENCH_DATABASE_URL, default ordersite_bench on the local server) is
   dropped, created and filled by tests.benchmarks.generate_orders: `--orders` orders with their
   items, history, outbox rows and customers, loaded in bulk. With --reuse, a database that already
   holds that many orders is kept as it is.
2. tests.benchmarks.pages: p50/p95 latency and queries of the busiest pages, in process, with the
   settings of a deployment (DEBUG off); then tests.benchmarks.journeys: the agent's whole capture of
   a standard order (server CPU and queries, first step to outcome) and the qualification answer for
   an address (p95 under 50 ms), both in process too.
3. tests.benchmarks.throughput: API order creation served by gunicorn under wrk, the floor (the same
   gunicorn's authenticated GET of one offering) and pgbench doing the bare writes of the same orders;
   orders per second over the floor's requests per second is the yardstick.
The results go to bench-results/ (git-ignored) as JSON; the path is printed last.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tests.benchmarks import drain, throughput

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench-results"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ordersite_bench"
# The back office's changelists (the order list and its queues) and its order pages may take 150 ms; every other
# page 100 ms.
PAGE_TARGET_MS = {
    "admin order list": 150,
    "special-handling queue": 150,
    "admin order page": 150,
    "special-handling page": 150,
    "fallout page": 150,
}
# Orders per second against the floor: the same gunicorn's authenticated one-offering GET, same run.
FLOOR_RATIO_TARGET = 0.5


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1_000_000, help="orders in the data set (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=30, help="requests per page after a warm-up (default 30)")
    parser.add_argument("--duration", type=int, default=20, help="seconds of load for wrk and for pgbench")
    parser.add_argument("--connections", type=int, default=8, help="concurrent clients for wrk and pgbench")
    parser.add_argument("--reuse", action="store_true", help="keep a database that already holds the orders")
    parser.add_argument("--soak", type=int, default=60, help="seconds of steady load, drain run (default 60)")
    parser.add_argument("--soak-connections", type=int, default=2, help="wrk connections for the drain run (default 2)")
    args = parser.parse_args(argv)
    for tool in ("wrk", "pgbench"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not installed: `make bench` installs it from Debian's packages.")

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    fresh = not (args.reuse and _orders_in(url) >= args.orders)
    if fresh:
        _recreate(url)
    static_root = tempfile.mkdtemp(prefix="orderdesk-bench-static-")
    os.environ.update({**throughput.bench_environment(url), "STATIC_ROOT": static_root})
    os.environ["DJANGO_SETTINGS_MODULE"] = "ordersite.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from tests.benchmarks.generate_orders import generate
    from tests.benchmarks.journeys import measure_capture, measure_qualification
    from tests.benchmarks.pages import measure_pages

    started = time.monotonic()
    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off serves hashed file names
    results: dict = {"when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "machine": machine()}
    if fresh:
        print(f"Generating {args.orders:,} orders into {_name(url)} ...", flush=True)
        results["generation"] = _with_eager_celery(generate, args.orders)
    results["orders"] = _orders_in(url)
    _forget_cached(throughput.BENCH_CACHE)  # the generation wrote rows by SQL, unseen by the cache's versions
    _settle()
    print(f"Measuring pages ({args.runs} runs each) ...", flush=True)
    results["pages"] = measure_pages(args.runs)
    print("Measuring the agent's capture of a standard order and the qualification answer ...", flush=True)
    results["capture"] = measure_capture()
    results["qualification"] = measure_qualification(args.runs)
    print(f"Measuring order creation ({args.duration} s of wrk, then {args.duration} s of pgbench) ...", flush=True)
    results["throughput"] = throughput.measure(url, seconds=args.duration, connections=args.connections)
    print(f"Measuring fulfilment under load ({args.soak} s of orders, web and workers together) ...", flush=True)
    results["drain"] = drain.measure(url, seconds=args.soak, connections=args.soak_connections)
    results["seconds"] = round(time.monotonic() - started)
    shutil.rmtree(static_root, ignore_errors=True)

    print()
    print(report(results))
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"bench-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nResults: {path}")


def machine() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    models = [
        line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if "model name" in line
    ]
    cpu = models[0] if models else platform.processor()
    memory_kib = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(memory_kib / 2**20),
        "postgresql": postgres.split()[0],
        "python": platform.python_version(),
        "django": django_version(),
    }


def django_version() -> str:
    import django

    return django.get_version()


def report(results: dict) -> str:
    box = results["machine"]
    lines = [
        f"OrderDesk benchmark: {results['orders']:,} orders; {box['cores']} cores ({box['cpu']}), "
        f"{box['memory_gib']} GiB; PostgreSQL {box['postgresql']}, Python {box['python']}, Django {box['django']}",
        "",
        f"{'Page':<34} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8} {'seq scan':>9} {'full count':>11}"
        f" {'target':>7}",
    ]
    for page in results["pages"]:
        target = PAGE_TARGET_MS.get(page["name"], 100)
        lines.append(
            f"{page['name']:<34} {page['p50_ms']:>8.1f} {page['p95_ms']:>8.1f} {page['max_ms']:>8.1f}"
            f" {page['queries']:>8} {_yes(page['seq_scan_orders']):>9} {_yes(page['full_count']):>11}"
            f" {('ok' if page['p95_ms'] < target else 'MISSED'):>7}"
        )
    for answer in results.get("qualification", []):
        verdict = "ok" if answer["p95"] < answer["target_ms"] else "MISSED"
        lines.append(
            f"{answer['name']:<34} {answer['p50']:>8.1f} {answer['p95']:>8.1f}"
            f" {answer['max']:>8.1f} {'':>8} {'':>9} {'':>11} {verdict:>7}"
        )
    if "capture" in results:
        capture = results["capture"]
        lines += [
            "",
            f"Agent's capture of a standard order ({capture['requests_per_flow']} requests, start to outcome,"
            f" {capture['flows']} flows): server CPU {capture['server_cpu_ms_per_flow']['median']:.0f} ms a flow"
            f" (median), {capture['queries_per_flow']['max']} queries,"
            f" wall p50 {capture['wall_ms_per_flow']['p50']:.0f} ms / p95 {capture['wall_ms_per_flow']['p95']:.0f} ms",
        ]
    run = results["throughput"]
    api, pgbench = run["api"], run["pgbench"]
    floor = api["floor"]
    lines += [
        "",
        f"{'Order creation':<34} {'per s':>8} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms/order (app + db)':>25}",
        f"{'API (gunicorn ' + str(api['workers']) + 'x' + str(api['threads']) + ', wrk)':<34}"
        f" {api['orders_per_second']:>8.1f} {api['latency_ms']['p50']:>8.1f} {api['latency_ms']['p95']:>8.1f}"
        f" {api['cpu_ms_per_order']['app']:>12.2f} + {api['cpu_ms_per_order']['postgres']:<10.2f}",
        f"{'floor (GET one offering)':<34} {floor['requests_per_second']:>8.1f}"
        f" {floor['latency_ms']['p50']:>8.1f} {floor['latency_ms']['p95']:>8.1f}"
        f" {floor['cpu_ms_per_request']['app']:>12.2f} + {floor['cpu_ms_per_request']['postgres']:<10.2f}",
        f"{'pgbench (the same writes)':<34} {pgbench['transactions_per_second']:>8.1f}"
        f" {pgbench['latency_ms_average']:>8.1f} {'':>8}"
        f" {pgbench['cpu_ms_per_transaction']['app']:>12.2f} + {pgbench['cpu_ms_per_transaction']['postgres']:<10.2f}",
        f"orders / floor: {run['floor_ratio']:.3f} (target {FLOOR_RATIO_TARGET}); API / pgbench: {run['ratio']:.3f}; "
        f"{api['connections']} clients each, {api['seconds']:.0f} s; "
        f"{api['orders']:,} orders made, {api['non_2xx']} errors",
        "SQL statements per order: "
        + ", ".join(f"{s['items']} items: {s['statements']}" for s in run["statements_per_order"]),
    ]
    if "drain" in results:
        soak = results["drain"]
        drained = soak["drain_seconds_after_stop"]
        lines += [
            "",
            f"Fulfilment under load ({soak['load_seconds']:.0f} s; gunicorn, worker, control worker and beat together):"
            f" intake {soak['intake_per_second']:.1f} orders/s,"
            f" fulfilled {soak['fulfilled_per_second_during_load']:.1f}/s during the load;"
            f" {soak['backlog_at_stop']} in progress when it stopped, "
            + (f"all done {drained:.0f} s later" if drained is not None else f"{soak['still_in_progress']} still open")
            + f"; {soak['broker_messages_per_order']:.2f} broker messages per order,"
            f" {soak['database_sessions_opened']} database sessions opened",
        ]
    if "generation" in results:
        lines.append(f"Data generated in {results['generation'].get('seconds', 0):.0f} s")
    return "\n".join(lines)


def _forget_cached(cache_url: str) -> None:
    """An earlier run's entries (customers, versions) would describe a database that was dropped since."""
    import redis

    redis.Redis.from_url(cache_url).flushdb()


def _settle() -> None:
    """Write out what loading left in memory now, so no checkpoint of gigabytes runs during the timing."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")


def _with_eager_celery(function, *args):
    """The demo seeding moves its orders through fulfilment in process, whatever the broker."""
    from ordersite.celery import app

    app.conf.task_always_eager = True
    try:
        return function(*args)
    finally:
        app.conf.task_always_eager = False


def _yes(flag: bool) -> str:
    return "YES" if flag else "no"


def _name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _maintenance(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres"))


def _orders_in(url: str) -> int:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=5) as connection:
            row = connection.execute("SELECT count(*) FROM orders_order").fetchone()
            return row[0]
    except psycopg.Error:
        return 0


def _recreate(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = _name(url)
    with psycopg.connect(_maintenance(url), autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


if __name__ == "__main__":
    main()
