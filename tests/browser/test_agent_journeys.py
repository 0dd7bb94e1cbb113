"""Agent journeys in Chromium, as an agent works: capture, change what customers have, amend, and what is refused.

Set SCREENSHOTS_DIR=/some/dir to save a full-page PNG of every console page the journeys pass through.
"""

import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from customers.models import CreditClass, ProductStatus
from orders.demo import seed_catalog
from orders.models import Order, OrderState
from orders.services import add_item, create_draft_order, record_initiating_request, submit_order
from tests.browser.test_screens import assert_page_skeleton, csp_violations, snapshot, watch_console
from tests.factories import (
    PASSWORD,
    AgentFactory,
    CustomerFactory,
    InstalledProductFactory,
    OrganisationFactory,
    valid_address,
)

# Orders stay where submission put them: no simulated downstream system moves them on.
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("manual_downstream")]


class Journey:
    """The agent's hands: every click, field entry and choice goes through here and is counted."""

    def __init__(self, page):
        self.page = page
        self.interactions = 0

    def click(self, locator):
        locator.click()
        self.interactions += 1

    def fill(self, locator, text):
        locator.fill(text)
        self.interactions += 1

    def choose(self, locator, value):
        locator.select_option(value)
        self.interactions += 1

    def check(self, locator):
        locator.check()
        self.interactions += 1

    def press(self, locator, key):
        locator.press(key)
        self.interactions += 1


def labelled(container, label):
    """A field by its label, whatever required mark follows it."""
    return container.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


@pytest.fixture
def shop(transactional_db):
    catalog = seed_catalog()
    alice = CustomerFactory(name="Alice Morgan", credit_class=CreditClass.A)
    harbourside = OrganisationFactory(name="Harbourside Logistics Ltd", credit_class=CreditClass.A)
    bob = CustomerFactory(name="Bob Hughes", credit_class=CreditClass.B)
    mobile = InstalledProductFactory(
        customer=alice,
        offering=catalog["mobile-unlimited"],
        name="Mobile Unlimited",
        status=ProductStatus.ACTIVE,
        characteristics={"sim_type": "esim"},
    )
    return SimpleNamespace(
        catalog=catalog,
        alice=alice,
        alice_home=valid_address(alice, "Mill Lane", "12"),
        harbourside=harbourside,
        harbourside_office=valid_address(harbourside, "Harbour Way", "5"),
        bob=bob,
        mobile=mobile,
        agent=AgentFactory(first_name="Sam", last_name="Taylor"),
    )


@pytest.fixture
def console(page, login, shop):
    """An agent signed in, with the page's console errors collected."""
    problems = watch_console(page)
    login(shop.agent.username, PASSWORD)
    expect(page).to_have_url(re.compile(r"/agent/$"))
    yield Journey(page)
    assert csp_violations(problems) == []
    assert problems == []


def mobile_order(shop, *, sim_type="physical"):
    """An order that stays before its point of no return: its SIM waits to be shipped."""
    request = record_initiating_request(customer=shop.alice, by=shop.agent, kind="sales_proposal", reference="Q-2")
    order = create_draft_order(customer=shop.alice, by=shop.agent, initiating_request=request)
    add_item(order, by=shop.agent, offering=shop.catalog["mobile-unlimited"], characteristics={"sim_type": sim_type})
    submit_order(order, by=shop.agent)
    order.refresh_from_db()
    return order


def broadband_order(shop, *, router="hub-6", special_requirements=""):
    request = record_initiating_request(customer=shop.alice, by=shop.agent, kind="sales_proposal", reference="Q-1")
    order = create_draft_order(
        customer=shop.alice, by=shop.agent, initiating_request=request, special_requirements=special_requirements
    )
    add_item(
        order,
        by=shop.agent,
        offering=shop.catalog["fibre-500"],
        characteristics={"router": router},
        install_address=shop.alice_home,
    )
    submit_order(order, by=shop.agent)
    order.refresh_from_db()
    return order


