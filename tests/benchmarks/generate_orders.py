"""Fill a throwaway database with many orders, fast, for measuring the back office and the API.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ordersite_scale \\
        python -m tests.benchmarks.generate_orders --orders 1000000

Migrates the database, seeds the demo (catalog, users, a few real orders), then bulk-inserts customers,
orders in every state (created over the last three years, newest last), one to three items each,
the history row that put held orders on hold, a failed fulfilment task for orders in fallout and some
feasibility assessments. Rows are written with bulk_create in batches, not through the services: the
point is volume, not behaviour. Refuses to run without an explicit DATABASE_URL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from decimal import Decimal


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=200_000, help="how many orders to add (default 200,000)")
    parser.add_argument("--customers", type=int, help="how many customers to add (default: orders / 5)")
    parser.add_argument("--batch", type=int, default=10_000, help="rows per INSERT batch")
    parser.add_argument("--seed", type=int, default=1, help="random seed, for repeatable data")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL to a throwaway database: this fills it with generated orders.")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ordersite.settings")
    import django

    django.setup()
    Generator(args.orders, args.customers or max(args.orders // 5, 1), args.batch, args.seed).run()


class Generator:
    def __init__(self, orders: int, customers: int, batch: int, seed: int):
        self.orders, self.customers, self.batch = orders, customers, batch
        self.random = random.Random(seed)
        self.now = None

    def run(self) -> None:
        from django.core.management import call_command
        from django.db import connection
        from django.utils import timezone

        started = time.monotonic()
        self.now = timezone.now()
        print(f"Database: {connection.settings_dict['NAME']} ({connection.vendor})")
        call_command("migrate", verbosity=0)
        self._seed_demo()
        customer_ids = self._customers()
        self._orders(customer_ids)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")  # as autovacuum leaves a table in steady state
        print(f"Done in {time.monotonic() - started:.0f} s.")

    # --- reference data ---

    def _seed_demo(self) -> None:
        from orders.demo import seed_demo
        from orders.models import ProductOffering

        seed_demo()  # users (agent / supervisor), the catalog, a few orders made through the services
        self.offerings = list(ProductOffering.objects.all())
        from customers.models import User

        self.agent = User.objects.get(username="agent")
        self.supervisor = User.objects.get(username="supervisor")

    def _customers(self) -> list[int]:
        from django.db import connection

        from customers.models import CreditClass, Customer, CustomerKind

        print(f"Customers: {self.customers:,}")
        trades = ["Logistics", "Dental", "Bakery", "Legal"]
        first_names = ["Ada", "Ben", "Chloe", "Dev", "Ella", "Finn", "Grace", "Hugo", "Isla", "Jack", "Kira", "Leo"]
        last_names = ["Morgan", "Hughes", "Patel", "Chen", "Okafor", "Smith", "Jones", "Novak", "Silva", "Khan"]
        ids: list[int] = []
        for start in range(0, self.customers, self.batch):
            rows = []
            for n in range(start, min(start + self.batch, self.customers)):
                business = n % 9 == 0
                name = (
                    f"{self.random.choice(last_names)} {self.random.choice(trades)} {n}"
                    if business
                    else f"{self.random.choice(first_names)} {self.random.choice(last_names)} {n}"
                )
                rows.append(
                    Customer(
                        kind=CustomerKind.ORGANISATION if business else CustomerKind.INDIVIDUAL,
                        name=name,
                        email=f"bench{n}@example.com",
                        phone=f"+44 7700 {n:07d}",
                        credit_class=self.random.choice([CreditClass.A, CreditClass.B, CreditClass.C]),
                    )
                )
            ids.extend(c.pk for c in Customer.objects.bulk_create(rows, batch_size=self.batch))
        table = connection.ops.quote_name(Customer._meta.db_table)
        padded = "lpad(id::text, 6, '0')" if connection.vendor == "postgresql" else "printf('%06d', id)"
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET number = 'CUS-' || {padded} WHERE number IS NULL")
        return ids

    # --- orders ---

    STATES = [  # (order state, needs special handling, weight)
        ("completed", False, 640),
        ("inProgress", False, 140),
        ("cancelled", False, 50),
        ("rejected", False, 30),
        ("draft", False, 30),
        ("pending", False, 25),
        ("pending", True, 10),
        ("held", True, 25),
        ("held", False, 15),
        ("partial", False, 20),
        ("failed", False, 10),
        ("acknowledged", False, 5),
    ]
    CHANNELS = [("call_centre", 40), ("self_service", 25), ("retail", 15), ("api", 10), ("dealer", 6), ("affiliate", 4)]
    ITEM_STATE = {"partial": "completed", "acknowledged": "acknowledged"}

    def _orders(self, customer_ids: list[int]) -> None:
        from django.db import transaction

        from orders.models import Order, OrderEvent

        stamped = [Order._meta.get_field("created_at"), OrderEvent._meta.get_field("created_at")]
        for field in stamped:
            field.auto_now_add = False  # keep the generated dates; restored below
        try:
            span = dt.timedelta(days=3 * 365).total_seconds()
            states = [s[:2] for s in self.STATES]
            weights = [s[2] for s in self.STATES]
            channels, channel_weights = zip(*self.CHANNELS, strict=True)
            print(f"Orders: {self.orders:,} in batches of {self.batch:,}")
            for start in range(0, self.orders, self.batch):
                size = min(self.batch, self.orders - start)
                with transaction.atomic():
                    self._order_batch(start, size, span, customer_ids, states, weights, channels, channel_weights)
                done = start + size
                if done % (self.batch * 10) == 0 or done == self.orders:
                    print(f"  {done:,}", flush=True)
        finally:
            for field in stamped:
                field.auto_now_add = True

    def _order_batch(self, start, size, span, customer_ids, states, weights, channels, channel_weights) -> None:
        from customers.models import Channel
        from orders.fulfilment.models import FulfilmentTask, TaskState
        from orders.models import (
            TERMINAL_STATES,
            FeasibilityAssessment,
            ItemAction,
            ItemIntent,
            Order,
            OrderCategory,
            OrderEvent,
            OrderItem,
        )

        rnd = self.random
        today = self.now.date()
        orders = []
        for n in range(start, start + size):
            # Oldest first, so the primary key grows with the creation date, as in production.
            created = self.now - dt.timedelta(seconds=span * (1 - (n + rnd.random()) / self.orders))
            state, special = rnd.choices(states, weights)[0]
            channel = rnd.choices(channels, channel_weights)[0]
            terminal = state in TERMINAL_STATES
            expected = None
            if state not in ("draft", "acknowledged", "rejected"):
                expected = (created + dt.timedelta(days=rnd.randint(5, 30))).date()
                if not terminal and rnd.random() < 0.3:  # some open orders late or due soon
                    expected = today + dt.timedelta(days=rnd.randint(-10, 3))
            orders.append(
                Order(
                    customer_id=rnd.choice(customer_ids),
                    channel=channel,
                    category=OrderCategory.BUSINESS if rnd.random() < 0.15 else OrderCategory.CONSUMER,
                    priority=rnd.choice([0, 1, 2, 2, 2, 2, 3]),
                    external_id=f"EXT-{n:08d}" if channel == Channel.API else "",
                    state=state,
                    needs_special_handling=special,
                    special_handling_reasons=(
                        ["Bespoke item 1: Managed SD-WAN", "No positive feasibility assessment on record."]
                        if special
                        else []
                    ),
                    expected_completion_date=expected,
                    captured_by_id=self.agent.pk,
                    created_at=created,
                    submitted_at=None if state == "draft" else created,
                    issued_at=created if state not in ("draft", "acknowledged", "rejected", "held") else None,
                    completed_at=created + dt.timedelta(days=rnd.randint(3, 20)) if terminal else None,
                    state_entered_at=created,
                )
            )
        Order.objects.bulk_create(orders, batch_size=self.batch)

        items, events, tasks, assessments = [], [], [], []
        for order in orders:
            item_state = self.ITEM_STATE.get(order.state, order.state)
            for index in range(rnd.choice([1, 1, 1, 2, 2, 3])):
                offering = rnd.choice(self.offerings)
                items.append(
                    OrderItem(
                        order_id=order.pk,
                        item_id=str(index + 1),
                        action=ItemAction.ADD,
                        intent=ItemIntent.PROVIDE,
                        offering_id=offering.pk,
                        quantity=1,
                        state=item_state,
                        is_bespoke=offering.is_bespoke,
                        one_off_price=offering.one_off_price,
                        recurring_price=offering.recurring_price or Decimal("0"),
                    )
                )
            if order.state == "held":
                note = (
                    "Marked for special handling."
                    if order.needs_special_handling
                    else "Fallout: Ship equipment failed for item 1: Courier returned the parcel"
                )
                source = "acknowledged" if order.needs_special_handling else "inProgress"
                events.append(
                    OrderEvent(
                        order_id=order.pk,
                        transition="hold_for_special_handling" if order.needs_special_handling else "hold",
                        from_state=source,
                        to_state="held",
                        actor_id=self.agent.pk if order.needs_special_handling else None,
                        note=note,
                        created_at=order.created_at + dt.timedelta(hours=rnd.randint(1, 72)),
                    )
                )
                if order.needs_special_handling and rnd.random() < 0.3:
                    assessments.append(
                        FeasibilityAssessment(
                            order_id=order.pk,
                            result=rnd.choice(["feasible", "feasible_with_conditions", "not_feasible"]),
                            notes="Site survey done.",
                            assessed_by_id=self.supervisor.pk,
                        )
                    )
        OrderItem.objects.bulk_create(items, batch_size=self.batch)
        OrderEvent.objects.bulk_create(events, batch_size=self.batch)
        FeasibilityAssessment.objects.bulk_create(assessments, batch_size=self.batch)
        first_items = {}
        for item in items:
            first_items.setdefault(item.order_id, item)
        for order in orders:
            if order.state == "held" and not order.needs_special_handling:
                tasks.append(
                    FulfilmentTask(
                        order_id=order.pk,
                        item_id=first_items[order.pk].pk,
                        code="ship",
                        name="Ship equipment",
                        system="logistics",
                        state=TaskState.FAILED,
                        attempts=1,
                        failure_reason="Courier returned the parcel: address not found",
                    )
                )
        FulfilmentTask.objects.bulk_create(tasks, batch_size=self.batch)


if __name__ == "__main__":
    main()
