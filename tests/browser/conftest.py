from pathlib import Path

import pytest

BROWSER_TESTS = Path(__file__).parent


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
