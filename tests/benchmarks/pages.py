"""Latency and queries of the pages people wait on, at scale: p50/p95, queries, and how PostgreSQL runs them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ordersite_scale \\
        python -m tests.benchmarks.pages [--runs 30] [--only admin] [--explain] [--more-admin]

In process, through the whole middleware stack (django.test.Client), signed in as each page's user:
the agent's order list and an order page (agent), the admin order list, the special-handling
review queue and the back office's order pages (tracking, review, fallout; supervisor), the
customer's order list (bench-customer, ~200 orders), and the TMF622 order list (the demo API
client's bearer token). Each page is requested once to warm up, then `runs`
times. Every SELECT on orders_order of the last run is EXPLAINed once: a page is flagged when a plan
reads orders_order with a sequential scan, or counts it whole (no condition, no limit). With
--more-admin, also the back office's filters, searches, the fallout queue and a customer page.
Fill the database first with tests.benchmarks.generate_orders.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass

API_LIST = "/tmf-api/productOrderingManagement/v4/productOrder"
API_TOKEN = "demo-api-token"  # orders.demo.DEMO_API_TOKEN
ORDERS_TABLE = "orders_order"


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    username: str | None = None  # signed in as this user; None for the API (bearer token)


def pages_to_measure() -> list[Page]:
    """The pages, with an order page for an order that shows everything (fallout: tasks, events, outbox).

    The back office's order pages (as tracking, in the special-handling queue, in the fallout queue) are
    measured beside its lists, with the same target.
    """
    from orders.models import Order, OrderState

    latest = Order.objects.order_by("-created_at").values_list("pk", flat=True)
    held = latest.filter(state=OrderState.HELD)
    fallout = held.filter(needs_special_handling=False).first() or latest.first()
    review = held.filter(needs_special_handling=True).first() or latest.first()
    shown = fallout
    return [
        Page("agent order list", "/agent/orders/", "agent"),
        Page("agent order page", f"/agent/orders/{Order(pk=shown).number}/", "agent"),
        Page("admin order list", "/admin/orders/order/", "supervisor"),
        Page("special-handling queue", "/admin/orders/specialhandlingreview/", "supervisor"),
        Page("admin order page", f"/admin/orders/order/{shown}/change/", "supervisor"),
        Page("special-handling page", f"/admin/orders/specialhandlingreview/{review}/change/", "supervisor"),
        Page("fallout page", f"/admin/orders/fallout/{fallout}/change/", "supervisor"),
        Page("customer order list", "/my/orders/", "bench-customer"),
        Page("API order list", API_LIST),
    ]


def admin_variants() -> list[Page]:
    """The back office's lists filtered and searched every way it offers, and its order pages (supervisor)."""
    from orders.models import Order

    some = Order.objects.select_related("customer").order_by("-pk")[500]
    api = Order.objects.exclude(external_id="").order_by("-pk").values_list("external_id", flat=True).first()
    year = Order.objects.order_by("pk").values_list("created_at", flat=True).first().year
    listing = "/admin/orders/order/"
    pages = [
        ("admin: page 50", "?p=50"),
        ("admin: state = held", "?state__exact=held"),
        ("admin: channel = dealer", "?channel__exact=dealer"),
        ("admin: in jeopardy", "?jeopardy=yes"),
        ("admin: expected overdue", "?expected=overdue"),
        ("admin: created in a year", f"?created_at__year={year}"),
        ("admin: in progress, due this week", "?state__exact=inProgress&expected=week"),
        ("admin: search order number", f"?q={some.number}"),
        ("admin: search customer number", f"?q={some.customer.number}"),
        ("admin: search external id", f"?q={api}"),
        ("admin: search customer name", f"?q={some.customer.name.split()[0]}"),
    ]
    return [Page(name, listing + query, "supervisor") for name, query in pages] + [
        Page("admin: fallout queue", "/admin/orders/fallout/", "supervisor"),
        Page("admin: customer page", f"/admin/customers/customer/{some.customer_id}/change/", "supervisor"),
    ]


