"""Browser journeys through the login page, in Debian's Chromium."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, AgentFactory, CustomerUserFactory

pytestmark = pytest.mark.browser


def test_an_agent_signs_in_and_sees_the_agent_console(login, page, live_server, transactional_db):
    agent = AgentFactory(first_name="Sam")
    violations = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )

    login(agent.username, PASSWORD)

    expect(page).to_have_url(re.compile(r"/agent/$"))
    expect(page.get_by_role("heading", name="Agent console")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    assert violations == []


def test_a_customer_signs_in_and_sees_their_account(login, page, live_server, transactional_db):
    customer_user = CustomerUserFactory(customer__name="Alice Morgan")

    login(customer_user.username, PASSWORD)

    expect(page).to_have_url(re.compile(r"/my/$"))
    expect(page.get_by_text("Alice Morgan").first).to_be_visible()


def test_a_wrong_password_is_explained_on_the_form(login, page, live_server, transactional_db):
    agent = AgentFactory()

    login(agent.username, "not the password")

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_text(re.compile("correct username and password"))).to_be_visible()
