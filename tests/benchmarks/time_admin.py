"""Time the back office's pages against a big database, and show how PostgreSQL runs their queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ordersite_scale \\
        python -m tests.benchmarks.time_admin --runs 10 [--explain]

Signs in as the demo supervisor with Django's test client (in process, no network), requests each page
`--runs` times after one warm-up, and prints the median and the slowest time, the median time spent in
the database (as Django's query log measures it) and the number of queries.
With --explain, prints EXPLAIN (ANALYZE, BUFFERS) for each page's queries on the orders tables.
Fill the database first with tests.benchmarks.generate_orders.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the queries of each page")
    parser.add_argument("--only", help="time only the pages whose name contains this")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL to the database tests.benchmarks.generate_orders filled.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ordersite.settings")
    import django

    django.setup()

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from customers.models import User
    from orders.models import Order, OrderState, format_order_number

    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username="supervisor"))
    held = Order.objects.filter(state=OrderState.HELD, needs_special_handling=True).order_by("created_at").first()
    fallout = Order.objects.filter(state=OrderState.HELD, needs_special_handling=False).order_by("created_at").first()
    some = Order.objects.order_by("-pk").values_list("pk", flat=True)[500]
    customer = Order.objects.select_related("customer").get(pk=some).customer
    api = Order.objects.exclude(external_id="").order_by("-pk").values_list("external_id", flat=True).first()
    year = Order.objects.order_by("pk").values_list("created_at", flat=True).first().year

    pages = [
        ("order list", "/admin/orders/order/"),
        ("order list, page 50", "/admin/orders/order/?p=50"),
        ("order list, state = held", "/admin/orders/order/?state__exact=held"),
        ("order list, channel = dealer", "/admin/orders/order/?channel__exact=dealer"),
        ("order list, in jeopardy", "/admin/orders/order/?jeopardy=yes"),
        ("order list, expected overdue", "/admin/orders/order/?expected=overdue"),
        ("order list, created in a year", f"/admin/orders/order/?created_at__year={year}"),
        ("order list, in progress, due this week", "/admin/orders/order/?state__exact=inProgress&expected=week"),
        ("search: order number", f"/admin/orders/order/?q={format_order_number(some)}"),
        ("search: customer number", f"/admin/orders/order/?q={customer.number}"),
        ("search: external id", f"/admin/orders/order/?q={api}"),
        ("search: customer name", f"/admin/orders/order/?q={customer.name.split()[0]}"),
        ("special-handling review queue", "/admin/orders/specialhandlingreview/"),
        ("fallout queue", "/admin/orders/fallout/"),
        ("order page (review)", f"/admin/orders/specialhandlingreview/{held.pk}/change/"),
        ("order page (fallout)", f"/admin/orders/fallout/{fallout.pk}/change/"),
        ("customer page", f"/admin/customers/customer/{customer.pk}/change/"),
    ]
    print(f"{Order.objects.order_by('-pk').values_list('pk', flat=True).first():,} orders (highest key)")
    print(f"{'page':<38} {'p50 ms':>8} {'max ms':>8} {'db p50':>8} {'queries':>8}")
    for name, url in pages:
        if args.only and args.only not in name:
            continue
        assert client.get(url).status_code == 200, url  # warm-up
        times, db_times = [], []
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            db_times.append(sum(float(q["time"]) for q in queries) * 1000)
            assert response.status_code == 200, url
        print(
            f"{name:<38} {statistics.median(times):>8.1f} {max(times):>8.1f} "
            f"{statistics.median(db_times):>8.1f} {len(queries):>8}"
        )
        if args.explain:
            explain(connection, name, queries)


def explain(connection, name, queries) -> None:
    print(f"\n--- {name}")
    for query in queries:
        sql = query["sql"]
        if "orders_" not in sql or not sql.startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            plan = "\n".join(f"    {row[0]}" for row in cursor.fetchall())
        print(f"  {sql[:160]}{'…' if len(sql) > 160 else ''}\n{plan}\n")


if __name__ == "__main__":
    main()
