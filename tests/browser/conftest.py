import pytest

pytestmark = pytest.mark.browser


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