def test_a_standard_broadband_order_for_an_existing_customer_is_issued_within_twenty_interactions(console, page, shop):
    agent = console

    agent.fill(page.get_by_label("Find a customer"), "Alice")
    agent.press(page.get_by_label("Find a customer"), "Enter")
    agent.click(page.get_by_role("link", name="New order for Alice Morgan"))
    assert_page_skeleton(page)
    expect(page.get_by_role("navigation", name="Order capture steps")).to_contain_text("Step 1 of 5")
    snapshot(page, "agent_capture_1_request")
    agent.choose(page.get_by_label("What led to this order"), "sales_proposal")
    agent.fill(page.get_by_label("Reference"), "Q-1001")
    agent.click(page.get_by_role("button", name="Start the order"))

    expect(page.get_by_text(re.compile(r"Draft ORD-\d+ started"))).to_be_visible()
    snapshot(page, "agent_capture_2_products")
    agent.click(page.get_by_role("button", name="Add Fibre Broadband 500"))
    expect(page.get_by_role("region", name="In this order")).to_contain_text("Fibre Broadband 500")
    agent.click(page.get_by_role("link", name="Continue"))

    agent.choose(labelled(page, "Router"), "hub-6")
    snapshot(page, "agent_capture_3_configure")
    agent.click(page.get_by_role("button", name="Save and continue"))

    expect(page.get_by_label(re.compile("12 Mill Lane"))).to_be_checked()  # the only address, chosen already
    snapshot(page, "agent_capture_4_delivery")
    agent.click(page.get_by_role("button", name="Save and review"))

    expect(page.get_by_role("heading", name="Ready to submit")).to_be_visible()
    expect(page.get_by_text("£37.99").first).to_be_visible()
    snapshot(page, "agent_capture_5_review")
    agent.click(page.get_by_role("button", name="Submit order"))

    expect(page.get_by_role("heading", name="Issued")).to_be_visible()
    snapshot(page, "agent_capture_6_outcome_issued")
    assert agent.interactions <= 20, f"{agent.interactions} interactions"
    order = Order.objects.get(customer=shop.alice)
    assert (order.state, order.channel, order.captured_by) == (OrderState.IN_PROGRESS, "call_centre", shop.agent)


def test_a_hosted_pbx_with_a_missing_extension_shows_the_error_at_its_handset_then_goes_through(
    console, page, shop, live_server
):
    agent = console
    page.goto(f"{live_server.url}/agent/customers/{shop.harbourside.number}/")
    agent.click(page.get_by_role("link", name="New order").first)
    agent.choose(page.get_by_label("What led to this order"), "sales_proposal")
    agent.click(page.get_by_role("button", name="Start the order"))
    agent.click(page.get_by_role("button", name="Add Hosted Voice PBX"))
    agent.click(page.get_by_role("link", name="Continue"))

    agent.fill(labelled(page, "Main business number"), "+44 1632 960200")
    # Repeatable groups are grids: each input is named by its row and column.
    agent.fill(page.get_by_label("User group 1 › Group name", exact=True), "Sales")
    agent.choose(page.get_by_label("User group 1 › Ringing pattern", exact=True), "simultaneous")
    # Rows are added by keyboard: the new row's first field takes the focus.
    add = page.get_by_role("button", name="Add handset")
    add.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Handset 2 › Model", exact=True)).to_be_focused()
    agent.click(add)
    for number, extension in ((1, "201"), (2, "202"), (3, "")):
        agent.choose(page.get_by_label(f"Handset {number} › Model", exact=True), "yealink-t54w")
        if extension:
            agent.fill(page.get_by_label(f"Handset {number} › Extension", exact=True), extension)
        agent.fill(page.get_by_label(f"Handset {number} › User", exact=True), f"User {number}")
        # offered from the group typed above
        agent.choose(page.get_by_label(f"Handset {number} › User group", exact=True), "Sales")
    agent.click(page.get_by_role("button", name="Save and continue"))

    third = page.get_by_label("Handset 3 › Extension", exact=True)
    expect(page.locator("tr", has=third).get_by_text("This field is required.")).to_be_visible()
    expect(third).to_have_attribute("aria-invalid", "true")
    for number in (1, 2):
        row = page.locator("tr", has=page.get_by_label(f"Handset {number} › Extension", exact=True))
        expect(row.locator(".is-invalid")).to_have_count(0)
    expect(page.get_by_role("link", name="Item 1 · Handset 3 › Extension: This field is required.")).to_be_visible()
    snapshot(page, "agent_capture_3_configure_error_at_row")

    agent.fill(third, "301")
    agent.click(page.get_by_role("button", name="Save and continue"))
    agent.click(page.get_by_role("button", name="Save and review"))
    expect(page.get_by_role("heading", name="Ready to submit")).to_be_visible()
    expect(page.get_by_text("Handset 3")).to_be_visible()
    snapshot(page, "agent_capture_5_review_pbx")
    agent.click(page.get_by_role("button", name="Submit order"))

    expect(page.get_by_role("heading", name="Issued")).to_be_visible()
    item = Order.objects.get(customer=shop.harbourside).items.get()
    assert [h["extension"] for h in item.characteristics["handsets"]] == ["201", "202", "301"]


