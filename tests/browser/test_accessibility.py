"""No serious or critical accessibility problem on any page of any role (issue 16), as axe-core finds them.

Every URL pattern of the project is visited in the browser by each role that uses it (the agent's console,
the supervisor's back office, the customer's self-service at desktop and phone width, anyone's sign-in and
error pages), its path filled with real objects as tests/test_unstorable_input.py fills them, plus the
states that matter: a form with errors, an order in each tone, the second sign-in step. axe-core (bundled
by axe-playwright-python) runs on each page with the WCAG 2.x A/AA rules and its best practices. A pattern
that gives no page fails the test unless NOT_PAGES says why, so a new page cannot go unchecked.

Set SCREENSHOTS_DIR=/some/dir to also save a full-page PNG of each page checked.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Error as PlaywrightError

from orders.fulfilment import orchestration
from orders.models import TaskState
from orders.services.cancellation import request_cancellation
from tests.factories import PASSWORD, UserFactory
from tests.selfservice_helpers import deliver, mobile_order
from tests.test_unstorable_input import World, address, every_route, every_url, roles_for

# Orders stay where the world puts them: the simulated downstream systems would fulfil them at once.
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("manual_downstream")]

AXE = Axe()
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
    "resultTypes": ["violations"],
}
FAILING_IMPACTS = {"serious", "critical"}
SCREENSHOTS_DIR = os.environ.get("SCREENSHOTS_DIR")  # set it to also save each page checked (never committed)

# Patterns that answer a GET with something other than a page: data, a script or a fragment. (An action that
# takes only a POST answers a GET with 405: it has no page of its own, and is counted as an action.)
NOT_PAGES = {
    "health/live": "a probe's JSON",
    "health/ready": "a probe's JSON",
    "metrics": "Prometheus text",
    "favicon.ico": "an icon",
    "fulfilment/callback/<slug:system>": "a downstream system's callback (POST)",
    "admin/jsi18n/": "the admin's script",
    "admin/autocomplete/": "the admin's JSON",
    "agent/addresses/complete/": "address suggestions, a fragment for htmx",
    "agent/customers/lookup/": "the capture's customer search results, a fragment for htmx",
}

# Addresses that are a 404 by design, with the real objects World gives (any other 404 means a placeholder
# World.values_for does not fill with a real object: the page behind it would go unchecked).
NOT_FOUND_BY_DESIGN = {
    "admin/<url>": "the admin's own 404 for an unknown address",
    "admin/r/<path:content_type_id>/<path:object_id>/": "'view on site', for a model with no page on the site",
    "agent/orders/<str:number>/documents/<int:pk>/": "a document's file, none uploaded here (its page is the order's)",
    "my/products/<int:pk>/<slug:intent>/ change_ownership": "a customer cannot hand a product over themselves",
    "my/products/<int:pk>/<slug:intent>/ repackage": "nor repackage it",
}

# Violations inside markup that Django's admin writes, not our templates: (rule, where, why it stays).
DJANGO_ADMIN_MARKUP = [
    (
        "label",
        ".tabular td input, .tabular td textarea",
        "a tabular inline names its columns in <th> and labels no row's field",
    ),
    ("select-name", ".tabular td select", "the same for a row's choices"),
    (
        "label-title-only",
        ".tabular td *",
        "the same, where a column's help text (aria-describedby) is then the only label",
    ),
    (
        "label",
        "p.datetime input",
        "the split date and time widget writes 'Date:' and 'Time:' as text beside its inputs",
    ),
    ("aria-prohibited-attr", ".selector .help-tooltip", "filter_horizontal's script puts aria-label on a plain span"),
]

DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


class AccessibilityWorld(World):
    """The unstorable-input world (an order in each situation a page acts on) with an order in the other tones."""

    def __init__(self):
        super().__init__()
        completed = deliver(mobile_order(self.agent, self.customer))
        failed = mobile_order(self.agent, self.customer)
        orchestration.dispatch_ready_tasks(failed)
        orchestration.record_task_result(
            failed.tasks.filter(state=TaskState.DISPATCHED).first(), succeeded=False, message="SIM stock exhausted"
        )
        cancelling = mobile_order(self.agent, self.customer)
        request_cancellation(cancelling, by=self.agent, reason="Customer changed their mind")
        for name, order in (("completed", completed), ("failed", failed), ("cancelling", cancelling)):
            order.refresh_from_db()
            self.orders[name] = order


def axe_problems(page, *, exclude=()) -> list[str]:
    """Each serious or critical violation on the page: rule, impact, where, the rule's help, the first finding."""
    results = AXE.run(page, options=AXE_OPTIONS).response
    problems = []
    for violation in results["violations"]:
        if violation["impact"] not in FAILING_IMPACTS:
            continue
        excluded = [where for rule, where, _ in exclude if rule == violation["id"]]
        nodes = [node for node in violation["nodes"] if not (excluded and matches(page, node, excluded))]
        if not nodes:
            continue
        targets = ", ".join(" ".join(node["target"]) for node in nodes[:5])
        detail = next((check["message"] for check in nodes[0]["any"] + nodes[0]["all"] if check["message"]), "")
        problems.append(f"{violation['id']} ({violation['impact']}) at {targets}: {violation['help']}. {detail}")
    return problems


