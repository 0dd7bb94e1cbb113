"""The agent's small trips, in Chromium: what is required shows before submit, an unknown street still gets
suggestions the keyboard can pick, and repackaging fibre 500 → 900 does not ask for the router again.

Set SCREENSHOTS_DIR=/some/dir to keep a full-page PNG of each page these journeys look at.
"""

import re

import pytest
from playwright.sync_api import expect

from customers.models import Address, ProductStatus
from orders.models import LifecycleStatus, Order
from tests.browser.test_agent_journeys import console, labelled, shop  # noqa: F401 (fixtures reused)
from tests.browser.test_screens import snapshot
from tests.factories import InstalledProductFactory, OfferingFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("manual_downstream")]


def field(container, label):
    """A field by its label, whatever the whitespace and required mark around it."""
    return container.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


def test_required_fields_are_marked_before_anything_is_submitted(console, page, shop, live_server):  # noqa: F811
    page.goto(f"{live_server.url}/agent/customers/new/")

    form = page.locator("main form")
    expect(form.get_by_text("* Required")).to_be_visible()
    expect(field(form, "Full name or legal name")).to_have_attribute("required", "")
    expect(form.locator("legend", has_text="How to reach them")).to_contain_text("*")
    rule = form.get_by_text("Give a phone number or an email (at least one).")
    expect(rule).to_be_visible()
    for label in ("Phone", "Email"):
        expect(field(form, label)).to_have_attribute("aria-describedby", re.compile("contact-rule"))
    snapshot(page, "agent_trip_required_new_customer")
    page.get_by_role("button", name="Create and add the address").click()
    summary = page.get_by_role("alert").filter(has_text="to fix")
    expect(summary).to_contain_text("Full name or legal name: This field is required.")
    expect(summary).to_contain_text("Phone: Give at least a phone number or an email address.")
    snapshot(page, "agent_trip_required_new_customer_errors")
    summary.get_by_role("link", name=re.compile("^Full name")).click()
    expect(field(form, "Full name or legal name")).to_be_focused()

    page.goto(f"{live_server.url}/agent/customers/{shop.alice.number}/")
    page.get_by_role("link", name="New order").first.click()
    what_led = field(page, "What led to this order")
    expect(what_led).to_have_attribute("required", "")
    expect(
        page.locator("label", has=page.locator(".asteriskField")).filter(has_text="What led to this order")
    ).to_be_visible()
    expect(page.get_by_text("* Required")).to_be_visible()
    snapshot(page, "agent_trip_required_request_step")


def test_an_unknown_street_gets_the_villages_streets_and_the_keyboard_picks_one(
    console,  # noqa: F811
    page,
    shop,  # noqa: F811
    live_server,
):
    page.goto(f"{live_server.url}/agent/customers/{shop.bob.number}/addresses/new/")
    field(page, "House number").fill("5")
    field(page, "Town").fill("Oakhurst")
    field(page, "Street").fill("Nowhere Rd")

    expect(
        page.get_by_text("We know no street called “Nowhere Rd” there. Did you mean one of the streets in Oakhurst?")
    ).to_be_visible()
    expect(page.locator(".js-address-suggestion")).to_have_count(7)
    snapshot(page, "agent_trip_street_suggestions_as_typed")

    # Keyboard only: from the town, the last field, Tab on through the suggestions and press Enter.
    field(page, "Town").focus()
    for _ in range(3):
        page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="5 Forge Lane, Oakhurst RV7 1FL")).to_be_focused()
    page.keyboard.press("Enter")
    expect(field(page, "Street")).to_have_value("Forge Lane")
    expect(field(page, "Postcode")).to_have_value("RV7 1FL")
    expect(field(page, "Town")).to_have_value("Oakhurst")
    page.get_by_role("button", name="Save the address").click()

    expect(page.get_by_text("Address added: 5 Forge Lane")).to_be_visible()
    assert Address.objects.get(customer=shop.bob).reference_street.name == "Forge Lane"


def test_an_unknown_street_submitted_anyway_is_answered_with_a_did_you_mean_list(
    console,  # noqa: F811
    page,
    shop,  # noqa: F811
    live_server,
):
    page.goto(f"{live_server.url}/agent/customers/{shop.bob.number}/addresses/new/")
    field(page, "House number").fill("3")
    field(page, "Postcode").fill("RV8 9ZZ")
    field(page, "Street").fill("Zzyzx Boulevard")
    field(page, "Street").press("Enter")

    expect(page.get_by_text("No street called Zzyzx Boulevard in our address data").first).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Little Marston"))).to_have_count(6)
    snapshot(page, "agent_trip_street_suggestions_after_submit")
    page.get_by_role("button", name="3 Marston Road, Little Marston RV8 1MR").click()
    expect(field(page, "Postcode")).to_have_value("RV8 1MR")


def test_repackaging_fibre_500_into_900_keeps_the_router(console, page, shop, live_server):  # noqa: F811
    fibre = InstalledProductFactory(
        customer=shop.alice,
        offering=shop.catalog["fibre-500"],
        name="Fibre Broadband 500",
        status=ProductStatus.ACTIVE,
        install_address=shop.alice_home,
        characteristics={"router": "mesh-pack"},
    )
    OfferingFactory(
        code="leased-line",
        name="Leased Line 1G",
        lifecycle_status=LifecycleStatus.LAUNCHED,
        serviceable_technologies=["ethernet"],
        requires_install_address=True,
    )
    page.goto(f"{live_server.url}/agent/customers/{shop.alice.number}/")
    page.get_by_role("link", name="Repackage Fibre Broadband 500").click()

    offering = field(page, "Repackage into")
    expect(offering.locator("option")).to_have_text(
        ["Choose the new offering…", "Fibre Broadband 150", "Fibre Broadband 900"]
    )
    expect(page.get_by_text("Not offered here:")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Leased Line 1G is not available at 12 Mill Lane"))).to_be_visible()
    snapshot(page, "agent_trip_repackage_choose")
    offering.select_option(label="Fibre Broadband 900")
    page.get_by_role("button", name="Start the change order").click()

    router = labelled(page, "Router")
    expect(router).to_have_value("mesh-pack")
    snapshot(page, "agent_trip_repackage_configure")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.locator(".is-invalid")).to_have_count(0)
    item = Order.objects.get(customer=shop.alice).items.get()
    assert (item.product, item.offering.code, item.characteristics) == (fibre, "fibre-900", {"router": "mesh-pack"})
