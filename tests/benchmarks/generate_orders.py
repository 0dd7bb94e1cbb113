"""Fill a throwaway PostgreSQL database with a realistic order book, fast, for measuring pages and the API.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ordersite_scale \\
        python -m tests.benchmarks.generate_orders --orders 1000000

Migrates the database and seeds the demo (catalog, staff, demo customers, API client `demo-api-token`),
then loads, with set-based SQL (INSERT ... SELECT over generate_series, random() seeded by setseed):
customers (one per five orders, most with a validated installation address, each with a primary contact);
orders in every state, created over the last three years with the key growing with the creation date
(only those of the last 45 days still open),
one to three items each; the history of every order (the transitions that took it to its state) and
the TMF622 outbox events they published; fulfilment tasks for orders in fallout; feasibility assessments
for some orders held for special handling; open questions for orders waiting on the customer; the API
submissions of orders the demo API client sent. A business customer with about 200 orders gets the
login `bench-customer` (password demo-pass), for measuring the self-service order list.

The load runs in one transaction with the big tables' secondary indexes and constraints dropped and
rebuilt at the end (bulk index builds are several times faster than row-by-row maintenance), then
VACUUM ANALYZE leaves the tables as autovacuum would in steady state. Rows are written in SQL, not
through the services: the point is volume and a realistic shape, not behaviour.
Expects a freshly created database; refuses to run without an explicit DATABASE_URL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from contextlib import contextmanager

BENCH_CUSTOMER_USERNAME = "bench-customer"
BENCH_CUSTOMER_ORDERS = 200
ORDERS_PER_CUSTOMER = 5
HISTORY = dt.timedelta(days=3 * 365)
# Orders live for weeks: only those placed in this recent window can still be open (or drafts). Older
# ones ended long ago, so open orders number a few per cent, as in a real order book, rather than
# a fifth of three years' worth with due dates long past.
OPEN_WINDOW = dt.timedelta(days=45)

# (order state, held for special handling, weight per thousand orders in the open window).
# Terminal states first: an older order draws its state among them alone, in the same proportions.
STATES = [
    ("completed", False, 640),
    ("cancelled", False, 50),
    ("rejected", False, 30),
    ("partial", False, 20),
    ("failed", False, 10),
    ("inProgress", False, 140),
    ("draft", False, 30),
    ("pending", False, 25),
    ("pending", True, 10),
    ("held", True, 25),
    ("held", False, 15),
    ("acknowledged", False, 5),
]
CHANNELS = [("call_centre", 40), ("self_service", 25), ("retail", 15), ("api", 10), ("dealer", 6), ("affiliate", 4)]
TERMINAL = ("completed", "cancelled", "rejected", "partial", "failed")
IN_FLIGHT = ("inProgress", "held", "pending", "assessingCancellation", "pendingCancellation")
# Order items have no partial state: the delivered items of a partially completed order are completed.
ITEM_STATE = {"partial": "completed"}

FALLOUT_NOTE = "Fallout: Ship equipment failed for item 1: Courier returned the parcel: address not found"
# Transition, source, target, who makes it (the order's captor, a supervisor, or fulfilment: nobody), note;
# the names and notes orders.services records.
ACKNOWLEDGE = ("acknowledge", "draft", "acknowledged", "captor", "Complete and valid.")
ISSUE = ("issue", "acknowledged", "inProgress", "captor", "Standard order: issued at once.")
HOLD_FOR_REVIEW = ("hold_for_special_handling", "acknowledged", "held", "captor", "Marked for special handling.")
PATHS: dict[tuple[str, bool], list[tuple[str, str, str, str, str]]] = {
    ("draft", False): [],
    ("acknowledged", False): [ACKNOWLEDGE],
    ("rejected", False): [
        (
            "reject",
            "draft",
            "rejected",
            "captor",
            "items[0].install_address: Fibre Broadband 150 is not available at the install address",
        )
    ],
    ("inProgress", False): [ACKNOWLEDGE, ISSUE],
    ("completed", False): [
        ACKNOWLEDGE,
        ISSUE,
        ("complete", "inProgress", "completed", "system", "Every item delivered; the customer record is updated."),
    ],
    ("partial", False): [
        ACKNOWLEDGE,
        ISSUE,
        ("complete_partially", "inProgress", "partial", "system", "Some items delivered; the others failed."),
    ],
    ("failed", False): [
        ACKNOWLEDGE,
        ISSUE,
        ("fail", "inProgress", "failed", "system", "No item could be delivered."),
    ],
    ("cancelled", False): [
        ACKNOWLEDGE,
        ISSUE,
        (
            "assess_cancellation",
            "inProgress",
            "assessingCancellation",
            "captor",
            "Cancellation requested: no longer needed.",
        ),
        (
            "accept_cancellation",
            "assessingCancellation",
            "pendingCancellation",
            "captor",
            "No item has passed its point of no return.",
        ),
        ("cancel", "pendingCancellation", "cancelled", "captor", "Outstanding work stopped."),
    ],
    ("pending", False): [
        ACKNOWLEDGE,
        ISSUE,
        (
            "await_customer",
            "inProgress",
            "pending",
            "supervisor",
            "Information requested: Please confirm access to the site.",
        ),
    ],
    ("pending", True): [
        ACKNOWLEDGE,
        HOLD_FOR_REVIEW,
        (
            "await_customer",
            "held",
            "pending",
            "supervisor",
            "Information requested: Please confirm access to the site.",
        ),
    ],
    ("held", True): [ACKNOWLEDGE, HOLD_FOR_REVIEW],
    ("held", False): [ACKNOWLEDGE, ISSUE, ("hold", "inProgress", "held", "system", FALLOUT_NOTE)],
}
SPECIAL_HANDLING_REASONS = ["Bespoke item 1: Managed SD-WAN", "No positive feasibility assessment on record."]
INFORMATION_QUESTION = "Please confirm access to the site."

FIRST_NAMES = ["Ada", "Ben", "Chloe", "Dev", "Ella", "Finn", "Grace", "Hugo", "Isla", "Jack", "Kira", "Leo"]
LAST_NAMES = ["Morgan", "Hughes", "Patel", "Chen", "Okafor", "Smith", "Jones", "Novak", "Silva", "Khan"]
TRADES = ["Logistics", "Dental", "Bakery", "Legal", "Joinery", "Surveyors"]
BUSINESS_EVERY = 9  # one customer in nine is an organisation
WITHOUT_ADDRESS_EVERY = 5  # one customer in five has no address on record

# Loaded with their secondary indexes and constraints dropped, rebuilt after the load.
BULK_TABLES = [
    "customers_customer",
    "customers_address",
    "customers_contact",
    "orders_order",
    "orders_orderitem",
    "orders_orderevent",
    "orders_outboxevent",
]


def generate(orders: int, *, seed: int = 1) -> dict:
    """Migrate, seed the demo and load `orders` generated orders; returns row counts and seconds per phase.

    Call after django.setup(), against an empty PostgreSQL database (DATABASE_URL).
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        raise RuntimeError("The generator writes PostgreSQL SQL; point DATABASE_URL at a PostgreSQL database.")
    return Generator(orders, seed=seed).run()


