"""Order pages follow fulfilment by themselves: the agent and the customer watch an order's steps get done.

The order is placed with the real commands and a plan of three steps, one after the other; with the
manual downstream nothing moves until the test reports a step done through the real signed callback
(/fulfilment/callback/<system>, over HTTP to the live server, as a downstream system would). The page stays
open and is never reloaded by the test: htmx polls it every 3 s, so each change may take a few seconds.

Set SCREENSHOTS_DIR=/some/dir to save a full-page PNG mid-progress and at the end (never committed).
"""

import hashlib
import hmac
import json
import re
import urllib.request

import pytest
from django.conf import settings
from playwright.sync_api import expect

from customers.models import CreditClass
from orders.models import OrderState
from tests.browser.test_screens import csp_violations, snapshot, watch_console
from tests.factories import PASSWORD, AgentFactory, CustomerFactory, CustomerUserFactory
from tests.orders.test_live_progress_views import STEPS, place, three_step_offering

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("manual_downstream")]

# Polling every 3 s on a loaded CI machine: a change may take a while to show, never forever.
CHANGE = 15_000


@pytest.fixture
def order(transactional_db):
    agent = AgentFactory(first_name="Sam", last_name="Taylor")
    customer = CustomerFactory(name="Alice Morgan", credit_class=CreditClass.A)
    order = place(agent, customer, three_step_offering())
    assert order.state == OrderState.IN_PROGRESS
    order.agent = agent
    return order


def report_done(live_server, order, step: str) -> None:
    """A downstream system reports the step done through the signed callback."""
    task = order.tasks.get(name=step)
    body = json.dumps({"task": task.reference, "status": "completed", "reference": f"WO-{task.pk}"}).encode()
    # Each system signs with its own secret; in these tests (DEBUG on) that is the demo's.
    signature = hmac.new(settings.FULFILMENT_CALLBACK_DEMO_SECRET.encode(), body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(
        f"{live_server.url}/fulfilment/callback/{task.system}",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "X-Signature": f"sha256={signature}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.loads(response.read()) == {"task": task.reference, "accepted": True}


def count_polls(page) -> list:
    polls = []
    page.on("request", lambda request: polls.append(request.url) if request.headers.get("x-poll") == "1" else None)
    return polls


def test_the_agent_watches_the_order_complete_without_reloading(page, login, live_server, order):
    problems = watch_console(page)
    polls = count_polls(page)
    login(order.agent.username, PASSWORD)
    page.goto(f"{live_server.url}/agent/orders/{order.number}/")
    loaded = page.evaluate("performance.timeOrigin")

    header = page.locator("#order-live-state")
    expect(header.locator(".badge-state")).to_have_text("In progress")
    expect(header).to_contain_text("Following live")
    plan = page.locator("#fulfilment")

    def step_state(name):
        return plan.locator("tbody tr", has_text=name).locator(".badge-state")

    expect(step_state(STEPS[0])).to_have_text("Sent downstream")
    expect(step_state(STEPS[1])).to_have_text("Waiting for earlier steps")

    # The agent starts a note meanwhile: what they type must survive every update.
    page.get_by_text("Add a note", exact=True).click()
    note = page.get_by_role("textbox", name=re.compile(r"^Note\b"))
    note.fill("Customer asked for a call once the line is live")

    report_done(live_server, order, STEPS[0])
    expect(step_state(STEPS[0])).to_have_text("Done", timeout=CHANGE)
    expect(step_state(STEPS[1])).to_have_text("Sent downstream", timeout=CHANGE)
    expect(page.locator("#order-live-announce")).to_have_text(
        f"{order.number} is in progress, 1 of 3 steps done.", timeout=CHANGE
    )
    snapshot(page, "live_agent_in_progress")

    report_done(live_server, order, STEPS[1])
    expect(step_state(STEPS[1])).to_have_text("Done", timeout=CHANGE)
    report_done(live_server, order, STEPS[2])

    expect(header.locator(".badge-state")).to_have_text("Completed", timeout=CHANGE)
    for step in STEPS:
        expect(step_state(step)).to_have_text("Done")
    expect(header).not_to_contain_text("Following live")
    expect(page.locator("#order-items tbody tr").first.locator(".badge-state")).to_have_text("Completed")
    expect(page.locator("#timeline")).to_contain_text("In progress → Completed")
    notice = page.locator("#order-moved-on")
    expect(notice).to_contain_text("This order has moved on to completed since you opened the page")
    expect(notice.get_by_role("link", name="Reload to see the current actions")).to_be_visible()
    expect(page.locator("#order-live-announce")).to_contain_text(f"{order.number} is completed, 3 of 3 steps done.")
    expect(note).to_have_value("Customer asked for a call once the line is live")
    assert page.evaluate("performance.timeOrigin") == loaded, "the page was reloaded"
    snapshot(page, "live_agent_completed")

    # Completed: the badge came back without a trigger, so the page asks nothing more.
    asked = len(polls)
    page.wait_for_timeout(4_000)
    assert len(polls) == asked
    assert asked >= 3
    assert csp_violations(problems) == []
    assert problems == []


def test_the_customer_watches_her_order_get_done(page, login, live_server, order):
    alice = CustomerUserFactory(customer=order.customer)
    problems = watch_console(page)
    login(alice.username, PASSWORD)
    page.goto(f"{live_server.url}/my/orders/{order.number}/")
    loaded = page.evaluate("performance.timeOrigin")

    status = page.locator("#my-order-status")
    happened = page.locator("#my-order-progress .my-timeline:not(.my-timeline-next)")
    expect(status.locator(".badge-state")).to_have_text("In progress")
    expect(status).to_contain_text("This page updates by itself")
    expect(happened).not_to_contain_text(STEPS[0])
    cancel = page.get_by_role("link", name="Cancel this order")
    expect(cancel).to_be_visible()

    report_done(live_server, order, STEPS[0])
    expect(happened).to_contain_text(STEPS[0], timeout=CHANGE)
    snapshot(page, "live_customer_in_progress")

    report_done(live_server, order, STEPS[1])
    report_done(live_server, order, STEPS[2])
    expect(status.locator(".badge-state")).to_have_text("Done", timeout=CHANGE)
    expect(status).not_to_contain_text("This page updates by itself")
    expect(happened).to_contain_text(STEPS[2])
    expect(happened).to_contain_text("All done")
    expect(page.locator("#my-order-facts")).to_contain_text("Finished")
    expect(cancel).to_have_count(0)  # the header's links follow the order too: nothing to reload
    expect(page.locator("#order-moved-on")).to_be_empty()
    expect(page.locator("#order-live-announce")).to_have_text("Your order: Done, 3 of 3 steps done.")
    assert page.evaluate("performance.timeOrigin") == loaded, "the page was reloaded"
    snapshot(page, "live_customer_done")
    assert csp_violations(problems) == []
    assert problems == []
