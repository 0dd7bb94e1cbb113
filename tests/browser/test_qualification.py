"""Qualification comes first, in Chromium: before configuring anything, an agent sees what cannot be had, and why."""

import re

import pytest
from playwright.sync_api import expect

from orders.demo import seed_catalog
from orders.services import create_draft_order, record_initiating_request
from tests.browser.test_screens import assert_page_skeleton, csp_violations, snapshot, watch_console
from tests.factories import PASSWORD, AgentFactory, CustomerFactory, valid_address

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("manual_downstream")]


def test_the_products_step_refuses_fibre_where_there_is_none_and_the_hosted_pbx_to_a_person(
    page, login, live_server, transactional_db
):
    seed_catalog()
    agent = AgentFactory(first_name="Sam", last_name="Taylor")
    dana = CustomerFactory(name="Dana Price")
    home = valid_address(dana, "Church Lane", "9", postcode="RV9 7CL")  # Ashby Green: VDSL and 4G, no fibre
    request = record_initiating_request(customer=dana, by=agent, kind="sales_proposal", reference="Q-7")
    order = create_draft_order(customer=dana, by=agent, initiating_request=request)
    problems = watch_console(page)
    login(agent.username, PASSWORD)

    page.goto(f"{live_server.url}/agent/orders/{order.number}/capture/products/")

    assert_page_skeleton(page)
    catalog = page.get_by_role("region", name="New products")
    expect(catalog).to_contain_text(f"Availability at {home}")
    fibre = catalog.get_by_role("listitem", name="Fibre Broadband 150: not available")
    expect(fibre).to_contain_text(
        re.compile(rf"Fibre Broadband 150 is not available at {re.escape(str(home))}: it needs Fibre \(FTTP\)")
    )
    expect(catalog.get_by_role("listitem", name="Hosted Voice PBX: not available")).to_contain_text(
        "Hosted Voice PBX is sold to organisations only."
    )
    expect(page.get_by_role("button", name="Add Fibre Broadband 150")).to_have_count(0)
    expect(page.get_by_role("button", name="Add Hosted Voice PBX")).to_have_count(0)
    snapshot(page, "agent_capture_2_products_qualified")

    page.get_by_role("button", name="Add Mobile Unlimited").click()
    expect(page.get_by_role("region", name="In this order")).to_contain_text("Mobile Unlimited")
    assert csp_violations(problems) == [] and problems == []
