"""Password rules: twelve characters and hard to guess, on the real password change form."""

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from tests.factories import PASSWORD


@pytest.mark.parametrize("weak", ["aaaaaaaaaaaa", "1234567890ab", "password1234", "qwertyuiopas"])
def test_twelve_guessable_characters_are_refused_by_the_password_change_form(signed_in, agent, weak):
    response = signed_in.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak},
    )

    assert response.status_code == 200
    assert "too easy to guess" in response.content.decode()
    agent.refresh_from_db()
    assert agent.check_password(PASSWORD)


def test_a_strong_passphrase_is_accepted_by_the_password_change_form(signed_in, agent):
    strong = "copper kettle marching north"
    response = signed_in.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": strong, "new_password2": strong},
    )

    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.check_password(strong)


def test_a_password_made_of_the_users_own_name_is_refused(agent):
    agent.first_name, agent.last_name = "Gwendolyn", "Fairweather"
    with pytest.raises(ValidationError, match="too easy to guess"):
        password_validation.validate_password("GwendolynFairweather", user=agent)


def test_the_length_rule_still_applies_to_a_strong_short_password(db):
    with pytest.raises(ValidationError, match="at least 12 characters"):
        password_validation.validate_password("x7#Kq!9z")
