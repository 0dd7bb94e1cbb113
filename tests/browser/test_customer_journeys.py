"""A customer follows and manages their orders without calling: journeys as Alice, in Chromium.

The data is made with the factories and the real commands (not seed_demo) to keep these fast.
Under live_server, on_commit callbacks run, so fulfilment is dispatched at once: with the default
simulated downstream an order may finish straight away; tests that need an order to stay in flight
set FULFILMENT_DOWNSTREAM = "manual".

Set SCREENSHOTS_DIR=/some/dir to save a full-page PNG at each step (never committed).
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from orders.models import Order, OrderState
from tests.factories import PASSWORD, AgentFactory, InstalledProductFactory
from tests.selfservice_helpers import (
    ask,
    awaiting_signoff,
    customer_login,
    fibre_offering,
    mobile_offering,
    mobile_order,
)

pytestmark = pytest.mark.browser

SCREENSHOTS_DIR = os.environ.get("SCREENSHOTS_DIR")


def snapshot(page, name):
    if SCREENSHOTS_DIR:
        Path(SCREENSHOTS_DIR).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS_DIR) / f"customer_{name}.png"), full_page=True)


def watch_console(page):
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


@pytest.fixture
def alice(transactional_db):
    return customer_login("Alice Morgan")


def test_alice_orders_broadband_and_sees_it_in_my_orders(login, page, live_server, alice, manual_downstream):
    fibre_offering()
    mobile_offering()
    problems = watch_console(page)
    login(alice.username, PASSWORD)

    page.get_by_role("link", name="Order something").first.click()
    expect(page.get_by_role("heading", name="Order something", level=1)).to_be_visible()
    expect(page.get_by_text("What you can have at 12 Mill Lane")).to_be_visible()
    snapshot(page, "order_choose")
    page.get_by_role("button", name="Choose Fibre Broadband 500").click()

    expect(page.get_by_role("heading", name="Fibre Broadband 500", level=1)).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("link", name=re.compile("Router: This field is required"))).to_be_visible()
    snapshot(page, "order_details_errors")
    page.get_by_label("Router").select_option(label="Home Hub 6 + mesh discs")
    page.get_by_label("Static IP address").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Check and send")).to_be_visible()
    expect(page.get_by_text("Home Hub 6 + mesh discs")).to_be_visible()
    snapshot(page, "order_review")
    page.get_by_role("button", name="Place my order").click()

    order = Order.objects.get(customer=alice.customer)
    expect(page).to_have_url(re.compile(rf"/my/orders/{order.number}/$"))
    expect(page.get_by_text("Your order is confirmed")).to_be_visible()
    expect(page.locator(".my-status .badge-state", has_text="In progress")).to_be_visible()
    expect(page.get_by_text("What comes next")).to_be_visible()
    snapshot(page, "order_placed")

    page.get_by_role("navigation", name="My account sections").get_by_role("link", name="My orders").click()
    row = page.locator(".my-order-row", has_text=order.number)
    expect(row).to_contain_text("Fibre Broadband 500")
    expect(row).to_contain_text("In progress")
    snapshot(page, "my_orders")
    assert problems == []


def test_alice_suspends_a_product(login, page, live_server, alice):
    InstalledProductFactory(
        customer=alice.customer, offering=mobile_offering(), name="Work phone", characteristics={"sim_type": "esim"}
    )
    problems = watch_console(page)
    login(alice.username, PASSWORD)

    sections = page.get_by_role("navigation", name="My account sections")
    sections.get_by_role("link", name="My products").click()
    snapshot(page, "my_products")
    page.get_by_role("link", name="Suspend Work phone").click()
    expect(page.get_by_role("heading", name="Suspend Work phone")).to_be_visible()
    page.get_by_label("Anything we should know?").fill("Travelling for three months")
    snapshot(page, "product_suspend")
    page.get_by_role("button", name="Suspend it").click()

    expect(page.get_by_text("Your request to suspend Work phone")).to_be_visible()
    snapshot(page, "product_suspend_sent")
    sections.get_by_role("link", name="My products").click()
    # The simulated downstream finished the suspension at once: the product is suspended, and can be resumed.
    card = page.locator(".my-product", has_text="Work phone")
    expect(card.locator(".badge-state", has_text="Suspended")).to_be_visible()
    expect(card.get_by_role("link", name="Resume Work phone")).to_be_visible()
    assert problems == []


def test_alice_answers_a_question_and_the_order_moves_on(login, page, live_server, alice, manual_downstream):
    order = mobile_order(AgentFactory(), alice.customer)
    ask(order, "Do you want to keep your current number?")
    problems = watch_console(page)
    login(alice.username, PASSWORD)

    attention = page.locator(".my-attention")
    expect(attention).to_contain_text("Answer our question")
    attention.get_by_role("link", name=re.compile(order.number)).click()
    expect(page.locator(".my-status .badge-state", has_text="Waiting for you")).to_be_visible()
    expect(page.get_by_text("Do you want to keep your current number?").first).to_be_visible()
    snapshot(page, "order_question")

    page.get_by_label("Your answer").fill("Yes please: 07700 900123")
    page.get_by_role("button", name="Send my answer").click()

    expect(page.get_by_text("we have your answer")).to_be_visible()
    expect(page.locator(".my-status .badge-state", has_text="In progress")).to_be_visible()
    expect(page.get_by_text("You answered")).to_be_visible()
    snapshot(page, "order_answered")
    order.refresh_from_db()
    assert order.state == OrderState.IN_PROGRESS
    assert problems == []


def test_alice_cancels_an_order(login, page, live_server, alice, manual_downstream):
    order = mobile_order(AgentFactory(), alice.customer)
    problems = watch_console(page)
    login(alice.username, PASSWORD)

    page.goto(f"{live_server.url}/my/orders/{order.number}/")
    page.get_by_role("link", name="Cancel this order").click()
    expect(page.get_by_role("heading", name=f"Cancel order {order.number}?")).to_be_visible()
    page.get_by_label("Why do you want to cancel?").fill("I found a better deal")
    snapshot(page, "order_cancel")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cancel the order").click()

    expect(page.get_by_text(f"{order.number} is cancelled")).to_be_visible()
    expect(page.locator(".my-status .badge-state", has_text="Cancelled")).to_be_visible()
    expect(page.get_by_role("link", name="Cancel this order")).to_have_count(0)
    snapshot(page, "order_cancelled")
    assert problems == []


def test_alice_deletes_an_order_she_started_and_never_sent(login, page, live_server, alice):
    fibre_offering()
    problems = watch_console(page)
    login(alice.username, PASSWORD)
    page.get_by_role("link", name="Order something").first.click()
    page.get_by_role("button", name="Choose Fibre Broadband 500").click()
    expect(page.get_by_role("heading", name="Fibre Broadband 500", level=1)).to_be_visible()
    draft = Order.objects.get(customer=alice.customer)

    page.goto(f"{live_server.url}/my/orders/{draft.number}/")
    snapshot(page, "customer_order_draft")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete this unsent order").click()

    expect(page.get_by_text(f"Your unsent order {draft.number} is deleted")).to_be_visible()
    expect(page.locator(".my-order-row", has_text=draft.number)).to_have_count(0)
    draft.refresh_from_db()
    assert draft.state == "cancelled"
    assert problems == []


def test_alice_signs_off_a_delivery(login, page, live_server, alice, manual_downstream):
    order = awaiting_signoff(alice.customer)
    problems = watch_console(page)
    login(alice.username, PASSWORD)

    page.goto(f"{live_server.url}/my/orders/{order.number}/")
    expect(page.get_by_text("Everything is delivered. Please test it and sign off")).to_be_visible()
    snapshot(page, "order_awaiting_signoff")
    page.get_by_role("link", name="Sign off delivery").click()

    page.get_by_label("Everything works").check()
    page.get_by_label("I accept the delivery").check()
    page.get_by_label("No training, thanks").check()
    snapshot(page, "order_signoff")
    page.get_by_role("button", name="Send my sign-off").click()

    expect(page.get_by_text("Thank you for signing off")).to_be_visible()
    expect(page.locator(".my-status .badge-state", has_text="Done")).to_be_visible()
    expect(page.get_by_text("You signed off the delivery")).to_be_visible()
    assert problems == []


def test_the_order_page_reads_well_on_a_phone(login, page, live_server, alice, manual_downstream):
    order = mobile_order(AgentFactory(), alice.customer)
    ask(order, "Which colour SIM tray does your phone have?")
    page.set_viewport_size({"width": 390, "height": 844})
    login(alice.username, PASSWORD)

    page.goto(f"{live_server.url}/my/orders/{order.number}/")

    expect(page.get_by_role("heading", name=f"Order {order.number}")).to_be_visible()
    expect(page.get_by_label("Your answer")).to_be_visible()
    # Nothing sticks out sideways on a narrow screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    snapshot(page, "order_phone")
    page.goto(f"{live_server.url}/my/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    snapshot(page, "home_phone")
