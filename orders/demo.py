"""The demo data set: a believable catalog, customers with products, and one user per role.

Everything here is idempotent (keyed on codes, emails and usernames), so `seed_demo` can run on
every start without duplicating anything.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from customers.commands import create_customer
from customers.models import (
    Address,
    Channel,
    CreditClass,
    Customer,
    CustomerKind,
    InstalledProduct,
    ProductStatus,
    User,
)
from customers.number_pool import add_number_range
from customers.roles import AGENTS, SUPERVISORS
from orders.models import FulfilmentStep, OfferingCategory, ProductOffering
from orders.numbers import assign_demo_number

# Every demo user's password. Short and well known: seed_demo accepts it only with DEBUG on (the demo on a
# developer's machine); elsewhere it wants a strong DEMO_PASSWORD (orders/management/commands/seed_demo.py).
DEMO_PASSWORD = "demo-pass"

ROUTERS = [
    {"value": "hub-6", "label": "Home Hub 6 (Wi-Fi 6)"},
    {"value": "mesh-pack", "label": "Home Hub 6 + 2 mesh discs"},
    {"value": "own-router", "label": "Customer's own router"},
]

PBX_FEATURES = [
    {"value": "voicemail", "label": "Voicemail"},
    {"value": "call_forwarding", "label": "Call forwarding"},
    {"value": "call_recording", "label": "Call recording"},
    {"value": "hot_desking", "label": "Hot desking"},
    {"value": "busy_lamp_field", "label": "Busy lamp field"},
]

HOSTED_PBX_REQUIREMENTS = [
    {"name": "main_number", "label": "Main business number", "type": "phone", "required": True},
    {
        "name": "opening_hours",
        "label": "Opening hours",
        "type": "text",
        "max_length": 60,
        "help": "Outside these hours calls go to the out-of-hours message.",
    },
    {
        "name": "user_groups",
        "label": "User groups",
        "type": "group",
        "min": 1,
        "max": 20,
        "fields": [
            {"name": "name", "label": "Group name", "type": "text", "required": True, "max_length": 40, "unique": True},
            {
                "name": "hunt_pattern",
                "label": "Ringing pattern",
                "type": "choice",
                "required": True,
                "choices": [
                    {"value": "simultaneous", "label": "Ring all at once"},
                    {"value": "sequential", "label": "Ring in turn"},
                    {"value": "round_robin", "label": "Round robin"},
                ],
            },
        ],
    },
    {
        "name": "handsets",
        "label": "Handsets",
        "type": "group",
        "min": 1,
        "max": 500,
        # Each handset is provisioned and supported: charged per row on top of the tenant's price.
        "price_per_entry": {"one_off": "45.00", "recurring": "6.50"},
        "fields": [
            {
                "name": "model",
                "label": "Model",
                "type": "choice",
                "required": True,
                "choices": [
                    {"value": "yealink-t54w", "label": "Yealink T54W desk phone"},
                    {"value": "yealink-t33g", "label": "Yealink T33G desk phone"},
                    {"value": "yealink-w73h", "label": "Yealink W73H DECT cordless"},
                    {"value": "softphone", "label": "Softphone app (no hardware)"},
                ],
            },
            {
                "name": "extension",
                "label": "Extension",
                "type": "text",
                "required": True,
                "pattern": "^[0-9]{3,4}$",
                "pattern_rule": "3 or 4 digits",
                "unique": True,
                "help": "3 or 4 digits.",
            },
            {"name": "user_name", "label": "User", "type": "text", "required": True, "max_length": 80},
            {
                "name": "group",
                "label": "User group",
                "type": "choice",
                "required": True,
                "choices_from": "user_groups.name",
            },
            {"name": "features", "label": "Features", "type": "choice", "multiple": True, "choices": PBX_FEATURES},
            {
                "name": "speed_dials",
                "label": "Speed dials",
                "type": "group",
                "max": 10,
                "fields": [
                    {"name": "label", "label": "Label", "type": "text", "required": True, "max_length": 30},
                    {"name": "number", "label": "Number", "type": "phone", "required": True},
                ],
            },
        ],
    },
]

# The point of no return is the line going live: until then a booked engineer can be stood down, so
# an order in flight can still be cancelled.
STANDARD_BROADBAND_PLAN = [
    ("ship-router", "Ship router", FulfilmentStep.System.LOGISTICS, False, [], 48),
    ("book-engineer", "Book engineer visit", FulfilmentStep.System.FIELD_SERVICE, False, [], 72),
    ("activate-line", "Activate fibre line", FulfilmentStep.System.NETWORK, True, ["book-engineer"], 4),
    ("start-billing", "Start billing", FulfilmentStep.System.BILLING, False, ["activate-line", "ship-router"], 1),
]

CATALOG = [
    {
        "code": f"fibre-{speed}",
        "name": f"Fibre Broadband {speed}",
        "category": OfferingCategory.BROADBAND,
        "description": f"Full-fibre home broadband, {speed} Mbit/s down, unlimited data, 18-month contract.",
        "recurring_price": price,
        "one_off_price": Decimal("29.00"),
        "serviceable_technologies": ["fibre"],
        "data_requirements": [
            {"name": "router", "label": "Router", "type": "choice", "required": True, "choices": ROUTERS},
            {"name": "static_ip", "label": "Static IP address", "type": "boolean"},
        ],
        "plan": STANDARD_BROADBAND_PLAN,
    }
    for speed, price in (("150", Decimal("27.99")), ("500", Decimal("37.99")), ("900", Decimal("49.99")))
] + [
    {
        "code": "mobile-unlimited",
        "name": "Mobile Unlimited",
        "category": OfferingCategory.MOBILE,
        "description": "Unlimited calls, texts and 5G data; EU roaming included; 30-day rolling.",
        "recurring_price": Decimal("20.00"),
        "requires_install_address": False,
        "data_requirements": [
            {
                "name": "sim_type",
                "label": "SIM",
                "type": "choice",
                "required": True,
                "choices": [{"value": "physical", "label": "Physical SIM"}, {"value": "esim", "label": "eSIM"}],
            },
            {
                "name": "phone_number",
                "label": "Phone number",
                "type": "telephone_number",
                "number_kind": "mobile",
                "porting": [
                    {"name": "current_provider", "label": "Current provider", "type": "text", "required": True},
                    {
                        "name": "pac",
                        "label": "PAC code",
                        "type": "text",
                        "required": True,
                        "pattern": "^[A-Za-z]{3}[0-9]{6}$",
                        "pattern_rule": "3 letters and 6 digits, like ABC123456 (text PAC to 65075 to get it)",
                    },
                    {"name": "account_holder", "label": "Account holder", "type": "text", "max_length": 200},
                ],
            },
            {
                "name": "spend_cap",
                "label": "Monthly spend cap (GBP)",
                "type": "number",
                "min": 0,
                "max": 500,
                "integer": True,
            },
        ],
        # An eSIM is downloaded, never posted: only a physical SIM is shipped.
        "plan_conditions": {"ship-sim": {"sim_type": "physical"}},
        "plan": [
            ("ship-sim", "Ship SIM", FulfilmentStep.System.LOGISTICS, False, [], 24),
            ("activate-sim", "Activate SIM and number", FulfilmentStep.System.NETWORK, True, ["ship-sim"], 2),
            ("start-billing", "Start billing", FulfilmentStep.System.BILLING, False, ["activate-sim"], 1),
        ],
    },
    {
        "code": "tv-essentials",
        "name": "TV Essentials add-on",
        "category": OfferingCategory.TV,
        "description": "80 live channels and catch-up on a 4K set-top box. Needs a fibre broadband line.",
        "recurring_price": Decimal("12.00"),
        "one_off_price": Decimal("20.00"),
        "is_addon": True,
        # The customer confirms picture and channels on the new box before billing is final.
        "requires_customer_signoff": True,
        "serviceable_technologies": ["fibre"],
        "requires_codes": ["fibre-150", "fibre-500", "fibre-900"],
        "data_requirements": [
            {
                "name": "set_top_boxes",
                "label": "Set-top boxes",
                "type": "number",
                "required": True,
                "min": 1,
                "max": 4,
                "integer": True,
            },
            {"name": "sports_pack", "label": "Sports pack", "type": "boolean"},
            {
                "name": "parental_pin",
                "label": "Parental PIN",
                "type": "text",
                "pattern": "^[0-9]{4}$",
                "pattern_rule": "4 digits",
                "help": "Four digits.",
            },
        ],
        "plan": [
            ("ship-box", "Ship set-top boxes", FulfilmentStep.System.LOGISTICS, False, [], 48),
            # Activated once the box has arrived, so the order can be cancelled while it is on its way.
            ("activate-tv", "Activate TV service", FulfilmentStep.System.NETWORK, True, ["ship-box"], 2),
            ("start-billing", "Start billing", FulfilmentStep.System.BILLING, False, ["activate-tv"], 1),
        ],
    },
    {
        "code": "hosted-pbx",
        "customer_kinds": [CustomerKind.ORGANISATION],
        "name": "Hosted Voice PBX",
        "category": OfferingCategory.VOICE,
        "description": "Cloud phone system: user groups, handsets with per-user features, hunt groups.",
        "recurring_price": Decimal("9.50"),
        "one_off_price": Decimal("150.00"),
        "requires_customer_signoff": True,
        "offers_training": True,
        "serviceable_technologies": ["fibre", "ethernet", "vdsl", "cable"],
        "data_requirements": HOSTED_PBX_REQUIREMENTS,
        "plan": [
            ("configure-pbx", "Configure PBX tenant", FulfilmentStep.System.NETWORK, False, [], 24),
            ("ship-handsets", "Ship handsets", FulfilmentStep.System.LOGISTICS, False, [], 72),
            # Once the losing carrier has been asked to port the numbers, there is no going back.
            ("port-numbers", "Port numbers", FulfilmentStep.System.NETWORK, True, ["configure-pbx"], 120),
            (
                "start-billing",
                "Start billing",
                FulfilmentStep.System.BILLING,
                False,
                ["port-numbers", "ship-handsets"],
                1,
            ),
        ],
    },
    {
        "code": "dedicated-internet",
        "customer_kinds": [CustomerKind.ORGANISATION],
        "name": "Dedicated Internet Access",
        "category": OfferingCategory.CONNECTIVITY,
        "description": "Uncontended leased line with SLA; designed and priced per site after a survey.",
        "recurring_price": Decimal("450.00"),
        "one_off_price": Decimal("1500.00"),
        "is_bespoke": True,
        "requires_feasibility": True,
        "requires_customer_signoff": True,
        "serviceable_technologies": ["ethernet", "fibre"],
        "data_requirements": [
            {
                "name": "bandwidth",
                "label": "Bandwidth",
                "type": "choice",
                "required": True,
                "choices": [
                    {"value": "100M", "label": "100 Mbit/s"},
                    {"value": "1G", "label": "1 Gbit/s"},
                    {"value": "10G", "label": "10 Gbit/s"},
                ],
            },
            {
                "name": "resilience",
                "label": "Resilience",
                "type": "choice",
                "required": True,
                "choices": [
                    {"value": "single", "label": "Single path"},
                    {"value": "dual", "label": "Dual path, diverse routing"},
                ],
            },
            {
                "name": "ip_block",
                "label": "IPv4 block",
                "type": "choice",
                "required": True,
                "choices": ["/30", "/29", "/28"],
            },
            {"name": "site_contact_phone", "label": "Site contact phone", "type": "phone", "required": True},
            {"name": "ready_for_service_by", "label": "Needed by", "type": "date"},
        ],
        "plan": [
            ("design", "Solution design", FulfilmentStep.System.DESIGN, False, [], 120),
            ("survey", "Site survey", FulfilmentStep.System.FIELD_SERVICE, False, ["design"], 72),
            ("build", "Build access circuit", FulfilmentStep.System.NETWORK, True, ["survey"], 480),
            ("test", "End-to-end test", FulfilmentStep.System.NETWORK, False, ["build"], 8),
            ("start-billing", "Start billing", FulfilmentStep.System.BILLING, False, ["test"], 1),
        ],
    },
    {
        "code": "sd-wan",
        "customer_kinds": [CustomerKind.ORGANISATION],
        "name": "Managed SD-WAN",
        "category": OfferingCategory.CONNECTIVITY,
        "description": "Managed SD-WAN across your sites with application-aware routing; bespoke design.",
        "recurring_price": Decimal("180.00"),
        "one_off_price": Decimal("900.00"),
        "is_bespoke": True,
        "requires_feasibility": True,
        "requires_customer_signoff": True,
        "offers_training": True,
        "requires_install_address": True,
        "data_requirements": [
            {
                "name": "sites",
                "label": "Sites",
                "type": "group",
                "min": 2,
                "max": 50,
                "fields": [
                    {"name": "site_name", "label": "Site name", "type": "text", "required": True, "unique": True},
                    {"name": "address", "label": "Site address", "type": "text", "required": True},
                    {
                        "name": "role",
                        "label": "Role",
                        "type": "choice",
                        "required": True,
                        "choices": [{"value": "hub", "label": "Hub"}, {"value": "spoke", "label": "Spoke"}],
                    },
                    {
                        "name": "bandwidth",
                        "label": "Bandwidth",
                        "type": "choice",
                        "required": True,
                        "choices": ["100M", "500M", "1G"],
                    },
                ],
            },
            {
                "name": "application_policies",
                "label": "Application policies",
                "type": "group",
                "max": 20,
                "fields": [
                    {"name": "application", "label": "Application", "type": "text", "required": True},
                    {
                        "name": "priority",
                        "label": "Priority",
                        "type": "choice",
                        "required": True,
                        "choices": ["critical", "business", "best-effort"],
                    },
                ],
            },
        ],
        "plan": [
            ("design", "Network design", FulfilmentStep.System.DESIGN, False, [], 160),
            ("ship-edge", "Ship edge devices", FulfilmentStep.System.LOGISTICS, True, ["design"], 72),
            ("configure", "Configure overlay", FulfilmentStep.System.NETWORK, False, ["design"], 24),
            ("test", "End-to-end test", FulfilmentStep.System.NETWORK, False, ["configure", "ship-edge"], 8),
            ("start-billing", "Start billing", FulfilmentStep.System.BILLING, False, ["test"], 1),
        ],
    },
]

PBX_DEMO_CHARACTERISTICS = {
    "main_number": "+44 1632 960100",
    "opening_hours": "Mon-Fri 08:00-18:00",
    "user_groups": [
        {"name": "Sales", "hunt_pattern": "simultaneous"},
        {"name": "Warehouse", "hunt_pattern": "sequential"},
    ],
    "handsets": [
        {
            "model": "yealink-t54w",
            "extension": "201",
            "user_name": "Priya Shah",
            "group": "Sales",
            "features": ["voicemail", "call_recording"],
            "speed_dials": [{"label": "Warehouse", "number": "+44 1632 960150"}],
        },
        {
            "model": "yealink-t33g",
            "extension": "202",
            "user_name": "Tom Reilly",
            "group": "Sales",
            "features": ["voicemail"],
        },
        {
            "model": "yealink-w73h",
            "extension": "301",
            "user_name": "Warehouse floor",
            "group": "Warehouse",
            "features": ["hot_desking"],
        },
    ],
}

# (email, kind, name, credit class, address (street, number, postcode), login, products)
CUSTOMERS = [
    (
        "alice.morgan@example.com",
        CustomerKind.INDIVIDUAL,
        "Alice Morgan",
        CreditClass.A,
        ("Mill Lane", "12", "RV1 2LL"),
        "alice",
        [
            ("fibre-500", ProductStatus.ACTIVE, {"router": "hub-6"}),
            ("mobile-unlimited", ProductStatus.ACTIVE, {"sim_type": "esim", "spend_cap": 40}),
        ],
    ),
    (
        "bob.hughes@example.com",
        CustomerKind.INDIVIDUAL,
        "Bob Hughes",
        CreditClass.B,
        ("Orchard Road", "7", "RV2 4OR"),
        "bob",
        [
            ("mobile-unlimited", ProductStatus.ACTIVE, {"sim_type": "physical"}),
            ("mobile-unlimited", ProductStatus.SUSPENDED, {"sim_type": "physical", "spend_cap": 15}),
        ],
    ),
    (
        "accounts@harbourside-logistics.example",
        CustomerKind.ORGANISATION,
        "Harbourside Logistics Ltd",
        CreditClass.A,
        ("Harbour Way", "5", "RV3 1HW"),
        None,
        [
            ("hosted-pbx", ProductStatus.ACTIVE, PBX_DEMO_CHARACTERISTICS),
            (
                "dedicated-internet",
                ProductStatus.ACTIVE,
                {"bandwidth": "1G", "resilience": "dual", "ip_block": "/29", "site_contact_phone": "+44 1632 960101"},
            ),
        ],
    ),
    (
        "hello@ashbygreenfarmshop.example",
        CustomerKind.ORGANISATION,
        "Ashby Green Farm Shop",
        CreditClass.C,
        ("Church Lane", "9", "RV9 7CL"),
        None,
        [("mobile-unlimited", ProductStatus.ACTIVE, {"sim_type": "physical"})],
    ),
    (
        "chen.wei@example.com",
        CustomerKind.INDIVIDUAL,
        "Wei Chen",
        CreditClass.A,
        ("High Street", "48", "RV1 1AA"),
        None,
        [
            ("fibre-900", ProductStatus.ACTIVE, {"router": "mesh-pack", "static_ip": True}),
            ("tv-essentials", ProductStatus.ACTIVE, {"set_top_boxes": 2, "sports_pack": True}),
        ],
    ),
    (
        "fatima.khan@example.com",
        CustomerKind.INDIVIDUAL,
        "Fatima Khan",
        CreditClass.UNRATED,
        ("Station Road", "101", "RV1 3SR"),
        None,
        [],
    ),
    (
        "it@quayside-dental.example",
        CustomerKind.ORGANISATION,
        "Quayside Dental Practice",
        CreditClass.B,
        ("Quayside", "14", "RV3 2QS"),
        None,
        [("fibre-150", ProductStatus.PENDING_ACTIVE, {"router": "hub-6"})],
    ),
    (
        "george.okafor@example.com",
        CustomerKind.INDIVIDUAL,
        "George Okafor",
        CreditClass.D,
        ("Orchard Road", "88", "RV2 4OR"),
        None,
        [("mobile-unlimited", ProductStatus.TERMINATED, {"sim_type": "physical"})],
    ),
]


def seed_demo(password: str = DEMO_PASSWORD) -> dict[str, str]:
    """Create or refresh the demo catalog, customers, orders and users; returns username → role hints."""
    users, customers, offerings = seed_reference_data(password)
    # Orders go through the real commands, one transaction each; downstream systems answer only
    # when told to here, so the demo shows orders at every stage rather than all completed.
    with override_settings(FULFILMENT_DOWNSTREAM="manual"):
        seed_orders(customers, offerings)
    seed_api_client()
    seed_catalog_client()
    return users


@transaction.atomic
def seed_reference_data(password: str = DEMO_PASSWORD):
    offerings = seed_catalog()
    users = seed_staff(password)
    agent = User.objects.get(username="agent")
    customers = {}
    for row in CUSTOMERS:
        customer, login = _seed_customer(row, offerings, password, agent)
        customers[customer.email] = customer
        if login:
            users[login] = f"customer {customer.name} ({customer.number})"
    seed_number_pool()
    number_demo_lines(customers)
    return users, customers, offerings


# Ofcom's drama range, numbers that will never ring anyone: ours up to 900899; the rest stand for
# numbers at other providers, kept by porting.
DEMO_POOL = ("07700 900000", "07700 900899")
# Lines of the demo table with the numbers their owners know them by (in the order the table lists them).
DEMO_LINE_NUMBERS = {
    "alice.morgan@example.com": ["+447700900101"],
    "bob.hughes@example.com": ["+447700900201", "+447700900202"],
    "hello@ashbygreenfarmshop.example": ["+447700900301"],
    "george.okafor@example.com": ["+447700900401"],
}


# New lines in the demo orders: chosen from the pool (held while in flight, given back when cancelled), or kept.
ALICE_NEW_JOB_LINE = {"sim_type": "physical", "phone_number": {"number": "+447700900110"}}
ALICE_SONS_LINE = {"sim_type": "physical", "phone_number": {"number": "+447700900111"}}
ALICE_TABLET_LINE = {"sim_type": "esim", "phone_number": {"number": "+447700900112"}}
BOBS_KEPT_NUMBER = {
    "sim_type": "physical",
    "phone_number": {
        "keep": True,
        "number": "+447700900923",
        "current_provider": "Harbour Mobile (business)",
        "pac": "HBM482913",
        "account_holder": "Harbourside Logistics Ltd",
    },
}


def seed_number_pool() -> int:
    """The mobile number pool; numbers already loaded keep their state."""
    return add_number_range(*DEMO_POOL)


def number_demo_lines(customers: dict[str, Customer]) -> None:
    """The demo table's mobile lines get their numbers (Bob's two Mobile Unlimited lines told apart by them)."""
    for email, e164s in DEMO_LINE_NUMBERS.items():
        customer = customers.get(email)
        lines = list(
            InstalledProduct.objects.filter(customer=customer, offering__code="mobile-unlimited", telephone_number=None)
            .select_related("offering")
            .order_by("created_at", "pk")
        )
        for product, e164 in zip(lines, e164s, strict=False):
            assign_demo_number(product, e164)


def seed_catalog() -> dict[str, ProductOffering]:
    offerings: dict[str, ProductOffering] = {}
    for entry in CATALOG:
        fields = {k: v for k, v in entry.items() if k not in {"code", "plan", "plan_conditions", "requires_codes"}}
        offering, _ = ProductOffering.objects.update_or_create(code=entry["code"], defaults=fields)
        offering.full_clean()
        offerings[offering.code] = offering
        steps = {}
        for sequence, (code, name, system, ponr, _deps, hours) in enumerate(entry["plan"], start=1):
            steps[code], _ = FulfilmentStep.objects.update_or_create(
                offering=offering,
                code=code,
                defaults={
                    "name": name,
                    "system": system,
                    "sequence": sequence * 10,
                    "is_point_of_no_return": ponr,
                    "expected_duration_hours": hours,
                    "applies_when": entry.get("plan_conditions", {}).get(code, {}),
                },
            )
            steps[code].full_clean()
        for code, *_rest, deps, _hours in entry["plan"]:
            steps[code].depends_on.set([steps[d] for d in deps])
    for entry in CATALOG:
        if entry.get("requires_codes"):
            offerings[entry["code"]].requires.set([offerings[c] for c in entry["requires_codes"]])
    return offerings


def seed_staff(password: str = DEMO_PASSWORD) -> dict[str, str]:
    agent = _user("agent", password, first_name="Sam", last_name="Taylor", channel=Channel.CALL_CENTRE)
    agent.groups.set([Group.objects.get(name=AGENTS)])
    supervisor = _user(
        "supervisor", password, first_name="Jo", last_name="Patel", is_staff=True, channel=Channel.CALL_CENTRE
    )
    supervisor.groups.set([Group.objects.get(name=SUPERVISORS)])
    return {"agent": "call-centre agent → /agent/", "supervisor": "supervisor → /admin/"}


def _user(username: str, password: str, **fields) -> User:
    user, created = User.objects.update_or_create(username=username, defaults=fields)
    if created or not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


def _seed_customer(row, offerings, password: str, agent: User) -> tuple[Customer, str | None]:
    email, kind, name, credit_class, (street, number, postcode), login, products = row
    customer = Customer.objects.filter(email=email).first()
    if customer is None:
        # Made as an agent makes one: primary contact, checked installation address, the call on record.
        customer = create_customer(
            by=agent,
            channel=Channel.CALL_CENTRE,
            kind=kind,
            name=name,
            email=email,
            phone=_phone_for(email),
            contact_name=name if kind == CustomerKind.INDIVIDUAL else f"{name} office",
            addresses=[{"street": street, "house_number": number, "postcode": postcode}],
            note="Welcome call: confirmed contact details and installed products.",
        )
    # The credit bureau's last answer is part of the story each demo customer tells.
    customer.credit_class = credit_class
    customer.credit_checked_at = None if credit_class == CreditClass.UNRATED else timezone.now()
    customer.save(update_fields=["credit_class", "credit_checked_at"])
    address = customer.addresses.filter(purpose=Address.Purpose.INSTALLATION).first()
    if not customer.products.exists():
        for index, (code, status, characteristics) in enumerate(products):
            offering = offerings[code]
            product = InstalledProduct(
                customer=customer,
                offering=offering,
                name=offering.name,
                status=status,
                characteristics=characteristics,
                install_address=address if offering.requires_install_address else None,
                start_date=dt.date(2025, 3, 1) + dt.timedelta(days=40 * index),
                termination_date=dt.date(2026, 6, 30) if status == ProductStatus.TERMINATED else None,
            )
            product.full_clean()
            product.save()
    if login:
        user = _user(
            login, password, first_name=name.split()[0], last_name=name.split()[-1], email=email, customer=customer
        )
        user.groups.clear()
    return customer, login


def _phone_for(email: str) -> str:
    # Stable, obviously fictional numbers (Ofcom's drama range 07700 900xxx).
    return f"+44 7700 900{sum(map(ord, email)) % 1000:03d}"


def seed_orders(customers: dict[str, Customer], offerings: dict[str, ProductOffering]) -> None:
    """Orders in a spread of states and types, made through the same commands every channel uses."""
    from orders.fulfilment.orchestration import record_task_result
    from orders.services import (
        add_item,
        create_change_order,
        create_draft_order,
        record_initiating_request,
        request_cancellation,
        request_information,
        submit_order,
    )

    agent = User.objects.get(username="agent")
    supervisor = User.objects.get(username="supervisor")
    alice = customers["alice.morgan@example.com"]
    bob = customers["bob.hughes@example.com"]
    harbourside = customers["accounts@harbourside-logistics.example"]
    alice_user = User.objects.get(username="alice")

    def new_order(customer, by, items, *, kind="sales_proposal", reference="", details="", **fields):
        request = record_initiating_request(customer=customer, by=by, kind=kind, reference=reference, details=details)
        order = create_draft_order(customer=customer, by=by, initiating_request=request, **fields)
        address = customer.addresses.filter(purpose=Address.Purpose.INSTALLATION).first()
        for code, characteristics in items:
            offering = offerings[code]
            add_item(
                order,
                by=by,
                offering=offering,
                characteristics=characteristics,
                install_address=address if offering.requires_install_address else None,
            )
        return order

    def product(customer, code, status=ProductStatus.ACTIVE):
        return customer.products.filter(offering__code=code, status=status).first()

    def advance(order, *, done=None, fail=None):
        """Report downstream progress: the named steps (all, if None) done, then one failure."""
        while True:
            dispatched = order.tasks.filter(state="dispatched").exclude(code=fail).order_by("sequence")
            step = next((t for t in dispatched if done is None or t.code in done), None)
            if step is None:
                break
            record_task_result(step, succeeded=True, reference=f"DEMO-{step.pk}")
        if fail:
            failing = order.tasks.get(code=fail, state="dispatched")
            record_task_result(failing, succeeded=False, message="Courier returned the parcel: address not found")

    if not alice.orders.exists():
        # Issued at once: a standard add-on, delivered and waiting for Alice to test it and sign off.
        tv = submit_order(
            new_order(
                alice,
                agent,
                [("tv-essentials", {"set_top_boxes": 1})],
                reference="Q-20411",
                details="Wants TV for the living room.",
            ),
            by=agent,
        ).order
        advance(tv)
        # Issued at once and on its way by post: before activation she can still cancel it.
        submit_order(
            new_order(alice, agent, [("mobile-unlimited", ALICE_NEW_JOB_LINE)], details="Phone for her new job."),
            by=agent,
        )
        # Held for special handling: a router upgrade with special requirements.
        change = create_change_order(
            product(alice, "fibre-500"),
            intent="change",
            by=agent,
            characteristics={"router": "mesh-pack", "static_ip": False},
            reason="Wi-Fi does not reach the home office upstairs.",
        )
        change.special_requirements = "Engineer to fit mesh discs upstairs; customer uses a wheelchair."
        change.save(update_fields=["special_requirements"])
        submit_order(change, by=agent)
        # Placed by Alice herself, then cancelled before the SIM shipped.
        second_line = new_order(
            alice, alice_user, [("mobile-unlimited", ALICE_SONS_LINE)], details="Second line for my son."
        )
        submit_order(second_line, by=alice_user)
        request_cancellation(second_line, by=alice_user, reason="He kept his old contract after all.")
        # Still being captured.
        new_order(alice, agent, [("mobile-unlimited", ALICE_TABLET_LINE)], details="Quote for a tablet SIM.")

    if not bob.orders.exists():
        # Done: the suspended line resumed, and the installed base says so.
        resumed = submit_order(
            create_change_order(
                product(bob, "mobile-unlimited", ProductStatus.SUSPENDED),
                intent="resume",
                by=agent,
                reason="Back from working abroad.",
            ),
            by=agent,
        ).order
        advance(resumed)
        # Waiting for Bob: a new line held for review, then a question to him.
        porting = new_order(
            bob,
            agent,
            [("mobile-unlimited", BOBS_KEPT_NUMBER)],
            special_requirements="Port 07700 900923 from his employer's account.",
            kind="problem_restoration",
            reference="TT-88812",
            details="Number lost when the employer's contract ended.",
        )
        submit_order(porting, by=agent)
        request_information(
            porting,
            by=supervisor,
            question="Please send the employer's release letter for the number.",
            deadline=timezone.localdate() + dt.timedelta(days=7),
        )
        # Rejected: fibre is not available on Orchard Road.
        submit_order(
            new_order(bob, agent, [("fibre-150", {"router": "hub-6"})], reference="Q-20502"),
            by=agent,
            reject_if_incomplete=True,
        )

    if not harbourside.orders.exists():
        # Bespoke and without a feasibility study yet: held for a supervisor.
        submit_order(
            new_order(
                harbourside,
                agent,
                [
                    (
                        "sd-wan",
                        {
                            "sites": [
                                {
                                    "site_name": "Harbour Way HQ",
                                    "address": "5 Harbour Way, Riverton RV3 1HW",
                                    "role": "hub",
                                    "bandwidth": "1G",
                                },
                                {
                                    "site_name": "Quayside depot",
                                    "address": "14 Quayside, Riverton RV3 2QS",
                                    "role": "spoke",
                                    "bandwidth": "100M",
                                },
                            ],
                            "application_policies": [{"application": "Warehouse management", "priority": "critical"}],
                        },
                    )
                ],
                reference="Q-20480",
                details="RFP 2026-11: connect HQ and depot.",
                category="business",
            ),
            by=agent,
        )
        # A performance complaint leading to a bandwidth upgrade, still in progress.
        submit_order(
            create_change_order(
                product(harbourside, "dedicated-internet"),
                intent="change",
                by=agent,
                characteristics={
                    "bandwidth": "10G",
                    "resilience": "dual",
                    "ip_block": "/28",
                    "site_contact_phone": "+44 1632 960101",
                },
                reason="Performance issue: line saturated at peak times.",
            ),
            by=agent,
        )

    dental = customers["it@quayside-dental.example"]
    if not dental.orders.exists():
        # Delivered, waiting for the practice to test the phones and sign off.
        pbx = submit_order(
            new_order(
                dental,
                agent,
                [("hosted-pbx", PBX_DEMO_CHARACTERISTICS)],
                reference="Q-20455",
                details="Replace the old ISDN phone system.",
                category="business",
            ),
            by=agent,
        ).order
        advance(pbx)

    chen = customers["chen.wei@example.com"]
    if not chen.orders.exists():
        # Fallout: the SIM could not be delivered; a supervisor must retry or resolve it.
        sim = submit_order(
            new_order(chen, agent, [("mobile-unlimited", {"sim_type": "physical"})], details="Work phone."),
            by=agent,
        ).order
        advance(sim, done=set(), fail="ship-sim")


DEMO_API_TOKEN = "demo-api-token"


def seed_api_client():
    """The demo TMF API client: `Authorization: Bearer demo-api-token`, allowed for the demo customers."""
    from orders.clients import create_api_client, hash_token, set_token
    from orders.models import ApiClient

    client = ApiClient.objects.filter(name="Demo partner").first()
    if client is None:
        client, _ = create_api_client(name="Demo partner", channel=Channel.API, token=DEMO_API_TOKEN)
    elif client.token_hash != hash_token(DEMO_API_TOKEN):
        set_token(client, DEMO_API_TOKEN)
    client.customers.set(Customer.objects.filter(email__in=[row[0] for row in CUSTOMERS]))
    return client


DEMO_CATALOG_TOKEN = "demo-catalog-token"


def seed_catalog_client():
    """The demo catalog team's TMF620 client: `Bearer demo-catalog-token`, may change the catalog, acts for no one.

    The demo partner only reads the catalog, as a reseller would; writes need this client.
    """
    from orders.clients import create_api_client, grant_catalog_management, hash_token, set_token
    from orders.models import ApiClient

    client = ApiClient.objects.filter(name="Demo catalog team").first()
    if client is None:
        client, _ = create_api_client(name="Demo catalog team", channel=Channel.API, token=DEMO_CATALOG_TOKEN)
    elif client.token_hash != hash_token(DEMO_CATALOG_TOKEN):
        set_token(client, DEMO_CATALOG_TOKEN)
    grant_catalog_management(client)
    return client
