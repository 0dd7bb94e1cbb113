"""The main screens render under the strict Content-Security-Policy, with their landmarks.

Set SCREENSHOTS_DIR=/some/dir to also save a full-page PNG of each screen (never committed).
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.factories import (
    PASSWORD,
    AgentFactory,
    CustomerUserFactory,
    InstalledProductFactory,
    OfferingFactory,
    SupervisorFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser

SCREENSHOTS_DIR = os.environ.get("SCREENSHOTS_DIR")


def watch_console(page):
    """Collect console errors (CSP violations and failed static files among them) and page errors."""
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def csp_violations(problems):
    return [p for p in problems if "Content Security Policy" in p or "Refused to" in p]


def snapshot(page, name):
    if SCREENSHOTS_DIR:
        Path(SCREENSHOTS_DIR).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS_DIR) / f"{name}.png"), full_page=True)


def assert_page_skeleton(page):
    """Every page: a skip link to <main id="main">, one h1, the app's own CSS loaded."""
    expect(page.locator("a.skip-link[href='#main']")).to_have_count(1)
    expect(page.locator("main#main")).to_have_count(1)
    expect(page.locator("h1")).to_have_count(1)
    assert page.evaluate("getComputedStyle(document.body).display") == "flex", "static/css/app.css did not load"


def test_the_login_page_is_clean_and_keyboard_first(page, live_server, transactional_db):
    problems = watch_console(page)
    page.goto(f"{live_server.url}/accounts/login/")

    assert_page_skeleton(page)
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.press("Shift+Tab")  # the product name
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    expect(page.get_by_role("link", name="Skip to main content")).to_be_in_viewport()
    snapshot(page, "login")
    assert problems == []


def test_the_agent_console_shows_customers_and_the_catalog(login, page, live_server, transactional_db):
    OfferingFactory(name="Fibre 500", recurring_price="32.00")
    OfferingFactory(name="Dedicated Ethernet", category="connectivity", is_bespoke=True, requires_feasibility=True)
    InstalledProductFactory(customer__name="Bob Okafor")
    problems = watch_console(page)

    login(AgentFactory().username, PASSWORD)

    expect(page).to_have_url(re.compile(r"/agent/$"))
    assert_page_skeleton(page)
    expect(page.get_by_role("link", name="Console")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("link", name="Back office")).to_have_count(0)
    expect(page.get_by_label("Find a customer")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Bob Okafor"))).to_be_visible()
    expect(page.get_by_text("Bespoke")).to_be_visible()
    expect(page.get_by_text("Feasibility needed")).to_be_visible()
    expect(page.get_by_text("£32.00")).to_be_visible()
    snapshot(page, "agent_home")
    assert csp_violations(problems) == []
    assert problems == []


def test_a_supervisor_also_gets_the_back_office_link(login, page, live_server, transactional_db):
    problems = watch_console(page)
    login(SupervisorFactory().username, PASSWORD)

    page.goto(f"{live_server.url}/agent/")

    expect(page.get_by_role("link", name="Back office")).to_be_visible()
    expect(page.get_by_text("No customers yet")).to_be_visible()
    expect(page.get_by_text("Nothing on sale yet")).to_be_visible()
    snapshot(page, "agent_home_empty")
    assert problems == []


def test_a_customer_sees_details_and_product_states(login, page, live_server, transactional_db):
    customer_user = CustomerUserFactory(customer__name="Alice Morgan")
    InstalledProductFactory(customer=customer_user.customer, name="Home broadband", status="active")
    InstalledProductFactory(customer=customer_user.customer, name="Old mobile", status="terminated")
    problems = watch_console(page)

    login(customer_user.username, PASSWORD)

    expect(page).to_have_url(re.compile(r"/my/$"))
    assert_page_skeleton(page)
    expect(page.get_by_role("link", name="My account")).to_have_attribute("aria-current", "page")
    expect(page.locator(".badge-state-active", has_text="Active")).to_be_visible()
    expect(page.locator(".badge-state-terminated", has_text="Terminated")).to_be_visible()
    snapshot(page, "my_home")

    page.goto(f"{live_server.url}/agent/")
    expect(page.get_by_role("heading", name="You don't have access to this page")).to_be_visible()
    snapshot(page, "403")
    assert csp_violations(problems) == []


def test_a_user_without_a_role_is_told_to_ask_an_administrator(login, page, live_server, transactional_db):
    login(UserFactory().username, PASSWORD)

    expect(page.get_by_role("heading", name="Your account has no access yet")).to_be_visible()
    snapshot(page, "no_role")


def test_logging_out_is_a_post_and_returns_to_the_login_page(login, page, live_server, transactional_db):
    login(AgentFactory().username, PASSWORD)

    page.get_by_role("button", name="Log out").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.goto(f"{live_server.url}/agent/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