def matches(page, node, selectors: list[str]) -> bool:
    return page.evaluate(
        "([target, selectors]) => selectors.some(s => document.querySelector(target)?.matches(s))",
        [node["target"][-1], selectors],
    )


def signed_in_context(browser, live_server, user=None, *, viewport=DESKTOP, **options):
    context = browser.new_context(viewport=viewport, **options)
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    return context


class Visitor:
    """One role's browser context, checking page after page, and what axe found there."""

    def __init__(self, context, *, label: str = "", exclude=()):
        self.context, self.page = context, context.new_page()
        self.label, self.exclude = label, exclude
        self.pages = self.actions = 0
        self.status = 0
        self.seen: set[str] = set()
        self.refusals: set[int] = set()
        self.violations: list[str] = []
        self.not_pages: list[str] = []

    def check(self, url: str = "") -> bool:
        """Open the page (or take the one shown when url is empty) and run axe on it; False if it is no page."""
        if url:
            try:
                response = self.page.goto(url)
            except PlaywrightError as error:
                if "ERR_HTTP_RESPONSE_CODE_FAILURE" not in str(error):
                    raise
                # An empty answer, a POST-only action's 405: Chromium goes on to its own error page, which
                # would interrupt the next address asked of this tab. The next one opens in a fresh tab.
                self.page.close()
                self.page = self.context.new_page()
                self.actions += 1
                return True
            if response is None or "text/html" not in (response.headers.get("content-type") or ""):
                return False
            self.status = response.status
            redirected = response.request.redirected_from is not None
            if response.status == 405:
                self.actions += 1
                return True
            if response.status in (403, 404):  # one page of each is enough: each is one template
                if response.status in self.refusals:
                    return True
                self.refusals.add(response.status)
        where = urlsplit(self.page.url)
        shown = f"{self.label}{where.path}{'?' + where.query if where.query else ''}"
        if url and redirected:  # sent on (to sign in, say): the page it landed on, whatever its ?next=
            shown = f"{self.label}{where.path}"
        if shown in self.seen:
            return True
        self.seen.add(shown)
        self.pages += 1
        if SCREENSHOTS_DIR:
            name = re.sub(r"[^\w-]+", "_", shown).strip("_")
            self.page.screenshot(path=str(Path(SCREENSHOTS_DIR) / f"{name}.png"), full_page=True)
        self.violations += [f"{shown}: {problem}" for problem in axe_problems(self.page, exclude=self.exclude)]
        return True

    def check_with_errors(self, url: str):
        """Submit the page's main form empty, the browser's own checks off, and check the page with the errors."""
        self.page.goto(url)
        form = self.page.locator("main form[method=post]").first
        form.evaluate("form => { form.noValidate = true; }")
        form.locator("[type=submit]").first.click()
        self.page.wait_for_load_state()
        label, self.label = self.label, f"{self.label}[errors] "
        self.check()
        self.label = label

    def check_every_pattern(self, live_server, world, role: str):
        for who, route, values in every_url(world):
            # Another role's pages (the console, for a supervisor) are that role's to check; signing in is anyone's.
            if who != role or (who != roles_for(route)[0] and not route.startswith("accounts/")):
                continue
            if route in NOT_PAGES or route.startswith("tmf-api/"):
                continue
            self.status = 0
            if not self.check(live_server.url + address(route, values)):
                self.not_pages.append(f"{route} gave {role} no page: a page to check, or one for NOT_PAGES")
            intent = f" {values['intent']}" if "intent" in values else ""
            if self.status == 404 and f"{route}{intent}" not in NOT_FOUND_BY_DESIGN:
                self.not_pages.append(f"{route} is a 404 for {role} with {values}: a real object in World.values_for")


def assert_no_serious_problem(*visitors: Visitor, pages_at_least: int):
    assert sum(visitor.pages for visitor in visitors) >= pages_at_least
    report = [line for visitor in visitors for line in visitor.violations + visitor.not_pages]
    assert not report, "\n".join(report)


@pytest.fixture
def world(live_server):
    return AccessibilityWorld()


def test_every_route_is_a_page_or_says_why_not():
    routes = {route for route, _ in every_route()}
    named = set(NOT_PAGES) | {key.split(" ")[0] for key in NOT_FOUND_BY_DESIGN}
    assert named <= routes, f"no longer patterns: {named - routes}"


