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
from orders.fulfilment import orchestration
from orders.models import OrderState, TaskState
from orders.services import start_amendment, submit_order, update_item
from tests.browser.test_accessibility import signed_in_context
from tests.factories import PASSWORD, AgentFactory, FulfilmentStepFactory, InstalledProductFactory, OfferingFactory
from tests.selfservice_helpers import (
    NO_FIBRE_STREET,
    customer_login,
    fibre_offering,
    place_order,
    validated_address,
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
    first_status = page.locator(".my-stack-table tbody td[data-label='Status']").first
    expect(first_status).to_be_in_viewport()
    status_box, row_box = first_status.bounding_box(), page.locator(".my-stack-table tbody tr").first.bounding_box()
    assert status_box["x"] + status_box["width"] <= row_box["x"] + row_box["width"] <= PHONE["width"]


def test_a_physical_sim_is_posted_to_the_customer_and_the_price_comes_before_the_buttons(
    login, page, live_server, alice, manual_downstream
):
    sim_offering()
    page.set_viewport_size(PHONE)
    login(alice.username, PASSWORD)

    page.goto(f"{live_server.url}/my/orders/new/")
    page.get_by_role("button", name="Choose Mobile Unlimited").click()
    page.get_by_label("SIM").select_option("physical")
    page.get_by_label("Monthly spend cap").fill("40")
    # On a phone the basket with its total sits between the form and the buttons.
    total = page.locator(".my-totals").bounding_box()
    assert total["y"] < page.get_by_role("button", name="Continue").bounding_box()["y"]
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Check and send")).to_be_visible()
    expect(page.get_by_text("Your SIM is posted to 12 Mill Lane")).to_be_visible()
    assert fits(page)
    snapshot(page, "phone_review_physical_sim")
    page.set_viewport_size(DESKTOP)
    snapshot(page, "desktop_review_physical_sim")
    page.get_by_role("button", name="Place my order").click()

    expect(page.get_by_text("Your SIM is posted to 12 Mill Lane")).to_be_visible()
    expect(page.locator(".my-timeline-next").get_by_text("Ship SIM")).to_be_visible()


def test_an_esim_order_has_no_ship_sim_step_for_the_customer_or_the_agent(
    login, page, live_server, alice, manual_downstream
):
    agent = AgentFactory()
    order = place_order(agent, alice.customer, sim_offering(), {"sim_type": "esim"})
    login(alice.username, PASSWORD)

    page.goto(f"{live_server.url}/my/orders/{order.number}/")
    expect(page.locator(".my-timeline-next").get_by_text("Activate SIM")).to_be_visible()
    expect(page.get_by_text("Ship SIM")).to_have_count(0)
    expect(page.get_by_text("posted to")).to_have_count(0)

    page.context.clear_cookies()
    login(agent.username, PASSWORD)
    page.goto(f"{live_server.url}/agent/orders/{order.number}/")
    expect(page.get_by_text("Activate SIM").first).to_be_visible()
    expect(page.get_by_text("Ship SIM")).to_have_count(0)


def test_billing_shows_after_the_sign_off_and_starts_only_once_signed(
    login, page, live_server, alice, manual_downstream, browser
):
    order = place_order(AgentFactory(), alice.customer, sim_offering(signoff=True), {"sim_type": "esim"})
    upcoming = page.locator(".my-timeline-next .my-moment-title")
    login(alice.username, PASSWORD)

    page.goto(f"{live_server.url}/my/orders/{order.number}/")
    expect(upcoming).to_have_text(
        ["Now: Activate SIM", "Later: You test the service and sign off", "Later: Start billing", "Later: All done"]
    )

    orchestration.record_task_result(order.tasks.get(code="activate-sim"), succeeded=True)
    page.reload()
    expect(upcoming).to_have_text(["Now: Test the service and sign off", "Later: Start billing", "Later: All done"])
    assert order.tasks.get(code="start-billing").state == TaskState.WAITING
    snapshot(page, "desktop_awaiting_signoff_billing_after")
    # Delivered: too late to cancel, in the customer's words, and the agent's console agrees.
    expect(page.get_by_role("link", name="Cancel this order")).to_have_count(0)
    expect(page.get_by_text("Everything in this order is delivered, so it can no longer be cancelled.")).to_be_visible()
    console = signed_in_context(browser, live_server, AgentFactory()).new_page()
    console.goto(f"{live_server.url}/agent/orders/{order.number}/")
    actions = console.locator("#actions")
    expect(actions).to_contain_text("is delivered and waits for the customer's sign-off: too late to cancel it.")
    expect(actions.get_by_text("Request cancellation")).to_have_count(0)
    snapshot(console, "console_awaiting_signoff_not_cancellable")
    console.context.close()

    page.get_by_role("link", name="Sign off delivery").click()
    page.get_by_label("Everything works").check()
    page.get_by_label("I accept the delivery").check()
    page.get_by_role("button", name="Send my sign-off").click()

    expect(page.get_by_text("You signed off the delivery")).to_be_visible()
    expect(upcoming.first).to_have_text("Now: Start billing")
    order.refresh_from_db()
    assert order.state == OrderState.IN_PROGRESS


def test_an_amended_order_tells_the_customer_what_changed(login, page, live_server, alice, manual_downstream):
    agent = AgentFactory()
    order = place_order(agent, alice.customer, sim_offering(), {"sim_type": "physical", "spend_cap": 40})
    revision = start_amendment(order, by=agent)
    update_item(revision.items.get(), by=agent, characteristics={"sim_type": "physical", "spend_cap": 60})
    submit_order(revision, by=agent)
    login(alice.username, PASSWORD)

    page.goto(f"{live_server.url}/my/orders/{revision.number}/")
    changes = page.get_by_role("region", name="What we changed")
    expect(changes).to_contain_text("Monthly spend cap: £40 → £60")
    expect(changes.get_by_role("link", name=order.number)).to_be_visible()
    snapshot(page, "desktop_amended_order")
    page.set_viewport_size(PHONE)
    assert fits(page)
    snapshot(page, "phone_amended_order")

    changes.get_by_role("link", name=order.number).click()
    expect(page.get_by_role("region", name="What changes in the new order")).to_contain_text(
        "Monthly spend cap: £40 → £60"
    )


def test_only_addresses_that_can_have_it_are_offered_with_the_reason_for_the_others(
    login, page, live_server, alice, manual_downstream
):
    fibre_offering()
    validated_address(alice.customer, NO_FIBRE_STREET)
    login(alice.username, PASSWORD)

    page.goto(f"{live_server.url}/my/orders/new/")
    page.get_by_role("button", name="Choose Fibre Broadband 500").click()

    expect(page.get_by_text("Installed at 12 Mill Lane")).to_be_visible()
    expect(page.get_by_role("radio")).to_have_count(0)  # one address can have it: nothing to choose
    expect(page.get_by_text("Fibre Broadband 500 is not available at 9 Church Lane")).to_be_visible()
    snapshot(page, "desktop_details_qualified_addresses")
    page.get_by_label("Router").select_option("hub-6")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check and send")).to_be_visible()
    expect(page.get_by_text("12 Mill Lane")).to_be_visible()
