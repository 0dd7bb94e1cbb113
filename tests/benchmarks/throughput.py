"""API order creation throughput, next to what PostgreSQL itself reaches with pgbench for the same writes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ordersite_bench \\
        python -m tests.benchmarks.throughput --duration 20

The app is served by gunicorn (one worker per core, threads for the time spent waiting on the
database) on loopback; wrk posts TMF622 ProductOrder_Create bodies of one to three items, each with
its own Idempotency-Key, for a bounded time after a warm-up. Fulfilment and event delivery are handed
to Celery through Redis as in production; no worker runs during the measurement, so what is measured
is order capture (the queued messages are removed afterwards). The same gunicorn then serves the
floor for as long: wrk's GET of one catalog offering with the same bearer token over the same
connections, the cheapest authenticated request of the stack; orders per second over the floor's
requests per second is the yardstick (target 0.5), since no order can be served faster than the
stack answers its lightest request. Then pgbench runs, with as many
clients, a script doing the minimal writes of the same orders: the order, its items, its history
rows and its outbox rows, in one transaction. Both runs record the CPU time of the server processes
(gunicorn, PostgreSQL) so the cost of an order can be compared with the cost of its bare writes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ORDER_PATH = "/tmf-api/productOrderingManagement/v4/productOrder"
TOKEN = "demo-api-token"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
BENCH_QUEUE, BENCH_CONTROL_QUEUE = "orders-bench", "control-bench"
BENCH_REDIS = "redis://127.0.0.1:6379/15"
# The shared cache a deployment has (REDIS_URL): credentials, permissions, customers and the catalog's version
# are read from Redis as in production, not from each process's memory, which would flatter them.
BENCH_CACHE = "redis://127.0.0.1:6379/13"

# wrk: every request a new order with its own Idempotency-Key, the bodies taken in turn.
WRK_SCRIPT = r"""
local bodies = BODIES
local counter = 0  -- thread_id is a global each thread gets from setup()
local threads = {}
local next_id = 1

function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  run_id = args[1]
end

