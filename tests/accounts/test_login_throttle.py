"""Login throttling through real login POSTs: per username from one address, and per address (spraying)."""

import pytest
from django.conf import settings

from tests.factories import PASSWORD, AgentFactory, CustomerUserFactory

ATTACKER = "203.0.113.7"
ELSEWHERE = "198.51.100.20"


def sign_in(client, username, password, address=ATTACKER):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def eight_users(db):
    return [AgentFactory() for _ in range(4)] + [CustomerUserFactory() for _ in range(4)]


def test_spraying_eight_usernames_from_one_address_locks_the_address(client, eight_users):
    victim = AgentFactory()
    answers = []
    # Three guesses each: never the five a single username may have, but 24 from one address.
    for _round in range(3):
        answers += [sign_in(client, user.username, "Spring2026!").status_code for user in eight_users]

    assert answers.index(429) == settings.AXES_ADDRESS_FAILURE_LIMIT - 1
    assert set(answers[settings.AXES_ADDRESS_FAILURE_LIMIT :]) == {429}
    # The whole address waits, even for someone whose username was never tried and who knows the password.
    assert sign_in(client, victim.username, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    # Only that address: the same user elsewhere signs in.
    assert sign_in(client, victim.username, PASSWORD, address=ELSEWHERE).status_code == 302


def test_signing_in_to_an_own_account_does_not_clear_the_address_count(client, eight_users):
    own = CustomerUserFactory()
    for _round in range(2):
        for user in eight_users:
            assert sign_in(client, user.username, "Summer2026!").status_code == 200
        # A successful login clears that username's failures only, not the other usernames' ones.
        assert sign_in(client, own.username, PASSWORD).status_code == 302
        client.logout()
    for user in eight_users[: settings.AXES_ADDRESS_FAILURE_LIMIT - 16 - 1]:
        assert sign_in(client, user.username, "Autumn2026!").status_code == 200
    assert sign_in(client, eight_users[-1].username, "Winter2026!").status_code == 429


def test_one_username_is_still_locked_after_five_failures_from_one_address(client, db):
    user = AgentFactory()
    answers = [
        sign_in(client, user.username, f"guess number {n}").status_code for n in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert answers == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    # The address is not locked for everyone: another user from it signs in.
    assert sign_in(client, AgentFactory().username, PASSWORD).status_code == 302
