"""Two-step sign-in over HTTP with the test client, its commands, and the security log."""

import logging

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from customers.second_factor import (
    CodeRefused,
    SecondFactorRequired,
    confirm_authenticator,
    pending_authenticator,
    turn_off_second_factor,
    verify_code,
)
from tests.factories import PASSWORD, AgentFactory, CustomerUserFactory, SupervisorFactory
from tests.second_factor_helpers import authenticator_code, wrong_code


def sign_in(client, user, password=PASSWORD):
    return client.post("/accounts/login/", {"username": user.username, "password": password})


def enrolled(user):
    """The user with an authenticator set up; returns its key and the recovery codes."""
    device = pending_authenticator(user)
    device, codes = confirm_authenticator(user, device.pk, authenticator_code(device.bin_key))
    return device.bin_key, codes


@pytest.fixture
def staff_must_enrol(settings):
    settings.OTP_REQUIRED_FOR_STAFF = True


def test_a_signed_in_user_with_an_authenticator_sees_nothing_before_the_code(client, agent):
    key, _codes = enrolled(agent)
    sign_in(client, agent)

    response = client.get("/agent/orders/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-step/verify/?next=%2Fagent%2Forders%2F"

    response = client.post("/accounts/two-step/verify/", {"code": wrong_code(key), "next": "/agent/orders/"})
    assert "That code is not right" in response.content.decode()
    assert client.get("/agent/").status_code == 302

    TOTPDevice.objects.filter(user=agent).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    response = client.post(
        "/accounts/two-step/verify/", {"code": authenticator_code(key, steps_ahead=1), "next": "/agent/orders/"}
    )
    assert response["Location"] == "/agent/orders/"
    assert client.get("/agent/").status_code == 200


def test_the_code_page_does_not_send_anyone_to_another_site(client, agent):
    key, _codes = enrolled(agent)
    sign_in(client, agent)

    response = client.post(
        "/accounts/two-step/verify/", {"code": authenticator_code(key, steps_ahead=1), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_an_htmx_request_takes_the_whole_page_to_the_code(client, agent):
    enrolled(agent)
    sign_in(client, agent)

    response = client.get("/agent/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith("/accounts/two-step/verify/")


@pytest.mark.usefixtures("staff_must_enrol")
@pytest.mark.parametrize("make_staff", [AgentFactory, SupervisorFactory])
def test_required_for_staff_without_an_authenticator_the_console_and_admin_wait_for_enrolment(client, db, make_staff):
    staff = make_staff()
    sign_in(client, staff)

    for page in ("/agent/", "/admin/", "/accounts/security/", "/accounts/password_change/"):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith("/accounts/two-step/setup/"), page
    assert client.get("/accounts/two-step/setup/").status_code == 200


@pytest.mark.usefixtures("staff_must_enrol")
def test_required_for_staff_leaves_customers_free_and_staff_cannot_turn_it_off(client, db):
    customer_user = CustomerUserFactory()
    sign_in(client, customer_user)
    assert client.get("/my/").status_code == 200
    assert "Set up two-step sign-in" in client.get("/my/security/").content.decode()

    agent = AgentFactory()
    enrolled(agent)
    with pytest.raises(SecondFactorRequired):
        turn_off_second_factor(agent)


def test_a_customer_opts_in_and_out_from_the_security_page(client, customer_user):
    sign_in(client, customer_user)
    page = client.get("/accounts/two-step/setup/")
    device = page.context["form"].initial["device"]
    key = TOTPDevice.objects.get(pk=device).bin_key

    response = client.post("/accounts/two-step/setup/", {"device": device, "code": authenticator_code(key)})
    assert response.status_code == 302
    codes_page = client.get(response["Location"]).content.decode()
    assert codes_page.count('<li class="col">') == 10
    # Shown once: the page does not show them again.
    assert client.get("/accounts/two-step/recovery-codes/").status_code == 302
    assert "<strong>10</strong> unused recovery codes" in client.get("/my/security/").content.decode()

    client.post("/accounts/two-step/turn-off/")
    assert not TOTPDevice.objects.filter(user=customer_user).exists()
    assert "Set up two-step sign-in" in client.get("/my/security/").content.decode()


def test_a_recovery_code_works_once(agent):
    _key, codes = enrolled(agent)

    assert verify_code(agent, f"{codes[3][:5]} {codes[3][5:]}")
    with pytest.raises(CodeRefused):
        verify_code(agent, codes[3])


def test_a_wrong_code_holds_the_authenticator_back(agent):
    key, _codes = enrolled(agent)
    with pytest.raises(CodeRefused, match="not right"):
        verify_code(agent, wrong_code(key))
    # Even the right code waits for django-otp's throttle (1 s after one failure, doubling after each).
    with pytest.raises(CodeRefused, match="Too many wrong codes"):
        verify_code(agent, authenticator_code(key, steps_ahead=1))


def security_lines(caplog):
    return [(record.event, record.username) for record in caplog.records if record.name == "security"]


def test_sign_ins_failures_and_lock_outs_are_in_the_security_log(client, agent, settings, caplog):
    caplog.set_level(logging.INFO, logger="security")
    sign_in(client, agent, "not the password")
    sign_in(client, agent)
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, agent, "still not the password")

    events = security_lines(caplog)
    assert events[:3] == [
        ("sign-in-failed", agent.username),
        ("sign-in", agent.username),
        ("sign-out", agent.username),
    ]
    assert ("locked-out", agent.username) in events
    failed = next(record for record in caplog.records if getattr(record, "event", None) == "sign-in-failed")
    assert failed.client_ip == "127.0.0.1"
    assert "not the password" not in caplog.text


def test_enrolment_codes_and_refused_permissions_are_in_the_security_log(client, agent, caplog):
    caplog.set_level(logging.INFO, logger="security")
    client.force_login(agent)
    device = client.get("/accounts/two-step/setup/").context["form"].initial["device"]
    key = TOTPDevice.objects.get(pk=device).bin_key
    client.post("/accounts/two-step/setup/", {"device": device, "code": authenticator_code(key)})
    client.get("/admin/orders/productoffering/add/")  # an agent is no supervisor
    client.get("/my/")  # nor a customer

    events = [event for event, _username in security_lines(caplog)]
    assert "second-factor-enrolled" in events
    assert events.count("permission-refused") >= 1
    refused = [r for r in caplog.records if getattr(r, "event", None) == "permission-refused"]
    assert {r.path for r in refused} >= {"/my/"}
    assert all(r.username == agent.username for r in refused)


def test_a_session_that_predates_the_gate_is_checked_once(agent):
    key, _codes = enrolled(agent)
    client = Client()
    client.force_login(agent)
    session = client.session
    del session["accounts.second_factor"]
    session.save()

    assert client.get("/agent/")["Location"].startswith("/accounts/two-step/verify/")


@pytest.mark.parametrize("page", ["config", "qrcode"])
def test_nobody_reads_an_authenticator_secret_in_the_admin(client, agent, page, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", PASSWORD)
    device = pending_authenticator(agent)
    client.force_login(admin)
    for pk in (device.pk, device.pk + 1000):  # another person's device, and one that does not exist
        response = client.get(f"/admin/otp_totp/totpdevice/{pk}/{page}/")
        assert response.status_code == 403, (pk, response.status_code)