def measure_pages(runs: int = 30, *, only: str = "", explain: bool = False, more_admin: bool = False) -> list[dict]:
    """Time each page `runs` times after a warm-up; one dict per page (times in milliseconds).

    Call after django.setup(), against a database tests.benchmarks.generate_orders filled.
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from customers.models import User

    results = []
    for page in pages_to_measure() + (admin_variants() if more_admin else []):
        if only and only not in page.name:
            continue
        client = Client(HTTP_HOST="localhost")
        headers = {}
        if page.username:
            client.force_login(User.objects.get(username=page.username))
        else:
            headers["Authorization"] = f"Bearer {API_TOKEN}"
        _get(client, page.url, headers)  # warm-up: templates compiled, caches filled, connection open
        times, db_times = [], []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                _get(client, page.url, headers)
                times.append((time.perf_counter() - started) * 1000)
            db_times.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
        plans = plans_of(connection, captured.captured_queries)
        results.append(
            {
                "name": page.name,
                "url": page.url,
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(percentile(times, 95), 1),
                "max_ms": round(max(times), 1),
                "db_p50_ms": round(statistics.median(db_times), 1),
                "queries": len(captured.captured_queries),
                "seq_scan_orders": any(plan.seq_scan for plan in plans),
                "full_count": any(plan.full_count for plan in plans),
                **({"plans": [plan.as_dict() for plan in plans]} if explain else {}),
            }
        )
    return results


def _get(client, url: str, headers: dict):
    response = client.get(url, headers=headers)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}, not 200")
    return response


def percentile(values: list[float], percent: float) -> float:
    """The value below which `percent` of the values fall (linear interpolation, as numpy's default)."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(percent) - 1]


# --- how PostgreSQL runs the queries on the orders table -------------------------------------------


@dataclass
class Plan:
    sql: str
    plan: dict

    @property
    def scans(self) -> list[tuple[dict, bool]]:
        """Every node reading orders_order, and whether a LIMIT sits above it."""
        found = []

        def walk(node: dict, limited: bool) -> None:
            limited = limited or node.get("Node Type") == "Limit"
            if node.get("Relation Name") == ORDERS_TABLE:
                found.append((node, limited))
            for child in node.get("Plans", []):
                walk(child, limited)

        walk(self.plan, False)
        return found

    @property
    def seq_scan(self) -> bool:
        return any(node["Node Type"] == "Seq Scan" for node, _ in self.scans)

    @property
    def full_count(self) -> bool:
        """A count(*) reading every order: a scan of orders_order with no condition and no limit above it."""
        if "count(" not in self.sql.lower():
            return False
        conditions = ("Filter", "Index Cond", "Recheck Cond")
        return any(not limited and not any(c in node for c in conditions) for node, limited in self.scans)

    def as_dict(self) -> dict:
        return {"sql": self.sql, "seq_scan": self.seq_scan, "full_count": self.full_count, "plan": self.plan}


def plans_of(connection, queries: list[dict]) -> list[Plan]:
    """EXPLAIN (without running) every SELECT that reads orders_order."""
    plans = []
    with connection.cursor() as cursor:
        for query in queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT") or f'"{ORDERS_TABLE}"' not in sql:
                continue
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            (document,) = cursor.fetchone()
            document = json.loads(document) if isinstance(document, str) else document
            plans.append(Plan(sql, document[0]["Plan"]))
    return plans


def explain_analyze(connection, sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


# --- the command line --------------------------------------------------------------------------------

COLUMNS = [
    ("page", "name", 36, "s"),
    ("p50 ms", "p50_ms", 8, ".1f"),
    ("p95 ms", "p95_ms", 8, ".1f"),
    ("max ms", "max_ms", 8, ".1f"),
    ("db p50", "db_p50_ms", 8, ".1f"),
    ("queries", "queries", 8, "d"),
    ("seq scan", "seq_scan_orders", 9, ""),
    ("full count", "full_count", 11, ""),
]


def table(results: list[dict]) -> str:
    def cell(value, width: int, spec: str) -> str:
        if isinstance(value, bool):
            return f"{'YES' if value else 'no':>{width}}"
        return f"{value:<{width}{spec}}" if spec == "s" else f"{value:>{width}{spec}}"

    lines = [" ".join(f"{title:<{w}}" if spec == "s" else f"{title:>{w}}" for title, _, w, spec in COLUMNS)]
    lines += [" ".join(cell(result[key], w, spec) for _, key, w, spec in COLUMNS) for result in results]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30, help="requests per page after the warm-up (default 30)")
    parser.add_argument("--only", default="", help="measure only the pages whose name contains this")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE each page's queries on orders")
    parser.add_argument("--more-admin", action="store_true", help="also the back office's filters, searches, pages")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL to the database tests.benchmarks.generate_orders filled.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ordersite.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from orders.models import Order

    results = measure_pages(args.runs, only=args.only, explain=args.explain, more_admin=args.more_admin)
    if args.json:
        print(json.dumps(results, indent=2, default=str))
        return
    highest = Order.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    print(f"{highest:,} orders (highest key), {args.runs} runs per page, DEBUG={settings.DEBUG}")
    print(table(results))
    if args.explain:
        for result in results:
            for plan in result["plans"]:
                print(f"\n--- {result['name']}: {plan['sql'][:200]}")
                print(explain_analyze(connection, plan["sql"]))


if __name__ == "__main__":
    main()
