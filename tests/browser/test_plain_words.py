"""The agent reads an order's timeline in plain words: detail changes folded into one entry that opens.

The order is placed with the real commands and fulfilled at once by the simulated downstream systems, so
its history holds a run of fulfilment milestones; the agent opens its page in a real browser.
Set SCREENSHOTS_DIR=/some/dir to save full-page PNGs (never committed).
"""

import re

from playwright.sync_api import expect

from orders.models import OrderState
from tests.browser.test_screens import csp_violations, snapshot, watch_console
from tests.factories import PASSWORD, AgentFactory
from tests.orders.test_plain_words import fulfilled_order


def run_now(command, *args, **kwargs):
    """In a transactional test, what a command queues after its commit runs as it commits."""
    return command(*args, **kwargs)


def test_the_agent_opens_the_folded_detail_changes_of_a_completed_order(login, page, live_server):
    agent = AgentFactory(first_name="Sam", last_name="Taylor")
    order = fulfilled_order(agent, run_now)
    assert order.state == OrderState.COMPLETED
    problems = watch_console(page)

    login(agent.username, PASSWORD)
    page.goto(f"{live_server.url}/agent/orders/{order.number}/")

    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Order placed")
    expect(timeline).not_to_contain_text(re.compile(r"ProductOrder\w*Event"))
    fold = timeline.locator("details.timeline-fold").first
    summary = fold.locator("summary")
    expect(summary).to_have_text(re.compile(r"Order details updated \(×\d+\)"))
    expect(fold.get_by_text("Start billing done")).to_be_hidden()

    summary.click()

    expect(fold.get_by_text(re.compile("Fulfilment progress: Start billing done"))).to_be_visible()
    expect(page.locator(".order-facts")).to_contain_text("Completed")
    expect(page.locator(".order-facts")).not_to_contain_text("Expected completion")
    snapshot(page, "agent_order_timeline_folded")
    assert csp_violations(problems) == []
