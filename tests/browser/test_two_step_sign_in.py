"""Two-step sign-in in Chromium: enrolment by QR code or setup key, codes, recovery codes, required for staff."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_screens import csp_violations, watch_console
from tests.factories import PASSWORD, AgentFactory, SupervisorFactory
from tests.second_factor_helpers import authenticator_code, key_from_setup_key, wrong_code

pytestmark = pytest.mark.browser


def enter_code(page, code):
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Verify").click()


def enrol(page):
    """Set up the authenticator from the page, as a person typing the setup key would; returns key and codes."""
    expect(page.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    key = key_from_setup_key(page.locator("#setup-key").inner_text())
    page.get_by_label("Code from the app").fill(authenticator_code(key))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem").all_inner_texts()
    return key, codes


def sign_out(page):
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_an_agent_enrols_then_signs_in_with_a_code_or_a_recovery_code(login, page, live_server, transactional_db):
    agent = AgentFactory()
    problems = watch_console(page)

    # Optional in the demo: the agent signs in with the password alone, then turns it on.
    login(agent.username, PASSWORD)
    expect(page).to_have_url(re.compile(r"/agent/$"))
    page.get_by_role("link", name="Security").click()
    expect(page.get_by_role("heading", name="Two-step sign-in")).to_contain_text("Two-step sign-in")
    page.get_by_role("link", name="Set up two-step sign-in").click()
    key, recovery_codes = enrol(page)
    assert len(recovery_codes) == 10 and len(set(recovery_codes)) == 10
    page.get_by_role("link", name=re.compile("I have saved them")).click()
    expect(page).to_have_url(re.compile(r"/agent/$"))
    sign_out(page)

    # Password, then a wrong code: refused, still on the code page, the console out of reach.
    login(agent.username, PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/two-step/verify/"))
    enter_code(page, wrong_code(key))
    expect(page.get_by_text("That code is not right")).to_be_visible()
    page.goto(f"{live_server.url}/agent/")
    expect(page).to_have_url(re.compile(r"/accounts/two-step/verify/"))

    # A recovery code signs in once.
    enter_code(page, recovery_codes[0])
    expect(page).to_have_url(re.compile(r"/agent/$"))
    expect(page.get_by_text("9 recovery codes left")).to_be_visible()
    sign_out(page)
    login(agent.username, PASSWORD)
    enter_code(page, recovery_codes[0])
    expect(page.get_by_text("That code is not right")).to_be_visible()

    # The app's next code (its current one was spent on the enrolment) reaches the console. The wrong
    # code above made django-otp hold the authenticator back for a second: let it pass.
    page.wait_for_timeout(1_100)
    enter_code(page, authenticator_code(key, steps_ahead=1))
    expect(page).to_have_url(re.compile(r"/agent/$"))
    expect(page.get_by_role("heading", name="Agent console")).to_be_visible()
    assert csp_violations(problems) == []


@pytest.mark.parametrize("make_staff, home", [(AgentFactory, "/agent/"), (SupervisorFactory, "/admin/")])
def test_with_two_step_required_staff_without_an_authenticator_enrol_before_anything_else(
    login, page, live_server, settings, transactional_db, make_staff, home
):
    settings.OTP_REQUIRED_FOR_STAFF = True
    staff = make_staff()

    login(staff.username, PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/two-step/setup/"))
    for elsewhere in ("/agent/", "/admin/", "/admin/orders/order/", "/accounts/security/"):
        page.goto(f"{live_server.url}{elsewhere}")
        expect(page).to_have_url(re.compile(r"/accounts/two-step/setup/"))
        expect(page.get_by_role("status")).to_contain_text("Staff sign in with a code from their phone")

    enrol(page)
    page.get_by_role("link", name=re.compile("I have saved them")).click()
    page.goto(f"{live_server.url}{home}")
    expect(page).to_have_url(re.compile(f"{home}$"))