class Generator:
    def __init__(self, orders: int, *, seed: int = 1):
        from django.utils import timezone

        if orders < 1:
            raise ValueError("Generate at least one order.")
        self.orders = orders
        self.customers = max(orders // ORDERS_PER_CUSTOMER, 1)
        self.seed = seed
        self.now = timezone.now()
        self.seconds: dict[str, float] = {}

    @contextmanager
    def phase(self, name: str):
        started = time.monotonic()
        yield
        self.seconds[name] = round(time.monotonic() - started, 1)
        print(f"  {name:<22} {self.seconds[name]:>6.1f} s", flush=True)

    def run(self) -> dict:
        from django.core.management import call_command
        from django.db import connection, transaction

        started = time.monotonic()
        print(f"Generating {self.orders:,} orders into {connection.settings_dict['NAME']}", flush=True)
        with self.phase("migrate and demo"):
            call_command("migrate", verbosity=0)
            self._seed_demo()
        with transaction.atomic(), connection.cursor() as cursor:
            self.cursor = cursor
            # The load is one transaction on a throwaway database: no need to wait for each WAL flush,
            # and index builds get the memory to sort in one pass.
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cursor.execute("SET LOCAL work_mem = '128MB'")
            cursor.execute("SELECT setseed(%s)", [(self.seed % 1000) / 1000])
            self._read_bases()
            with self._secondary_indexes_dropped():
                with self.phase("customers"):
                    self._customers()
                with self.phase("order plan"):
                    self._reference_tables()
                    self._plan()
                with self.phase("orders"):
                    self._orders()
                with self.phase("items"):
                    self._items()
                with self.phase("history"):
                    self._history()
                with self.phase("outbox"):
                    self._outbox()
                with self.phase("fulfilment and review"):
                    self._fulfilment_and_review()
                self._restart_sequences()
            self._bench_customer_login()
        with self.phase("vacuum analyze"), connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # as autovacuum leaves tables in steady state
        counts = self._counts()
        total = round(time.monotonic() - started, 1)
        print(f"Done in {total:.0f} s: " + ", ".join(f"{n:,} {name}" for name, n in counts.items()), flush=True)
        return {"orders": self.orders, "seed": self.seed, "rows": counts, "seconds": total, "phases": self.seconds}

    # --- reference data ------------------------------------------------------------------------

    def _seed_demo(self) -> None:
        from customers.models import User
        from orders.demo import seed_demo
        from orders.models import ApiClient

        seed_demo()  # the catalog, staff and demo customers, a few orders made through the services
        self.agent_id = User.objects.get(username="agent").pk
        self.supervisor_id = User.objects.get(username="supervisor").pk
        client = ApiClient.objects.get(name="Demo partner")
        self.api_client_id, self.api_user_id = client.pk, client.user_id

    def _read_bases(self) -> None:
        """Generated rows get keys after the demo's, computed in SQL so related rows need no lookups."""
        self.base = {}
        for table in ("customers_customer", "customers_address", "orders_order"):
            self.cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
            self.base[table] = self.cursor.fetchone()[0]
        # Generated customers are numbered from 1 and every BUSINESS_EVERY-th is an organisation.
        self.bench_customer_id = self.base["customers_customer"] + min(BUSINESS_EVERY, self.customers)

    @contextmanager
    def _secondary_indexes_dropped(self):
        """Drop the bulk tables' secondary indexes, unique and foreign-key constraints; recreate them after."""
        cursor = self.cursor
        cursor.execute(
            """
            SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
            FROM pg_constraint
            WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('f', 'u')
            ORDER BY contype DESC  -- unique before foreign keys when recreating
            """,
            [BULK_TABLES],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            """,
            [BULK_TABLES],
        )
        indexes = cursor.fetchall()
        for table, name, _definition in reversed(constraints):  # foreign keys first
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
        yield
        with self.phase("indexes and constraints"):
            for _name, definition in indexes:
                cursor.execute(definition)
            for table, name, definition in constraints:
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')

    def _insert(self, model, values: dict[str, str], source: str, params: dict | None = None) -> None:
        """INSERT INTO model's table SELECT values FROM source; other columns get the model's defaults.

        The defaults come from the model, so a field added later with a default needs no change here.
        """
        from django.db import connection

        params = dict(params or {})
        columns = dict(values)
        for field in model._meta.concrete_fields:
            if field.column in columns or field.primary_key or field.null:
                continue
            default = field.get_default()  # the model's default, or "" for text fields
            if default is None:
                raise RuntimeError(f"{model.__name__}.{field.name} has no default: give it a value in the generator.")
            key = f"default_{field.column}"
            params[key] = field.get_db_prep_save(default, connection)
            columns[field.column] = f"%({key})s"
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        expressions = ",\n       ".join(columns.values())
        table = connection.ops.quote_name(model._meta.db_table)
        self.cursor.execute(f"INSERT INTO {table} ({names})\nSELECT {expressions}\nFROM {source}", params)

    def _common(self) -> dict:
        return {
            "now": self.now,
            "today": self.now.date(),
            "orders": self.orders,
            "customers": self.customers,
            "customer_base": self.base["customers_customer"],
            "address_base": self.base["customers_address"],
            "order_base": self.base["orders_order"],
            "agent": self.agent_id,
            "supervisor": self.supervisor_id,
            "api_client": self.api_client_id,
            "api_user": self.api_user_id,
        }

    # --- customers -----------------------------------------------------------------------------

    def _customers(self) -> None:
        from customers.models import Address, Contact, Customer

        params = self._common() | {
            "first_names": FIRST_NAMES,
            "last_names": LAST_NAMES,
            "trades": TRADES,
            "business_every": BUSINESS_EVERY,
            "without_address_every": WITHOUT_ADDRESS_EVERY,
            "history_seconds": HISTORY.total_seconds(),
        }
        self.cursor.execute(
            """
            CREATE TEMP TABLE bench_customer ON COMMIT DROP AS
            SELECT n, %(customer_base)s + n AS id, mod(n, %(business_every)s) = 0 AS business,
                   (%(first_names)s::text[])[1 + floor(random() * cardinality(%(first_names)s::text[]))::int]
                       AS first_name,
                   (%(last_names)s::text[])[1 + floor(random() * cardinality(%(last_names)s::text[]))::int]
                       AS last_name,
                   (%(trades)s::text[])[1 + floor(random() * cardinality(%(trades)s::text[]))::int] AS trade,
                   random() AS r_credit, random() AS r_when, random() AS r_street, random() AS r_number
            FROM generate_series(1, %(customers)s) AS n
            """,
            params,
        )
        self._insert(
            Customer,
            {
                "id": "c.id",
                "number": "'CUS-' || lpad(c.id::text, 6, '0')",
                "kind": "CASE WHEN c.business THEN 'organisation' ELSE 'individual' END",
                "name": """CASE WHEN c.business THEN c.last_name || ' ' || c.trade || ' ' || c.n
                    ELSE c.first_name || ' ' || c.last_name || ' ' || c.n END""",
                "email": "'bench' || c.n || '@example.com'",
                "phone": "'+44 7700 ' || lpad(c.n::text, 7, '0')",
                "credit_class": "(ARRAY['A', 'B', 'B', 'C'])[1 + floor(c.r_credit * 4)::int]",
                "credit_checked_at": "%(now)s::timestamptz - make_interval(secs => c.r_when * 86400 * 365)",
                # Customers signed up before the oldest generated order.
                "created_at": "%(now)s::timestamptz - make_interval(secs => %(history_seconds)s * (1 + c.r_when / 9))",
                "updated_at": "%(now)s::timestamptz - make_interval(secs => c.r_when * 86400 * 365)",
            },
            "bench_customer c",
            params,
        )
        # An installation address on a street of the reference data, validated, for most customers.
        self._insert(
            Address,
            {
                "id": "%(address_base)s + c.n",
                "customer_id": "c.id",
                "purpose": "'installation'",
                "street": "s.name",
                "house_number": "(s.first_number + floor(c.r_number * (s.last_number - s.first_number + 1)))::text",
                "unit": "''",
                "postcode": "s.postcode",
                "town": "d.town",
                "country": "'GB'",
                "reference_street_id": "s.id",
                "validated_at": "%(now)s::timestamptz - make_interval(secs => c.r_when * 86400 * 365)",
            },
            """bench_customer c
            JOIN (SELECT s.*, row_number() OVER (ORDER BY s.id) - 1 AS position, count(*) OVER () AS streets
                  FROM customers_street s) s ON s.position = floor(c.r_street * s.streets)
            JOIN customers_district d ON d.id = s.district_id
            WHERE mod(c.n, %(without_address_every)s) <> 0""",
            params,
        )
        self._insert(
            Contact,
            {
                "customer_id": "c.id",
                "name": "cu.name || CASE WHEN c.business THEN ' office' ELSE '' END",
                "role": "'primary'",
                "email": "cu.email",
                "phone": "cu.phone",
                "is_primary": "true",
            },
            "bench_customer c JOIN customers_customer cu ON cu.id = c.id",
            params,
        )

    # --- orders --------------------------------------------------------------------------------

    def _reference_tables(self) -> None:
        """Small temporary tables the plan joins: weighted states with their paths, channels, offerings."""
        cursor = self.cursor
        cursor.execute(
            """
            CREATE TEMP TABLE bench_path (
                state text, special boolean, low float8, high float8, steps int, issue_step int
            ) ON COMMIT DROP
            """
        )
        cursor.execute(
            """
            CREATE TEMP TABLE bench_step (
                state text, special boolean, position int, transition text, from_state text, to_state text,
                actor text, note text
            ) ON COMMIT DROP
            """
        )
        total = sum(weight for *_, weight in STATES)
        low = 0.0
        for state, special, weight in STATES:
            path = PATHS[(state, special)]
            issue = next((i for i, step in enumerate(path, start=1) if step[0] == "issue"), None)
            high = 1.0 if (state, special) == STATES[-1][:2] else low + weight / total
            cursor.execute(
                "INSERT INTO bench_path VALUES (%s, %s, %s, %s, %s, %s)", [state, special, low, high, len(path), issue]
            )
            for position, (transition, source, target, actor, note) in enumerate(path, start=1):
                cursor.execute(
                    "INSERT INTO bench_step VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                    [state, special, position, transition, source, target, actor, note],
                )
            low = high
        cursor.execute("CREATE TEMP TABLE bench_channel (channel text, low float8, high float8) ON COMMIT DROP")
        total = sum(weight for _, weight in CHANNELS)
        low = 0.0
        for index, (channel, weight) in enumerate(CHANNELS):
            high = 1.0 if index == len(CHANNELS) - 1 else low + weight / total
            cursor.execute("INSERT INTO bench_channel VALUES (%s, %s, %s)", [channel, low, high])
            low = high
        # Offerings numbered from 0 for a uniform pick, with the characteristics a demo order gave them.
        cursor.execute(
            """
            CREATE TEMP TABLE bench_offering ON COMMIT DROP AS
            SELECT row_number() OVER (ORDER BY o.id) - 1 AS position, o.id, o.is_bespoke, o.one_off_price,
                   o.recurring_price, o.requires_install_address,
                   coalesce((SELECT i.characteristics FROM orders_orderitem i
                             WHERE i.offering_id = o.id ORDER BY i.id LIMIT 1), '{}'::jsonb) AS characteristics
            FROM orders_productoffering o
            WHERE o.lifecycle_status = 'Launched'
            """
        )
        cursor.execute("SELECT count(*) FROM bench_offering")
        self.offerings = cursor.fetchone()[0]

    def _plan(self) -> None:
        """One row per order: its key, customer, state, channel and timeline; every later insert reads it."""
        from orders.selectors import JEOPARDY_DAYS

        params = self._common() | {
            "history_seconds": HISTORY.total_seconds(),
            "bench_customer": self.bench_customer_id,
            "bench_every": max(self.orders // BENCH_CUSTOMER_ORDERS, 1),
            "terminal": list(TERMINAL),
            "in_flight": list(IN_FLIGHT),
            "jeopardy_days": JEOPARDY_DAYS,
            "open_from": 1 - OPEN_WINDOW / HISTORY,
            "terminal_share": sum(w for state, _, w in STATES if state in TERMINAL) / sum(w for *_, w in STATES),
        }
        self.cursor.execute(
            """
            CREATE TEMP TABLE bench_plan ON COMMIT DROP AS
            WITH draws AS MATERIALIZED (
                SELECT n, random() AS r_state, random() AS r_channel, random() AS r_when, random() AS r_customer,
                       random() AS r_expected, random() AS r_late, random() AS r_category, random() AS r_priority,
                       random() AS r_duration, random() AS r_items, random() AS r_submit
                FROM generate_series(1, %(orders)s) AS n
            ),
            placed AS MATERIALIZED (
                SELECT d.*, %(order_base)s + d.n AS id, p.state, p.special, p.steps, p.issue_step, c.channel,
                       CASE WHEN mod(d.n, %(bench_every)s) = 0 THEN %(bench_customer)s
                            ELSE %(customer_base)s + 1 + floor(d.r_customer * %(customers)s)::bigint
                       END AS customer_id,
                       -- Oldest first, so the key grows with the creation date, as in production.
                       %(now)s::timestamptz
                           - make_interval(secs => %(history_seconds)s * (1 - (d.n - 1 + d.r_when) / %(orders)s))
                           AS created_at
                FROM draws d
                JOIN bench_path p
                  ON CASE WHEN (d.n - 1 + d.r_when) / %(orders)s < %(open_from)s
                          THEN d.r_state * %(terminal_share)s
                          ELSE d.r_state END >= p.low
                 AND CASE WHEN (d.n - 1 + d.r_when) / %(orders)s < %(open_from)s
                          THEN d.r_state * %(terminal_share)s
                          ELSE d.r_state END < p.high
                JOIN bench_channel c ON d.r_channel >= c.low AND d.r_channel < c.high
            ),
            submitted AS MATERIALIZED (
                SELECT p.*,
                       CASE WHEN p.state <> 'draft'
                            THEN LEAST(p.created_at + make_interval(mins => 2 + floor(p.r_submit * 30)::int),
                                       %(now)s::timestamptz)
                       END AS submitted_at,
                       CASE WHEN p.state = ANY(%(terminal)s) AND p.state <> 'rejected'
                            THEN LEAST(p.created_at + make_interval(days => 3 + floor(p.r_duration * 18)::int),
                                       %(now)s::timestamptz)
                       END AS completed_at
                FROM placed p
            ),
            timed AS MATERIALIZED (
                SELECT s.*,
                       CASE WHEN s.state = 'draft' THEN s.created_at
                            WHEN s.state = 'rejected' THEN s.submitted_at
                            WHEN s.completed_at IS NOT NULL THEN GREATEST(s.completed_at, s.submitted_at)
                            ELSE LEAST(s.submitted_at + make_interval(secs => 3600 + s.r_duration * 3 * 86400),
                                       GREATEST(%(now)s::timestamptz, s.submitted_at))
                       END AS last_at,
                       CASE WHEN s.state IN ('draft', 'acknowledged', 'rejected') THEN NULL
                            -- Some open orders late or due soon.
                            WHEN NOT s.state = ANY(%(terminal)s) AND s.r_late < 0.3
                            THEN %(today)s::date + (floor(s.r_expected * 14)::int - 10)
                            ELSE (s.created_at + make_interval(days => 5 + floor(s.r_expected * 26)::int))::date
                       END AS expected_completion_date
                FROM submitted s
            )
            SELECT t.*,
                   CASE WHEN t.issue_step IS NOT NULL
                        THEN t.submitted_at
                             + (t.last_at - t.submitted_at) * ((t.issue_step - 1)::float8 / GREATEST(t.steps - 1, 1))
                   END AS issued_at,
                   1 + (t.r_items >= 0.5)::int + (t.r_items >= 5.0 / 6)::int AS items,
                   CASE t.channel WHEN 'self_service' THEN NULL WHEN 'api' THEN %(api_user)s ELSE %(agent)s
                   END AS captured_by_id,
                   t.state = ANY(%(in_flight)s)
                       AND t.expected_completion_date <= %(today)s::date + %(jeopardy_days)s AS in_jeopardy
            FROM timed t
            """,
            params,
        )

    def _orders(self) -> None:
        from orders.models import Order

        params = self._common() | {
            "special_reasons": json.dumps(SPECIAL_HANDLING_REASONS),
            "rejection_reasons": json.dumps(["Fibre Broadband 150 is not available at the install address."]),
        }
        self._insert(
            Order,
            {
                "id": "p.id",
                "customer_id": "p.customer_id",
                "channel": "p.channel",
                "category": "CASE WHEN p.r_category < 0.15 THEN 'business' ELSE 'consumer' END",
                "priority": "(ARRAY[0, 1, 2, 2, 2, 2, 3])[1 + floor(p.r_priority * 7)::int]",
                "external_id": "CASE WHEN p.channel = 'api' THEN 'EXT-' || lpad(p.n::text, 8, '0') ELSE '' END",
                "state": "p.state",
                "return_state": """CASE WHEN p.state = 'pending'
                    THEN CASE WHEN p.special THEN 'held' ELSE 'inProgress' END ELSE '' END""",
                "state_entered_at": "p.last_at",
                "in_jeopardy": "p.in_jeopardy",
                "needs_special_handling": "p.special",
                "special_handling_reasons": "CASE WHEN p.special THEN %(special_reasons)s::jsonb ELSE '[]' END",
                "rejection_reasons": "CASE WHEN p.state = 'rejected' THEN %(rejection_reasons)s::jsonb ELSE '[]' END",
                "expected_completion_date": "p.expected_completion_date",
                "captured_by_id": "p.captured_by_id",
                "created_by_client_id": "CASE WHEN p.channel = 'api' THEN %(api_client)s END",
                "created_at": "p.created_at",
                "updated_at": "p.last_at",
                "submitted_at": "p.submitted_at",
                "issued_at": "p.issued_at",
                "completed_at": "p.completed_at",
            },
            "bench_plan p ORDER BY p.n",
            params,
        )
        from orders.models import ApiOrderSubmission

        # What the API client sent for its orders (the API representation joins it).
        self._insert(
            ApiOrderSubmission,
            {
                "client_id": "%(api_client)s",
                "order_id": "p.id",
                "idempotency_key": "'bench-' || p.n",
                "body_digest": "md5(p.n::text) || md5(p.id::text)",
                "related_party": """jsonb_build_array(jsonb_build_object(
                    'id', 'CUS-' || lpad(p.customer_id::text, 6, '0'), 'role', 'Customer',
                    '@referredType', 'Individual'))""",
                "party_id": "'CUS-' || lpad(p.customer_id::text, 6, '0')",
                "created_at": "p.created_at",
            },
            "bench_plan p WHERE p.channel = 'api' ORDER BY p.n",
            params,
        )

    def _items(self) -> None:
        from orders.models import OrderItem

        params = self._common() | {
            "offerings": self.offerings,
            "without_address_every": WITHOUT_ADDRESS_EVERY,
        }
        item_state = (
            "CASE p.state " + " ".join(f"WHEN '{o}' THEN '{i}'" for o, i in ITEM_STATE.items()) + " ELSE p.state END"
        )
        self._insert(
            OrderItem,
            {
                "order_id": "p.id",
                "item_id": "p.k::text",
                "action": "'add'",
                "intent": "'provide'",
                "offering_id": "o.id",
                "requested_offering": "''",
                "characteristics": "o.characteristics",
                "quantity": "1",
                "is_bespoke": "o.is_bespoke",
                "one_off_price": "o.one_off_price",
                "recurring_price": "o.recurring_price",
                "state": item_state,
                "install_address_id": """CASE WHEN o.requires_install_address
                    AND mod(p.customer_id - %(customer_base)s, %(without_address_every)s) <> 0
                    THEN %(address_base)s + p.customer_id - %(customer_base)s END""",
            },
            """(SELECT p.id, p.state, p.customer_id, k.k, floor(random() * %(offerings)s) AS offering_position
                FROM bench_plan p CROSS JOIN LATERAL generate_series(1, p.items) AS k (k)
                ORDER BY p.n, k.k) AS p
            JOIN bench_offering o ON o.position = p.offering_position""",
            params,
        )

    def _history(self) -> None:
        from orders.models import OrderEvent

        # Transitions spread evenly from submission to the last one; fulfilment moves have no actor.
        self._insert(
            OrderEvent,
            {
                "order_id": "p.id",
                "transition": "s.transition",
                "from_state": "s.from_state",
                "to_state": "s.to_state",
                "actor_id": """CASE s.actor WHEN 'captor' THEN p.captured_by_id
                    WHEN 'supervisor' THEN %(supervisor)s END""",
                "note": "s.note",
                "created_at": """p.submitted_at
                    + (p.last_at - p.submitted_at) * ((s.position - 1)::float8 / GREATEST(p.steps - 1, 1))""",
            },
            """bench_plan p
            JOIN bench_step s ON s.state = p.state AND s.special = p.special
            ORDER BY p.n, s.position""",
            self._common(),
        )

    def _outbox(self) -> None:
        from orders.models import OutboxEvent

        # A create event when the draft was started, then a state change per transition; all published.
        self._insert(
            OutboxEvent,
            {
                "event_id": "md5('bench-outbox-' || e.order_id || '-' || e.position)::uuid",
                "event_type": "e.event_type",
                "order_id": "e.order_id",
                "payload": "e.payload",
                "created_at": "e.created_at",
                "published_at": "e.created_at + interval '2 seconds'",
            },
            """(
                SELECT p.id AS order_id, 0 AS position, 'ProductOrderCreateEvent' AS event_type,
                       jsonb_build_object('id', 'ORD-' || lpad(p.id::text, 6, '0'), 'state', 'draft') AS payload,
                       p.created_at
                FROM bench_plan p
                UNION ALL
                SELECT e.order_id, e.id, 'ProductOrderStateChangeEvent',
                       jsonb_build_object('id', 'ORD-' || lpad(e.order_id::text, 6, '0'), 'state', e.to_state,
                                          'reason', e.note, 'previousState', e.from_state),
                       e.created_at
                FROM orders_orderevent e
                WHERE e.order_id > %(order_base)s
                ORDER BY 5, 1, 2
            ) AS e""",
            self._common(),
        )

    def _fulfilment_and_review(self) -> None:
        from orders.models import FeasibilityAssessment, FulfilmentTask, InformationRequest

        params = self._common() | {"question": INFORMATION_QUESTION}
        # Fallout: the shipping task of the first item failed.
        self._insert(
            FulfilmentTask,
            {
                "order_id": "p.id",
                "item_id": "i.id",
                "code": "'ship'",
                "name": "'Ship equipment'",
                "system": "'logistics'",
                "sequence": "10",
                "state": "'failed'",
                "attempts": "1",
                "external_reference": "'DEMO-' || p.n",
                "failure_reason": "'Courier returned the parcel: address not found'",
                "dispatched_at": "p.issued_at",
                "completed_at": "p.last_at",
            },
            """bench_plan p JOIN orders_orderitem i ON i.order_id = p.id AND i.item_id = '1'
            WHERE p.state = 'held' AND NOT p.special""",
            params,
        )
        # A third of the orders held for special handling already have a feasibility assessment.
        self._insert(
            FeasibilityAssessment,
            {
                "order_id": "p.id",
                "result": "(ARRAY['feasible', 'feasible_with_conditions', 'not_feasible'])[1 + mod(p.n, 3)]",
                "notes": "'Site survey done.'",
                "assessed_by_id": "%(supervisor)s",
                "assessed_at": "p.last_at",
            },
            "bench_plan p WHERE p.special AND p.r_late < 0.3",
            params,
        )
        # Orders waiting on the customer have an open question.
        self._insert(
            InformationRequest,
            {
                "order_id": "p.id",
                "question": "%(question)s",
                "deadline": "p.last_at::date + 7",
                "asked_by_id": "%(supervisor)s",
                "asked_at": "p.last_at",
                "answer": "''",
            },
            "bench_plan p WHERE p.state = 'pending'",
            params,
        )

    def _restart_sequences(self) -> None:
        """Keys were given explicitly: move identity sequences past them, so the app's inserts keep working."""
        for table in ("customers_customer", "customers_address", "orders_order"):
            self.cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )

    def _bench_customer_login(self) -> None:
        """A customer login on the business customer given ~200 orders, for the self-service list."""
        from customers.models import User
        from orders.demo import DEMO_PASSWORD

        user, _ = User.objects.update_or_create(
            username=BENCH_CUSTOMER_USERNAME,
            defaults={"customer_id": self.bench_customer_id, "first_name": "Bench", "last_name": "Customer"},
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        user.groups.clear()  # a customer login holds no staff group

    def _counts(self) -> dict[str, int]:
        """Row counts from the statistics VACUUM ANALYZE just refreshed (exact counts would scan every table)."""
        from django.db import connection

        tables = {
            "customers": "customers_customer",
            "addresses": "customers_address",
            "orders": "orders_order",
            "items": "orders_orderitem",
            "history": "orders_orderevent",
            "outbox": "orders_outboxevent",
            "fulfilment tasks": "orders_fulfilmenttask",
            "feasibility assessments": "orders_feasibilityassessment",
        }
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname, reltuples::bigint FROM pg_class WHERE relname = ANY(%s)", [list(tables.values())]
            )
            estimates = dict(cursor.fetchall())
        return {name: estimates.get(table, 0) for name, table in tables.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1_000_000, help="how many orders to generate (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed, for repeatable data")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL to a throwaway PostgreSQL database: this fills it with generated orders.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ordersite.settings")
    import django

    django.setup()
    print(json.dumps(generate(args.orders, seed=args.seed), indent=2))


if __name__ == "__main__":
    main()
