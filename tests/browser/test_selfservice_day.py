"""The customer's self-service day (issue 16), in Chromium: only what they can have, every page on a
phone, the price before the buttons, a plan that follows the SIM, billing after the sign-off, and
what an amendment changed.

Screenshots: set SCREENSHOTS_DIR=/some/dir to save a full-page PNG of each page (never committed).
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from customers.models import Address
from tests.factories import PASSWORD, AgentFactory, FulfilmentStepFactory, InstalledProductFactory, OfferingFactory
from tests.selfservice_helpers import (
    customer_login,
    fibre_offering,
    place_order,
)

pytestmark = pytest.mark.browser

SCREENSHOTS_DIR = os.environ.get("SCREENSHOTS_DIR")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

SIM = {
    "name": "sim_type",
    "label": "SIM",
    "type": "choice",
    "required": True,
    "choices": [{"value": "physical", "label": "Physical SIM"}, {"value": "esim", "label": "eSIM"}],
}
SPEND_CAP = {"name": "spend_cap", "label": "Monthly spend cap (GBP)", "type": "number", "min": 0, "max": 500}


def snapshot(page, name):
    if SCREENSHOTS_DIR:
        Path(SCREENSHOTS_DIR).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS_DIR) / f"{name}.png"), full_page=True)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def sim_offering(signoff=False):
    """Mobile with the demo's plan: the SIM is shipped only when it is a physical one."""
    offering = OfferingFactory(
        code="mobile-unlimited",
        name="Mobile Unlimited",
        category="mobile",
        recurring_price="20.00",
        one_off_price="10.00",
        requires_install_address=False,
        requires_customer_signoff=signoff,
        data_requirements=[SIM, SPEND_CAP],
    )
    if not offering.fulfilment_steps.exists():
        ship = FulfilmentStepFactory(
            offering=offering,
            code="ship-sim",
            name="Ship SIM",
            sequence=10,
            system="logistics",
            applies_when={"sim_type": "physical"},
        )
        activate = FulfilmentStepFactory(offering=offering, code="activate-sim", name="Activate SIM", sequence=20)
        billing = FulfilmentStepFactory(
            offering=offering, code="start-billing", name="Start billing", sequence=30, system="billing"
        )
        activate.depends_on.set([ship])
        billing.depends_on.set([activate])
    return offering


@pytest.fixture
def alice(transactional_db):
    user = customer_login("Alice Morgan")
    Address.objects.filter(customer=user.customer).update(purpose=Address.Purpose.INSTALLATION)
    return user


def test_every_self_service_page_fits_a_phone(login, page, live_server, alice, manual_downstream):
    agent = AgentFactory()
    offering = sim_offering()
    fibre_offering()
    for index in range(3):
        InstalledProductFactory(
            customer=alice.customer,
            offering=offering,
            name=f"Mobile Unlimited for the family tablet number {index}",
            characteristics={"sim_type": "esim"},
            install_address=alice.customer.addresses.first(),
        )
    order = place_order(agent, alice.customer, offering, {"sim_type": "physical", "spend_cap": 40})
    draft = place_order(alice, alice.customer, offering, {"sim_type": "physical"}, submit=False)
    draft.channel = "self_service"
    draft.save(update_fields=["channel"])
    product = alice.customer.products.filter(status="active").first()
    page.set_viewport_size(PHONE)
    login(alice.username, PASSWORD)

    pages = {
        "home": "/my/",
        "orders": "/my/orders/",
        "order": f"/my/orders/{order.number}/",
        "cancel": f"/my/orders/{order.number}/cancel/",
        "new": "/my/orders/new/",
        "details": f"/my/orders/{draft.number}/details/",
        "review": f"/my/orders/{draft.number}/review/",
        "products": "/my/products/",
        "suspend": f"/my/products/{product.pk}/suspend/",
        "change": f"/my/products/{product.pk}/change/",
    }
    too_wide = []
    for name, path in pages.items():
        page.goto(live_server.url + path)
        snapshot(page, f"phone_{name}")
        if not fits(page):
            too_wide.append(name)
    assert too_wide == []

    # The sub-navigation shows every section without scrolling sideways, the products as cards.
    page.goto(f"{live_server.url}/my/")
    for name in ("Overview", "My orders", "My products", "Order something"):
        link = page.locator(".my-subnav").get_by_role("link", name=name)
        expect(link).to_be_in_viewport()
    expect(page.locator(".my-home-product").first).to_be_visible()
    expect(page.get_by_role("table")).to_be_hidden()
