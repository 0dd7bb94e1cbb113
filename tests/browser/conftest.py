from pathlib import Path

import pytest
from playwright.sync_api import expect

BROWSER_TESTS = Path(__file__).parent

# Two test workers, their live servers and two browsers share two cores in CI: an assertion may
# wait longer than Playwright's 5 s default for a page that is merely slow, never for a wrong one.
expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(items):
    for item in items:
        if BROWSER_TESTS in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture
def login(page, live_server):
    """Sign in through the real login form, as a user would."""

    def sign_in(username: str, password: str):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        return page

    return sign_in
