"""Lines have numbers people recognise (issue 16): chosen at capture, shown on the order, the customer 360 and /my/.

Set SCREENSHOTS_DIR=/some/dir to save a full-page PNG of the pages the journey passes through.
"""

import re

import pytest
from playwright.sync_api import expect

from customers.models import NumberStatus, TelephoneNumber
from customers.number_pool import add_number_range
from orders.demo import seed_catalog
from orders.models import Order, OrderState
from tests.browser.test_agent_journeys import Journey, labelled, shop  # noqa: F401 (the shop fixture)
from tests.browser.test_screens import assert_page_skeleton, csp_violations, snapshot, watch_console
from tests.factories import PASSWORD, CustomerUserFactory
from tests.selfservice_helpers import customer_login

pytestmark = pytest.mark.browser


@pytest.fixture
def pool(transactional_db):
    add_number_range("07700 900100", "07700 900109")


def test_an_agent_gives_bobs_new_line_the_number_he_chose_and_everyone_sees_it(
    page,
    login,
    live_server,
    shop,  # noqa: F811 (the fixture imported above)
    pool,
):
    problems = watch_console(page)
    login(shop.agent.username, PASSWORD)
    agent = Journey(page)

    agent.fill(page.get_by_label("Find a customer"), "Bob")
    agent.press(page.get_by_label("Find a customer"), "Enter")
    agent.click(page.get_by_role("link", name="New order for Bob Hughes"))
    agent.choose(page.get_by_label("What led to this order"), "sales_proposal")
    agent.click(page.get_by_role("button", name="Start the order"))
    agent.click(page.get_by_role("button", name="Add Mobile Unlimited"))
    agent.click(page.get_by_role("link", name="Continue"))

    agent.choose(labelled(page, "SIM"), "esim")
    numbers = page.get_by_role("group", name=re.compile("^Phone number"))
    expect(numbers.get_by_role("radio")).to_have_count(7)  # five free numbers, any number, keep one
    agent.check(numbers.get_by_label("07700 900102"))
    snapshot(page, "numbers_capture_configure")
    agent.click(page.get_by_role("button", name="Save and continue"))
    assert TelephoneNumber.objects.get(e164="+447700900102").status == NumberStatus.RESERVED

    if page.get_by_role("button", name="Save and review").count():
        agent.click(page.get_by_role("button", name="Save and review"))
    expect(page.get_by_role("heading", name="Ready to submit")).to_be_visible()
    expect(page.get_by_text("07700 900102").first).to_be_visible()
    snapshot(page, "numbers_capture_review")
    agent.click(page.get_by_role("button", name="Submit order"))

    order = Order.objects.get(customer=shop.bob)
    expect(page.get_by_role("heading", name=re.compile("Issued|Completed|Done"))).to_be_visible()
    page.goto(f"{live_server.url}/agent/orders/{order.number}/")
    assert_page_skeleton(page)
    expect(page.get_by_text("07700 900102").first).to_be_visible()
    snapshot(page, "numbers_order_page")
    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED  # the simulated network activated the line at once

    page.goto(f"{live_server.url}/agent/customers/{shop.bob.number}/")
    expect(page.get_by_text("Mobile Unlimited · 07700 900102")).to_be_visible()
    snapshot(page, "numbers_customer_360")

    # The agent's search finds Bob by his line's number, typed as he reads it out.
    page.goto(f"{live_server.url}/agent/")
    agent.fill(page.get_by_label("Find a customer"), "07700 900 102")
    agent.press(page.get_by_label("Find a customer"), "Enter")
    expect(page.get_by_role("link", name="New order for Bob Hughes")).to_be_visible()
    assert csp_violations(problems) == [] and problems == []

    page.context.clear_cookies()
    bob = CustomerUserFactory(customer=shop.bob)
    login(bob.username, PASSWORD)
    expect(page.get_by_text("Mobile Unlimited · 07700 900102").filter(visible=True)).to_be_visible()
    snapshot(page, "numbers_selfservice_home")
    page.goto(f"{live_server.url}/my/products/")
    expect(page.get_by_role("heading", name="Mobile Unlimited · 07700 900102")).to_be_visible()
    snapshot(page, "numbers_selfservice_products")


def test_a_customer_keeps_her_number_and_is_told_the_pac_rule_on_her_phone(page, login, live_server, pool):
    seed_catalog()
    alice = customer_login("Alice Morgan")
    problems = watch_console(page)
    page.set_viewport_size({"width": 390, "height": 844})
    login(alice.username, PASSWORD)

    page.get_by_role("link", name="Order something").first.click()
    page.get_by_role("button", name="Choose Mobile Unlimited").click()
    expect(page.get_by_role("heading", name="Mobile Unlimited", level=1)).to_be_visible()
    page.get_by_label("SIM").select_option(label="eSIM")
    numbers = page.get_by_role("group", name=re.compile("^Phone number"))
    expect(numbers.get_by_label("07700 900100")).to_be_visible()
    expect(numbers.get_by_label("PAC code")).to_be_hidden()  # asked only when keeping a number
    numbers.get_by_label("Keep a number from another provider").check()
    numbers.get_by_label("Number to keep").fill("07400 123 456")
    numbers.get_by_label("Current provider").fill("Vodafone")
    numbers.get_by_label("PAC code").fill("AB123")
    snapshot(page, "numbers_selfservice_keep_390")
    page.get_by_role("button", name="Continue").click()

    rule = "Must be 3 letters and 6 digits, like ABC123456 (text PAC to 65075 to get it)."
    expect(page.get_by_role("link", name=f"Phone number › PAC code: {rule}")).to_be_visible()
    expect(page.get_by_text(rule, exact=True)).to_be_visible()  # next to the field too
    snapshot(page, "numbers_selfservice_pac_error_390")
    page.get_by_label("PAC code").fill("abc123456")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Check and send")).to_be_visible()
    expect(page.get_by_text("07400 123456 (kept, moving over)")).to_be_visible()
    porting = TelephoneNumber.objects.get(e164="+447400123456")
    assert (porting.status, porting.ported_from) == (NumberStatus.PORTING_IN, "Vodafone")
    snapshot(page, "numbers_selfservice_review_390")
    assert problems == []