def test_an_order_with_special_requirements_is_held_and_the_reason_is_shown(console, page, shop, live_server):
    agent = console
    page.goto(f"{live_server.url}/agent/orders/new/?customer={shop.alice.number}")
    agent.choose(page.get_by_label("What led to this order"), "sales_proposal")
    agent.click(page.get_by_role("button", name="Start the order"))
    agent.click(page.get_by_role("button", name="Add Fibre Broadband 900"))
    agent.click(page.get_by_role("link", name="Continue"))
    agent.choose(labelled(page, "Router"), "mesh-pack")
    agent.click(page.get_by_role("button", name="Save and continue"))
    agent.fill(
        page.get_by_role("textbox", name="Special requirements"), "Customer uses a wheelchair; ground floor only"
    )
    agent.click(page.get_by_role("button", name="Save and review"))

    expect(page.get_by_text("held for special handling")).to_be_visible()
    agent.click(page.get_by_role("button", name="Submit order"))

    expect(page.get_by_role("heading", name="Held for special handling")).to_be_visible()
    expect(page.get_by_text("Special requirements: Customer uses a wheelchair; ground floor only")).to_be_visible()
    expect(page.get_by_text("No positive feasibility assessment on record.")).to_be_visible()
    snapshot(page, "agent_capture_6_outcome_held")
    assert Order.objects.get(customer=shop.alice).state == OrderState.HELD


def test_an_agent_suspends_an_installed_product_from_the_customer_page(console, page, shop, live_server):
    agent = console
    page.goto(f"{live_server.url}/agent/customers/{shop.alice.number}/")
    assert_page_skeleton(page)
    snapshot(page, "agent_customer_detail")

    agent.click(page.get_by_role("link", name="Suspend Mobile Unlimited"))
    agent.fill(page.get_by_label("Reason"), "Travelling for three months")
    snapshot(page, "agent_product_action_suspend")
    agent.click(page.get_by_role("button", name="Start the change order"))

    expect(page.get_by_role("heading", name="Ready to submit")).to_be_visible()
    expect(page.get_by_text("Suspend", exact=True)).to_be_visible()
    agent.click(page.get_by_role("button", name="Submit order"))

    expect(page.get_by_role("heading", name="Issued")).to_be_visible()
    item = Order.objects.get(customer=shop.alice).items.get()
    assert (item.intent, item.product) == ("suspend", shop.mobile)
    page.goto(f"{live_server.url}/agent/customers/{shop.alice.number}/")
    expect(page.get_by_role("row", name=re.compile("Mobile Unlimited"))).to_contain_text("Open order")


def test_an_agent_transfers_a_product_to_another_customer(console, page, shop, live_server):
    agent = console
    page.goto(f"{live_server.url}/agent/customers/{shop.alice.number}/")
    agent.click(page.get_by_role("link", name="Transfer Mobile Unlimited"))

    agent.fill(page.get_by_label(re.compile("^Search by name")), "Hughes")
    agent.check(page.get_by_role("radio", name=re.compile("Bob Hughes")))
    snapshot(page, "agent_product_action_transfer")
    agent.click(page.get_by_role("button", name="Start the change order"))

    expect(page.get_by_text(re.compile("New owner: Bob Hughes"))).to_be_visible()
    agent.click(page.get_by_role("button", name="Submit order"))

    expect(page.get_by_role("heading", name="Issued")).to_be_visible()
    item = Order.objects.get(customer=shop.alice).items.get()
    assert (item.intent, item.new_owner) == ("change_ownership", shop.bob)


def test_an_agent_amends_an_order_in_flight_and_sees_the_difference(console, page, shop, live_server):
    agent = console
    original = mobile_order(shop, sim_type="physical")
    assert original.state == OrderState.IN_PROGRESS
    page.goto(f"{live_server.url}/agent/orders/{original.number}/")
    assert_page_skeleton(page)
    snapshot(page, "agent_order_detail_in_flight")

    agent.click(page.get_by_role("button", name="Amend order"))
    expect(page.get_by_role("heading", name=f"Amend {original.number}")).to_be_visible()
    agent.choose(labelled(page, "SIM"), "esim")
    agent.click(page.get_by_role("button", name="Save and continue"))
    agent.click(page.get_by_role("button", name="Save and review"))

    changes = page.get_by_role("region", name=f"Changes from {original.number}")
    expect(changes.get_by_role("row", name=re.compile("Item 1 · SIM"))).to_contain_text("Physical SIM")
    expect(changes.get_by_role("row", name=re.compile("Item 1 · SIM"))).to_contain_text("eSIM")
    snapshot(page, "agent_capture_5_review_amendment")
    agent.click(page.get_by_role("button", name="Submit order"))
    expect(page.get_by_role("heading", name="Issued")).to_be_visible()
    expect(page.get_by_text(f"it replaces {original.number}")).to_be_visible()

    agent.click(page.get_by_role("link", name="Open the order"))
    revisions = page.get_by_role("region", name="Revisions")
    expect(revisions.get_by_role("row", name=re.compile("Item 1 · SIM"))).to_contain_text("eSIM")
    snapshot(page, "agent_order_detail_revision")
    page.goto(f"{live_server.url}/agent/orders/{original.number}/")
    expect(page.get_by_role("status").filter(has_text="Superseded by revision 2")).to_be_visible()
    expect(page.get_by_role("button", name="Amend order")).to_have_count(0)


