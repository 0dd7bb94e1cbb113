"""The security baseline: throttled logins, private pages not cached, 503 when the database is gone."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from tests.factories import PASSWORD, AgentFactory

ROOT = Path(__file__).resolve().parent.parent


def test_passwords_need_twelve_characters(db):
    with pytest.raises(ValidationError, match="at least 12 characters"):
        password_validation.validate_password("Short1!x")
    password_validation.validate_password("a much longer passphrase")


def test_logins_are_throttled_after_repeated_failures(client, db):
    user = AgentFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/accounts/login/", {"username": user.username, "password": "wrong guess"})
        assert response.status_code == 200
    response = client.post("/accounts/login/", {"username": user.username, "password": "last wrong guess"})
    assert response.status_code == 429
    # Locked out: even the right password is refused now.
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert b"too many" in response.content.lower()
    assert "_auth_user_id" not in client.session


def test_a_correct_login_lands_on_the_role_home(client, db):
    user = AgentFactory()
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/agent/"


def test_authenticated_pages_are_not_stored(client, agent):
    client.force_login(agent)
    response = client.get("/agent/")
    assert "no-store" in response["Cache-Control"]


def test_pages_carry_a_content_security_policy(client, db):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_sessions_end_after_thirty_idle_minutes():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST


def _clean_env(**overrides) -> dict[str, str]:
    # The browser tests' async escape hatch must not leak into a deployment-style check.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**env, "DJANGO_SETTINGS_MODULE": "ordersite.settings", **overrides}


def _run(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, env=_clean_env(**env)
    )


def test_an_unreachable_database_answers_503_with_retry_after():
    # A separate process, so that a broken connection cannot leak into this test session.
    code = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "client = Client(raise_request_exception=False)\n"
        "client.cookies['sessionid'] = 'x' * 32\n"
        "response = client.get('/agent/')\n"
        "print(response.status_code, response.get('Retry-After'))\n"
    )
    result = _run(
        code, DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere", DB_CONNECT_TIMEOUT="1", ALLOWED_HOSTS="testserver"
    )
    assert result.stdout.split() == ["503", str(settings.DATABASE_UNAVAILABLE_RETRY_AFTER)], result.stderr