def test_every_agent_page_has_no_serious_accessibility_problem(browser, live_server, world):
    agent = Visitor(signed_in_context(browser, live_server, world.agent))
    agent.check_every_pattern(live_server, world, "agent")
    for order in world.orders.values():
        agent.check(f"{live_server.url}/agent/orders/{order.number}/")
    agent.check_with_errors(f"{live_server.url}/agent/customers/new/")
    agent.check_with_errors(f"{live_server.url}/agent/customers/{world.customer.number}/addresses/new/")

    assert_no_serious_problem(agent, pages_at_least=30)


def test_every_back_office_page_has_no_serious_accessibility_problem(browser, live_server, world):
    supervisor = Visitor(signed_in_context(browser, live_server, world.supervisor), exclude=DJANGO_ADMIN_MARKUP)
    supervisor.check_every_pattern(live_server, world, "supervisor")
    for order in world.orders.values():
        supervisor.check(f"{live_server.url}/admin/orders/order/{order.pk}/change/")
    supervisor.check_with_errors(f"{live_server.url}/admin/customers/customer/add/")

    # The admin follows the system's dark scheme: its own pages and ours (the order page, the queues) in it.
    dark_context = signed_in_context(browser, live_server, world.supervisor, color_scheme="dark")
    dark = Visitor(dark_context, label="[dark] ", exclude=DJANGO_ADMIN_MARKUP)
    held, offering = world.orders["held"], world.orders["in_progress"].items.first().offering
    for path in (
        "/admin/",
        "/admin/orders/order/",
        "/admin/orders/specialhandlingreview/",
        "/admin/orders/fallout/",
        f"/admin/orders/order/{held.pk}/change/",
        f"/admin/orders/order/{world.orders['failed'].pk}/change/",
        f"/admin/orders/productoffering/{offering.pk}/change/",
        "/admin/customers/customer/",
    ):
        dark.check(live_server.url + path)

    assert_no_serious_problem(supervisor, dark, pages_at_least=45)


def test_every_self_service_page_has_no_serious_accessibility_problem(browser, live_server, world):
    visitors = []
    for viewport, label in ((DESKTOP, ""), (PHONE, "[390 px] ")):
        customer = Visitor(signed_in_context(browser, live_server, world.customer_user, viewport=viewport), label=label)
        customer.check_every_pattern(live_server, world, "customer")
        for order in world.orders.values():
            customer.check(f"{live_server.url}/my/orders/{order.number}/")
        customer.check_with_errors(f"{live_server.url}/my/orders/{world.orders['in_progress'].number}/cancel/")
        customer.check(f"{live_server.url}/agent/")  # 403: not the customer's
        visitors.append(customer)

    assert_no_serious_problem(*visitors, pages_at_least=40)


def test_sign_in_and_error_pages_have_no_serious_accessibility_problem(browser, live_server, world):
    anyone = Visitor(signed_in_context(browser, live_server))
    anyone.check_every_pattern(live_server, world, "anonymous")
    anyone.check(f"{live_server.url}/nothing-here/")  # 404
    anyone.check(f"{live_server.url}/?q=a%00b")  # 400
    page = anyone.page

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    anyone.label = "[wrong password] "
    anyone.check()

    enrolled = UserFactory()
    TOTPDevice.objects.create(user=enrolled, name="Phone", confirmed=True)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(enrolled.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/two-step/verify/**")
    anyone.label = "[second step] "
    anyone.check()

    assert_no_serious_problem(anyone, pages_at_least=8)


FOCUS_RING = """() => {
    const element = document.activeElement;
    if (!element || element === document.body) return "";  // past the last control, in the browser's own
    const style = getComputedStyle(element);
    const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
    return outlined || style.boxShadow !== "none" ? "" : element.outerHTML.slice(0, 120);
}"""


def test_every_control_shows_where_the_keyboard_focus_is(browser, live_server, world):
    unmarked = []
    pages = [
        (world.agent, f"/agent/orders/{world.orders['held'].number}/"),
        (world.agent, f"/agent/orders/{world.orders['capture'].number}/capture/products/"),
        (world.supervisor, f"/admin/orders/order/{world.orders['held'].pk}/change/"),
        (world.supervisor, "/admin/orders/order/"),
        (world.customer_user, "/my/"),
        (world.customer_user, f"/my/orders/{world.orders['question'].number}/"),
        (None, "/accounts/login/"),
    ]
    for user, path in pages:
        page = signed_in_context(browser, live_server, user).new_page()
        page.goto(live_server.url + path)
        for _ in range(40):  # the page's first controls, in the order Tab reaches them
            page.keyboard.press("Tab")
            if missing := page.evaluate(FOCUS_RING):
                unmarked.append(f"{path}: {missing}")
        page.context.close()

    assert not unmarked, "\n".join(unmarked)