def test_an_agent_sees_no_approval_and_a_forged_approval_is_refused(console, page, shop, live_server):
    held = broadband_order(shop, special_requirements="Fit in the loft")
    assert held.state == OrderState.HELD
    page.goto(f"{live_server.url}/agent/orders/{held.number}/")

    expect(page.get_by_role("heading", name="Held for special handling")).to_be_visible()
    expect(page.get_by_text("Approve special handling")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("Approve"))).to_have_count(0)
    expect(page.get_by_text("Request cancellation").first).to_be_visible()
    snapshot(page, "agent_order_detail_held")

    token = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    forged = page.request.post(
        f"{live_server.url}/agent/orders/{held.number}/approve/",
        form={"csrfmiddlewaretoken": token, "note": "looks fine"},
        headers={"Referer": page.url},
    )

    assert forged.status == 403
    held.refresh_from_db()
    assert held.state == OrderState.HELD
    assert not held.events.filter(transition="approve").exists()


def test_the_order_list_filters_and_the_customer_pages_render_cleanly(console, page, shop, live_server):
    broadband_order(shop, special_requirements="Loft")
    broadband_order(shop)

    page.goto(f"{live_server.url}/agent/orders/")
    assert_page_skeleton(page)
    expect(page.get_by_role("table").get_by_role("row")).to_have_count(3)
    page.get_by_label("Special handling").select_option("yes")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("table").get_by_role("row")).to_have_count(2)
    snapshot(page, "agent_order_list")

    page.goto(f"{live_server.url}/agent/customers/new/")
    assert_page_skeleton(page)
    snapshot(page, "agent_customer_create")
    page.get_by_label("Full name or legal name").fill("Fatima Khan")
    page.get_by_label("Phone").fill("+44 7700 900555")
    page.get_by_role("button", name="Create and add the address").click()

    expect(page.get_by_role("heading", name="New customer: address")).to_be_visible()
    page.get_by_label("House number").fill("101")
    page.get_by_label("Street").fill("station")
    suggestion = page.get_by_role("button", name=re.compile("101 Station Road"))
    expect(suggestion).to_be_visible()
    snapshot(page, "agent_address_suggestions")
    suggestion.click()
    expect(page.get_by_label("Postcode")).to_have_value("RV1 3SR")
    page.get_by_role("button", name="Save the address").click()

    expect(page.get_by_role("heading", name="Fatima Khan")).to_be_visible()
    expect(page.get_by_text("101 Station Road, Riverton RV1 3SR", exact=True)).to_be_visible()

    page.goto(f"{live_server.url}/agent/")
    snapshot(page, "agent_home_with_orders")


def held_until_released(page, pattern):
    """Requests for `pattern` wait until the test releases them, as on a slow connection."""
    held = []

    def hold(route):
        held.append(route)

    page.route(pattern, hold)

    def release():
        for route in held:
            route.continue_()
        page.unroute(pattern)
        return len(held)

    return release


def test_what_is_typed_before_the_scripts_arrive_is_still_looked_up(console, page, shop, live_server):
    release_address_js = held_until_released(page, "**/js/address.js")
    page.goto(f"{live_server.url}/agent/customers/{shop.alice.number}/addresses/new/", wait_until="commit")
    page.get_by_label("House number").fill("101")
    page.get_by_label("Street").fill("station")
    assert release_address_js() == 1
    expect(page.get_by_role("button", name=re.compile("101 Station Road"))).to_be_visible()

    release_capture_js = held_until_released(page, "**/js/capture.js")
    page.goto(f"{live_server.url}/agent/customers/{shop.alice.number}/", wait_until="commit")
    page.get_by_role("link", name="Transfer Mobile Unlimited").click()
    page.get_by_label(re.compile("^Search by name")).fill("Hughes")
    assert release_capture_js() == 1
    expect(page.get_by_role("radio", name=re.compile("Bob Hughes"))).to_be_visible()
