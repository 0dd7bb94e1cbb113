"""Builders shared by the self-service tests (tests/customers/test_selfservice.py, test_isolation.py) and the
browser journeys: a customer login at a validated address, offerings with fulfilment plans, orders placed through
the real commands.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

from django.utils import timezone

from customers.models import Address, CreditClass
from orders.fulfilment import orchestration
from orders.models import InformationRequest, Order, OrderState, TaskState
from orders.services import add_item, create_draft_order, record_initiating_request, request_information, submit_order
from tests.factories import (
    AgentFactory,
    CustomerUserFactory,
    FulfilmentStepFactory,
    OfferingFactory,
    SupervisorFactory,
    valid_address,
)

FIBRE_STREET = ("Mill Lane", "12", "RV1 2LL")  # Riverton Centre: fibre, VDSL, cable, 5G, 4G
NO_FIBRE_STREET = ("Church Lane", "9", "RV9 7CL")  # Ashby Green: VDSL and 4G only

ROUTERS = [{"value": "hub-6", "label": "Home Hub 6"}, {"value": "mesh-pack", "label": "Home Hub 6 + mesh discs"}]


def validated_address(customer, street=FIBRE_STREET, **fields) -> Address:
    """A validated address of the customer's at one of the streets above (street, number, postcode)."""
    name, number, postcode = street
    return valid_address(customer, name, number, postcode=postcode, **fields)


def customer_login(name: str = "Alice Morgan", street=FIBRE_STREET):
    """A customer login whose customer has a validated installation address and good credit."""
    user = CustomerUserFactory(customer__name=name, customer__credit_class=CreditClass.A)
    if street:
        validated_address(user.customer, street)
    return user


def plan(offering, *steps):
    """Fulfilment steps (code, name, point of no return, depends on) for an offering, once."""
    if offering.fulfilment_steps.exists():
        return offering
    made = {}
    for sequence, (code, name, ponr, deps) in enumerate(steps, start=1):
        made[code] = FulfilmentStepFactory(
            offering=offering, code=code, name=name, sequence=sequence * 10, is_point_of_no_return=ponr
        )
        made[code].depends_on.set([made[d] for d in deps])
    return offering


def fibre_offering(code="fibre-500", name="Fibre Broadband 500", **fields):
    offering = OfferingFactory(
        code=code,
        name=name,
        description="Full-fibre home broadband.",
        recurring_price="37.99",
        one_off_price="29.00",
        serviceable_technologies=["fibre"],
        requires_install_address=True,
        data_requirements=[
            {"name": "router", "label": "Router", "type": "choice", "required": True, "choices": ROUTERS},
            {"name": "static_ip", "label": "Static IP address", "type": "boolean"},
        ],
        **fields,
    )
    return plan(
        offering,
        ("ship-router", "Ship router", False, []),
        ("book-engineer", "Book engineer visit", True, []),
        ("activate-line", "Activate fibre line", False, ["book-engineer"]),
        ("start-billing", "Start billing", False, ["activate-line", "ship-router"]),
    )


def mobile_offering(code="mobile", name="Mobile Unlimited"):
    offering = OfferingFactory(
        code=code,
        name=name,
        category="mobile",
        recurring_price="20.00",
        requires_install_address=False,
        data_requirements=[
            {
                "name": "sim_type",
                "label": "SIM",
                "type": "choice",
                "required": True,
                "choices": [{"value": "physical", "label": "Physical SIM"}, {"value": "esim", "label": "eSIM"}],
            },
            {"name": "spend_cap", "label": "Spend cap", "type": "number", "min": 0, "max": 500, "integer": True},
        ],
    )
    return plan(
        offering,
        ("ship-sim", "Ship SIM", False, []),
        ("activate-sim", "Activate SIM", True, ["ship-sim"]),
    )


def phone_system_offering():
    """Delivered with the customer: commissioning test, sign-off and training."""
    offering = OfferingFactory(
        code="phone-system",
        name="Hosted Phone System",
        category="voice",
        requires_install_address=False,
        requires_customer_signoff=True,
        offers_training=True,
        data_requirements=[],
    )
    return plan(offering, ("configure", "Configure phone system", False, []))


def bespoke_offering():
    return OfferingFactory(
        code="leased-line",
        name="Dedicated Internet Access",
        category="connectivity",
        is_bespoke=True,
        requires_feasibility=True,
        requires_install_address=True,
        serviceable_technologies=["fibre", "ethernet"],
        recurring_price="450.00",
        data_requirements=[
            {
                "name": "bandwidth",
                "label": "Bandwidth",
                "type": "choice",
                "required": True,
                "choices": ["100M", "1G"],
            }
        ],
    )


def place_order(by, customer, offering, characteristics=None, *, submit=True) -> Order:
    """An order for one new product, placed through the commands (by an agent or the customer)."""
    request = record_initiating_request(customer=customer, by=by, kind="sales_proposal")
    order = create_draft_order(customer=customer, by=by, initiating_request=request)
    address = customer.addresses.first() if offering.requires_install_address else None
    add_item(order, by=by, offering=offering, characteristics=characteristics or {}, install_address=address)
    if submit:
        submit_order(order, by=by)
    order.refresh_from_db()
    return order


def fibre_order(by, customer, **kwargs) -> Order:
    return place_order(by, customer, fibre_offering(), {"router": "hub-6"}, **kwargs)


def mobile_order(by, customer, **kwargs) -> Order:
    return place_order(by, customer, mobile_offering(), {"sim_type": "esim"}, **kwargs)


def deliver(order: Order) -> Order:
    """Downstream reports every task done, step by step, as the simulator would."""
    while True:
        orchestration.dispatch_ready_tasks(order)
        dispatched = list(order.tasks.filter(state=TaskState.DISPATCHED))
        if not dispatched:
            break
        for task in dispatched:
            orchestration.record_task_result(task, succeeded=True)
    order.refresh_from_db()
    return order


def ask(order: Order, question: str = "Which floor is the flat on?") -> InformationRequest:
    return request_information(
        order, by=SupervisorFactory(), question=question, deadline=timezone.localdate() + dt.timedelta(days=7)
    )


def awaiting_signoff(customer) -> Order:
    order = deliver(place_order(AgentFactory(), customer, phone_system_offering()))
    assert order.state == OrderState.PENDING and order.awaiting_signoff
    return order


def signed_in(client, user):
    client.force_login(user)
    return client


def text_of(response) -> str:
    """The page's visible text, roughly: tags removed, whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style|template)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))