function request()
  counter = counter + 1
  local body = bodies[(counter % #bodies) + 1]
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer TOKEN",
    ["Idempotency-Key"] = string.format("%s-%d-%d", run_id, thread_id, counter),
  }
  return wrk.format("POST", "ORDER_PATH", headers, body)
end

function done(summary, latency, requests)
  local statuses = summary.errors.status
  io.write(string.format(
    'WRK_RESULT {"requests": %d, "duration_us": %d, "non_2xx": %d, "socket_errors": %d, '
    .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, statuses,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""

# The floor: the cheapest authenticated API request this stack serves, one catalog offering by id, sent
# by the same wrk to the same gunicorn over the same connections as the orders.
FLOOR_SCRIPT = r"""
function request()
  return wrk.format("GET", "FLOOR_PATH", {["Authorization"] = "Bearer TOKEN"})
end
""" + WRK_SCRIPT[WRK_SCRIPT.index("function done") :]

PGBENCH_SCRIPT = """\\set customer random(1, 8)
\\set items random(1, 3)
BEGIN;
INSERT INTO orders_order (customer_id, channel, category, priority, description, external_id, special_requirements,
  appointment_preference, state, return_state, needs_special_handling, special_handling_reasons, rejection_reasons,
  revision, created_at, updated_at, submitted_at, issued_at, cancellation_return_state, awaiting_signoff,
  customer_wait_seconds, in_jeopardy, provider_wait_seconds, state_entered_at, stuck_at)
  VALUES (:customer, 'api', 'consumer', 2, 'pgbench', '', '', '', 'inProgress', '', false, '[]', '[]', 0,
  now(), now(), now(), now(), '', false, 0, false, 0, now(), '') RETURNING id \\gset
INSERT INTO orders_orderitem (order_id, item_id, action, intent, characteristics, quantity, is_bespoke, one_off_price,
  recurring_price, state, offering_id, requested_offering, qualification_item_id)
  SELECT :id, g::text, 'add', 'provide', '{"sim_type": "esim"}', 1, false, 0, 20, 'inProgress', OFFERING, '', ''
  FROM generate_series(1, :items) g;
INSERT INTO orders_orderevent (order_id, transition, from_state, to_state, note, created_at) VALUES
  (:id, 'acknowledge', 'draft', 'acknowledged', 'Complete and valid.', now()),
  (:id, 'issue', 'acknowledged', 'inProgress', 'Standard order: issued at once.', now());
INSERT INTO orders_outboxevent (event_id, event_type, order_id, payload, created_at) VALUES
  (gen_random_uuid(), 'ProductOrderCreateEvent', :id, '{"id": "ORD", "state": "acknowledged"}', now()),
  (gen_random_uuid(), 'ProductOrderStateChangeEvent', :id, '{"id": "ORD", "state": "acknowledged"}', now()),
  (gen_random_uuid(), 'ProductOrderStateChangeEvent', :id, '{"id": "ORD", "state": "inProgress"}', now());
COMMIT;
"""


MOBILE, FIBRE, TV = "mobile-unlimited", "fibre-150", "tv-essentials"


def order_bodies(customers: int = 300) -> list[dict]:
    """New orders of one to three items, spread over `customers` customers as real traffic is.

    The demo API client is allowed to order for them (a throwaway database). Characteristics are
    those of the demo's own orders, so every order is complete and valid and gets issued.
    """
    from customers.models import Address
    from orders.models import ApiClient, OrderItem, ProductOffering

    offerings = {o.code: o for o in ProductOffering.objects.filter(code__in=[MOBILE, FIBRE, TV])}
    examples = {
        code: _without_numbers(
            offering,
            OrderItem.objects.filter(offering=offering, intent="provide").order_by("pk").first().characteristics,
        )
        for code, offering in offerings.items()
    }
    addresses = list(
        Address.objects.filter(purpose=Address.Purpose.INSTALLATION, reference_street__isnull=False)
        .select_related("customer", "reference_street__district")
        .order_by("customer_id")
        .distinct("customer_id")[:customers]
    )
    ApiClient.objects.get(name="Demo partner").customers.add(*(a.customer for a in addresses))

    bodies = []
    for index, address in enumerate(addresses):
        has_fibre = offerings[FIBRE].is_serviceable_with(address.technologies)
        shape = [[MOBILE], [FIBRE, MOBILE], [FIBRE, TV, MOBILE]][index % 3]
        if not has_fibre:
            shape = [MOBILE] * len(shape)
        bodies.append(_order_body(address.customer.number, shape, examples))
    return bodies


def _without_numbers(offering, characteristics: dict) -> dict:
    """The example's settings less its line's number: that one is held by the demo order, and a line that
    asks for none gets a free number at activation, as most partners' orders do."""
    numbers = {spec["name"] for spec in offering.data_requirements if spec.get("type") == "telephone_number"}
    return {name: value for name, value in characteristics.items() if name not in numbers}


def _order_body(customer: str, codes: list[str], examples: dict) -> dict:
    return {
        "category": "consumer",
        "relatedParty": [{"id": customer, "role": "customer", "@referredType": "Customer"}],
        "productOrderItem": [
            {
                "id": str(index),
                "action": "add",
                "productOffering": {"id": code},
                "product": {"productCharacteristic": [{"name": k, "value": v} for k, v in examples[code].items()]},
            }
            for index, code in enumerate(codes, start=1)
        ],
    }


def same_order_growing(bodies: list[dict]) -> list[dict]:
    """One customer's order with three, six and nine items of the same kinds, to count statements.

    (Far bigger orders cross the value above which the credit bureau is asked: one statement more.)
    """
    full = next(b for b in bodies if len(b["productOrderItem"]) == 3)
    items = full["productOrderItem"]
    grown = []
    for size in (3, 6, 9):
        grown.append({**full, "productOrderItem": [dict(items[i % 3], id=str(i + 1)) for i in range(size)]})
    return grown


def statements_per_order(bodies: list[dict]) -> list[dict]:
    """SQL statements one API order creation runs, in process, per number of items."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Bearer {TOKEN}", HTTP_HOST="127.0.0.1")
    counts = []
    for body in bodies:
        client.post(ORDER_PATH, json.dumps(body), content_type="application/json")  # warm caches
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                ORDER_PATH, json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY=secrets.token_hex(8)
            )
        if response.status_code != 201 or response.json()["state"] != "inProgress":
            raise SystemExit(f"The benchmark's order was not issued: {response.status_code} {response.content[:500]}")
        counts.append({"items": len(body["productOrderItem"]), "statements": len(queries)})
    return counts


# --- CPU accounting ------------------------------------------------------------------------------


def _processes() -> list[tuple[int, int, str, int]]:
    """(pid, parent pid, command, CPU ticks) of every process, with those of its children that ended.

    Counting ended children keeps the CPU of PostgreSQL backends whose connection closed during a run.
    """
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        command = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        utime, stime, children_utime, children_stime = (int(f) for f in fields[11:15])
        found.append((int(entry.name), int(fields[1]), command, utime + stime + children_utime + children_stime))
    return found


def cpu_seconds(root_pid: int | None = None) -> dict[str, float]:
    """CPU seconds used so far by PostgreSQL's processes and by the process tree under root_pid."""
    processes = _processes()
    postgres = sum(ticks for _, _, command, ticks in processes if command.startswith("postgres"))
    tree, app = {root_pid}, 0
    if root_pid is not None:
        for pid, parent, _, ticks in sorted(processes):
            if pid in tree or parent in tree:
                tree.add(pid)
                app += ticks
    return {"postgres": postgres / CLOCK_TICKS, "app": app / CLOCK_TICKS}


# --- the API run ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_environment(database_url: str) -> dict[str, str]:
    """Settings for the served app and for this process alike: production-like, Celery through Redis."""
    return {
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "DB_CONN_MAX_AGE": "600",
        "CELERY_BROKER_URL": BENCH_REDIS,
        "CACHE_URL": BENCH_CACHE,
        "CELERY_QUEUE": BENCH_QUEUE,
        "CELERY_CONTROL_QUEUE": BENCH_CONTROL_QUEUE,
        "API_THROTTLE_RATE": "off",  # one load generator stands in for many clients
        # Pages are measured signed in with force_login: no authenticator code in the way (ordersite/accounts).
        "OTP_REQUIRED_FOR_STAFF": "0",
        "PYTHONPATH": str(ROOT),
    }


def _wait_until_serving(port: int, server: subprocess.Popen, timeout: float = 60) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/tmf-api/productCatalogManagement/v4/productOffering?limit=1",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped before serving; see its output above.")
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer within a minute.")


def _wrk(port: int, script: Path, seconds: int, connections: int, run_id: str) -> dict:
    output = subprocess.run(
        [
            "wrk",
            "--threads",
            "2",
            "--connections",
            str(connections),
            "--duration",
            f"{seconds}s",
            "--timeout",
            "10s",
            "--script",
            str(script),
            f"http://127.0.0.1:{port}",
            "--",
            run_id,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"WRK_RESULT (\{.*\})", output)
    if match is None:
        raise SystemExit(f"wrk printed no result:\n{output}")
    return json.loads(match.group(1))


def measure_api(
    database_url: str, bodies: list[dict], *, seconds: int, connections: int, workers: int, threads: int
) -> dict:
    from orders.models import ApiClient, Order

    client_id = ApiClient.objects.get(name="Demo partner").pk
    lua = WRK_SCRIPT.replace("BODIES", "{" + ", ".join(_lua_string(json.dumps(b)) for b in bodies) + "}")
    lua = lua.replace("TOKEN", TOKEN).replace("ORDER_PATH", ORDER_PATH)
    port = _free_port()
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "orders.lua"
        script.write_text(lua)
        floor_script = Path(folder) / "floor.lua"
        floor_script.write_text(FLOOR_SCRIPT.replace("TOKEN", TOKEN).replace("FLOOR_PATH", _floor_path()))
        server = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "ordersite.wsgi",
                "--workers",
                str(workers),
                "--worker-class",
                "gthread",
                "--threads",
                str(threads),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env={**os.environ, **bench_environment(database_url)},
            start_new_session=True,
        )
        try:
            _wait_until_serving(port, server)
            _wrk(port, script, 3, connections, f"warm-{secrets.token_hex(4)}")
            first = Order.objects.order_by("-pk").values_list("pk", flat=True).first()
            before = cpu_seconds(server.pid)
            result = _wrk(port, script, seconds, connections, f"run-{secrets.token_hex(4)}")
            after = cpu_seconds(server.pid)
            _wrk(port, floor_script, 3, connections, "warm-floor")
            floor_before = cpu_seconds(server.pid)
            floor = _wrk(port, floor_script, seconds, connections, "floor")
            floor_after = cpu_seconds(server.pid)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    _purge_queue()
    made = Order.objects.filter(pk__gt=first, created_by_client_id=client_id)
    created = made.count()
    not_issued = made.exclude(state="inProgress").count()
    elapsed = result["duration_us"] / 1e6
    return {
        "orders": created,
        "not_issued": not_issued,
        "requests": result["requests"],
        "non_2xx": result["non_2xx"],
        "socket_errors": result["socket_errors"],
        "seconds": round(elapsed, 2),
        "orders_per_second": round(result["requests"] / elapsed, 1),
        "latency_ms": {k: round(result[f"{k}_us"] / 1000, 1) for k in ("p50", "p95", "p99", "max")},
        "cpu_ms_per_order": _per_unit(before, after, result["requests"]),
        "floor": _floor_result(floor, floor_before, floor_after),
        "workers": workers,
        "threads": threads,
        "connections": connections,
    }


def _floor_path() -> str:
    return f"/tmf-api/productCatalogManagement/v4/productOffering/{MOBILE}"


def _floor_result(result: dict, before: dict, after: dict) -> dict:
    if result["non_2xx"] or result["socket_errors"]:
        raise SystemExit(f"The floor's GET failed: {result}")
    elapsed = result["duration_us"] / 1e6
    return {
        "requests_per_second": round(result["requests"] / elapsed, 1),
        "latency_ms": {k: round(result[f"{k}_us"] / 1000, 1) for k in ("p50", "p95", "p99", "max")},
        "cpu_ms_per_request": _per_unit(before, after, result["requests"]),
    }


def _lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def _purge_queue() -> None:
    import redis

    redis.Redis.from_url(BENCH_REDIS).delete(BENCH_QUEUE, BENCH_CONTROL_QUEUE)


def _per_unit(before: dict, after: dict, units: int) -> dict:
    return {k: round((after[k] - before[k]) * 1000 / max(units, 1), 3) for k in before}


# --- the pgbench run -----------------------------------------------------------------------------


def measure_pgbench(database_url: str, *, seconds: int, connections: int) -> dict:
    from django.db import connection

    from orders.models import ProductOffering

    offering = ProductOffering.objects.get(code="mobile-unlimited").pk
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "order.sql"
        script.write_text(PGBENCH_SCRIPT.replace("OFFERING", str(offering)))
        command = ["pgbench", "--no-vacuum", "--file", str(script), "--client", str(connections), "--jobs", "2"]
        subprocess.run([*command, "--time", "3", database_url], capture_output=True, check=True)  # warm-up
        before = cpu_seconds()
        output = subprocess.run(
            [*command, "--time", str(seconds), database_url], capture_output=True, text=True, check=True
        ).stdout
        after = cpu_seconds()
    tps = float(re.search(r"tps = ([\d.]+)", output).group(1))
    latency = float(re.search(r"latency average = ([\d.]+) ms", output).group(1))
    transactions = int(re.search(r"number of transactions actually processed: (\d+)", output).group(1))
    with connection.cursor() as cursor:  # the bare rows are not orders anyone placed
        for table in ("orders_orderitem", "orders_orderevent", "orders_outboxevent"):
            cursor.execute(
                f"DELETE FROM {table} WHERE order_id IN (SELECT id FROM orders_order WHERE description = 'pgbench')"
            )
        cursor.execute("DELETE FROM orders_order WHERE description = 'pgbench'")
    return {
        "transactions_per_second": round(tps, 1),
        "latency_ms_average": latency,
        "transactions": transactions,
        "cpu_ms_per_transaction": _per_unit(before, after, transactions),
        "clients": connections,
    }


def measure(database_url: str, *, seconds: int = 20, connections: int = 8, threads: int = 4) -> dict:
    workers = os.cpu_count() or 2
    bodies = order_bodies()
    statements = statements_per_order(same_order_growing(bodies))
    api = measure_api(database_url, bodies, seconds=seconds, connections=connections, workers=workers, threads=threads)
    pgbench = measure_pgbench(database_url, seconds=seconds, connections=connections)
    return {
        "api": api,
        "pgbench": pgbench,
        "statements_per_order": statements,
        "ratio": round(api["orders_per_second"] / pgbench["transactions_per_second"], 3),
        "floor_ratio": round(api["orders_per_second"] / api["floor"]["requests_per_second"], 3),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=20, help="seconds of load for each run (default 20)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent clients (wrk and pgbench)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    args = parser.parse_args(argv)
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to the PostgreSQL database the benchmark may write to.")
    for tool in ("wrk", "pgbench"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not installed (make bench installs it).")
    os.environ.update(bench_environment(database_url))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ordersite.settings")
    import django

    django.setup()
    results = measure(database_url, seconds=args.duration, connections=args.connections, threads=args.threads)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
