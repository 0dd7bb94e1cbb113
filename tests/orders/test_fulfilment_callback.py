"""The downstream callback: each system reports on its own tasks, signed with its own secret, never the SECRET_KEY.

Every request goes to the real URL (/fulfilment/callback/<system>) through the Django test client, with
the body signed as a downstream system signs it; the task is then read back from the database.
"""

import hashlib
import hmac
import json

import pytest

from orders.models import TaskState
from orders.services import submit_order
from tests.orders.test_fulfilment import offering_with_plan, order_for

pytestmark = pytest.mark.django_db

NEW_LOGISTICS_SECRET = "logistics-secret-given-out-this-week-0123456789"
OLD_LOGISTICS_SECRET = "logistics-secret-being-withdrawn-0123456789abcd"
BILLING_SECRET = "billing-secret-of-its-own-0123456789abcdefghijk"


@pytest.fixture
def own_secrets(settings):
    """Logistics in the middle of a rotation (new and old secret both valid), billing with one; no demo secret."""
    settings.FULFILMENT_CALLBACK_SECRETS = {
        "logistics": [NEW_LOGISTICS_SECRET, OLD_LOGISTICS_SECRET],
        "billing": [BILLING_SECRET],
    }
    settings.FULFILMENT_CALLBACK_DEMO_SECRET = ""


@pytest.fixture
def shipping(agent, manual_downstream, django_capture_on_commit_callbacks):
    """An issued order whose first task, shipping the equipment, is with the logistics system."""
    order, _ = order_for(agent, offering_with_plan())
    with django_capture_on_commit_callbacks(execute=True):
        submit_order(order, by=agent)
    task = order.tasks.get(code="ship")
    assert (task.system, task.state) == ("logistics", TaskState.DISPATCHED)
    return task


def report(client, system: str, task, secret: str, status: str = "completed", signature: str | None = None):
    body = json.dumps({"task": task.reference, "status": status, "reference": "WO-991"}).encode()
    if signature is None:
        signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    headers = {"X-Signature": signature} if signature else {}
    return client.post(f"/fulfilment/callback/{system}", data=body, content_type="application/json", headers=headers)


def state_of(task):
    task.refresh_from_db()
    return task.state


@pytest.mark.parametrize("secret", [NEW_LOGISTICS_SECRET, OLD_LOGISTICS_SECRET], ids=["new", "old"])
def test_either_secret_of_a_rotation_is_accepted(client, shipping, own_secrets, secret):
    response = report(client, "logistics", shipping, secret)

    assert response.status_code == 200, response.content
    assert response.json() == {"task": shipping.reference, "accepted": True}
    assert state_of(shipping) == TaskState.COMPLETED
    assert shipping.external_reference == "WO-991"


def test_a_callback_signed_with_the_secret_key_is_refused(client, shipping, own_secrets, settings):
    response = report(client, "logistics", shipping, settings.SECRET_KEY)

    assert response.status_code == 403
    assert state_of(shipping) == TaskState.DISPATCHED


def test_the_secret_key_is_refused_even_when_configured_as_a_systems_secret(client, shipping, own_secrets, settings):
    settings.FULFILMENT_CALLBACK_SECRETS = {"logistics": [settings.SECRET_KEY]}

    response = report(client, "logistics", shipping, settings.SECRET_KEY)

    assert response.status_code == 403
    assert state_of(shipping) == TaskState.DISPATCHED


def test_with_no_secret_configured_every_callback_is_refused(client, shipping, settings):
    # A deployment (DEBUG off) has no demo secret; without secrets of its own nothing is accepted,
    # and in particular nothing signed with the SECRET_KEY that used to be the fallback.
    settings.FULFILMENT_CALLBACK_SECRETS = {}
    settings.FULFILMENT_CALLBACK_DEMO_SECRET = ""

    for secret in (settings.SECRET_KEY, "", "demo-callback-secret"):
        assert report(client, "logistics", shipping, secret).status_code == 403
    assert state_of(shipping) == TaskState.DISPATCHED


def test_an_unknown_system_is_refused(client, shipping, settings):
    # Even the demo secret, which signs for every known system, opens nothing for a system we do not have.
    assert settings.FULFILMENT_CALLBACK_DEMO_SECRET

    response = report(client, "payroll", shipping, settings.FULFILMENT_CALLBACK_DEMO_SECRET)

    assert response.status_code == 403
    assert response.json() == {"error": "unknown downstream system 'payroll'"}
    assert state_of(shipping) == TaskState.DISPATCHED


def test_another_systems_secret_does_not_sign_for_this_one(client, shipping, own_secrets):
    response = report(client, "logistics", shipping, BILLING_SECRET)

    assert response.status_code == 403
    assert state_of(shipping) == TaskState.DISPATCHED


def test_a_system_cannot_report_on_another_systems_task(client, shipping, own_secrets):
    response = report(client, "billing", shipping, BILLING_SECRET, status="failed")

    assert response.status_code == 403
    assert response.json() == {"error": f"task {shipping.reference} is not billing's"}
    assert state_of(shipping) == TaskState.DISPATCHED


@pytest.mark.parametrize(
    "signature", ["", "sha256=", "sha256=guess", "sha256=" + "é" * 64], ids=["none", "empty", "guess", "non-ascii"]
)
def test_a_missing_or_wrong_signature_is_refused(client, shipping, own_secrets, signature):
    response = report(client, "logistics", shipping, NEW_LOGISTICS_SECRET, signature=signature)

    assert response.status_code == 403
    assert state_of(shipping) == TaskState.DISPATCHED


def test_the_demo_signs_every_system_with_its_demo_secret(client, shipping, settings):
    # With DEBUG on (the demo, these tests) a system with no secret of its own uses the demo's.
    response = report(client, "logistics", shipping, settings.FULFILMENT_CALLBACK_DEMO_SECRET)

    assert response.status_code == 200
    assert state_of(shipping) == TaskState.COMPLETED


@pytest.mark.parametrize("field", ["message", "reference"])
@pytest.mark.parametrize("odd", ["\ud800", "a\x00b"], ids=["lone-surrogate", "nul"])
def test_a_signed_report_holding_unstorable_text_is_a_400_and_changes_nothing(
    client, shipping, own_secrets, field, odd
):
    body = json.dumps({"task": shipping.reference, "status": "completed", field: odd}).encode()
    signature = "sha256=" + hmac.new(NEW_LOGISTICS_SECRET.encode(), body, hashlib.sha256).hexdigest()
    response = client.post(
        "/fulfilment/callback/logistics", data=body, content_type="application/json", headers={"X-Signature": signature}
    )

    assert response.status_code == 400, response.content
    assert field in response.json()["error"]
    assert state_of(shipping) == TaskState.DISPATCHED


@pytest.mark.parametrize("reference", ["TSK-99999999999999999999", "TSK--5", "TSK-0"])
def test_a_task_number_no_row_can_have_is_a_400(client, shipping, own_secrets, reference):
    body = json.dumps({"task": reference, "status": "completed"}).encode()
    signature = "sha256=" + hmac.new(NEW_LOGISTICS_SECRET.encode(), body, hashlib.sha256).hexdigest()
    response = client.post(
        "/fulfilment/callback/logistics", data=body, content_type="application/json", headers={"X-Signature": signature}
    )

    assert response.status_code == 400, response.content
