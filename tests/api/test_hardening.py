"""What the TMF specifications leave to us: malformed input, authentication, limits, outages."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import Client

from orders.clients import set_token
from orders.models import ApiOrderSubmission, InitiatingRequest, Order, OrderItem
from ordersite.tmf.tmf630 import parsers
from ordersite.tmf.tmf630.authentication import ApiClientRateThrottle
from tests.api.conftest import CANCELLATIONS, CUSTOMERS, HUB, ORDERS, add, assert_error, order_body, post_json

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def nothing_stored():
    return not (
        Order.objects.exists()
        or OrderItem.objects.exists()
        or InitiatingRequest.objects.exists()
        or ApiOrderSubmission.objects.exists()
    )


@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b'{"productOrderItem": [}',
        b"[]",
        b'"just a string"',
        b'{"productOrderItem": [{"id": "1", "action": "add", "quantity": NaN}]}',
        b"\xff\xfe not utf-8",
        b'{"productOrderItem": [{"id": "1", "action": "add", "quantity": ' + b"9" * 5000 + b"}]}",
    ],
)
def test_malformed_json_gets_400_and_nothing_is_stored(api, raw):
    response = api.post(ORDERS, raw, content_type="application/json")

    assert_error(response, 400)
    assert nothing_stored()


@pytest.mark.parametrize(
    "body, where",
    [
        ({}, "productOrderItem"),
        ({"productOrderItem": []}, "productOrderItem"),
        ({"productOrderItem": {"id": "1"}}, "productOrderItem"),
        ({"productOrderItem": [{"action": "add"}]}, "productOrderItem[0].id"),
        ({"productOrderItem": [{"id": "1"}]}, "productOrderItem[0].action"),
        ({"productOrderItem": [{"id": 1, "action": "add"}]}, "productOrderItem[0].id"),
        ({"productOrderItem": [{"id": "1", "action": "replace"}]}, "productOrderItem[0].action"),
        ({"productOrderItem": [{"id": "1", "action": "add", "quantity": "2"}]}, "productOrderItem[0].quantity"),
        ({"productOrderItem": [{"id": "1", "action": "add", "quantity": True}]}, "productOrderItem[0].quantity"),
        ({"productOrderItem": [{"id": "1", "action": "add", "productOffering": "fibre"}]}, "productOffering"),
        ({"productOrderItem": [{"id": "1", "action": "add"}], "priority": 1}, "priority"),
        ({"productOrderItem": [{"id": "1", "action": "add"}], "priority": "9"}, "priority"),
        ({"productOrderItem": [{"id": "1", "action": "add"}], "relatedParty": [{"name": "x"}]}, "relatedParty[0].id"),
        ({"productOrderItem": [{"id": "1", "action": "add"}], "requestedStartDate": "soon"}, "requestedStartDate"),
        ({"productOrderItem": [{"id": "1", "action": "add"}], "note": [{"text": 5}]}, "note[0].text"),
        ({"productOrderItem": [{"id": "1", "action": "add", "productOrderItem": [{"id": "2"}]}]}, "nested"),
    ],
)
def test_wrong_types_and_missing_attributes_get_400_saying_where(api, body, where):
    response = post_json(api, ORDERS, body)

    assert where in assert_error(response, 400)["message"]
    assert nothing_stored()


@pytest.mark.parametrize(
    "body, where",
    [
        ({"productOrderItem": [{"id": "1", "action": "add"}, {"id": "1", "action": "add"}]}, "used twice"),
        (
            {
                "productOrderItem": [
                    {"id": "1", "action": "add", "productOrderItemRelationship": [{"id": "2", "relationshipType": "x"}]}
                ]
            },
            "not in this order",
        ),
        (
            {
                "productOrderItem": [
                    {"id": "1", "action": "add", "productOrderItemRelationship": [{"id": "1", "relationshipType": "x"}]}
                ]
            },
            "relates to itself",
        ),
        (
            {
                "productOrderItem": [
                    {
                        "id": "1",
                        "action": "add",
                        "product": {"productCharacteristic": [{"name": "a", "value": 1}, {"name": "a", "value": 2}]},
                    }
                ]
            },
            "productOrderItem[0].product.productCharacteristic: characteristic 'a' is given twice",
        ),
        (
            {
                "productOrderItem": [
                    {
                        "id": "1",
                        "action": "add",
                        "productOrderItemRelationship": [{"id": "2", "relationshipType": "reliesOn"}],
                    },
                    {
                        "id": "2",
                        "action": "add",
                        "productOrderItemRelationship": [{"id": "1", "relationshipType": "reliesOn"}],
                    },
                ]
            },
            "circle",
        ),
    ],
)
def test_items_that_do_not_make_one_order_get_422_saying_why(api, body, where):
    # Each item matches the OpenAPI document; how they refer to each other is what no schema can say.
    response = post_json(api, ORDERS, body)

    assert where in assert_error(response, 422)["message"]
    assert nothing_stored()


def test_an_oversized_body_gets_400_and_nothing_is_stored(api, customer, fibre):
    body = order_body(customer, add(fibre, router="hub-6"), description="x" * (parsers.MAX_BODY_BYTES + 1))

    assert "larger than" in assert_error(post_json(api, ORDERS, body), 400)["message"]
    assert nothing_stored()


@pytest.mark.parametrize("depth", [parsers.MAX_DEPTH + 1, 5000, 100_000])
def test_deeply_nested_json_gets_400_not_a_crash(api, depth):
    raw = '{"productOrderItem": [{"id": "1", "action": "add", "product": {"x": ' + "[" * depth + "]" * depth + "}}]}"

    assert "nested too deeply" in assert_error(api.post(ORDERS, raw, content_type="application/json"), 400)["message"]
    assert nothing_stored()


def test_nul_characters_anywhere_get_400_and_nothing_is_stored(api, customer, fibre):
    body = order_body(customer, add(fibre, router="hub-6", note="a\x00b"))

    assert "NUL" in assert_error(post_json(api, ORDERS, body), 400)["message"]
    assert nothing_stored()


def test_unsupported_content_types_get_415(api):
    assert_error(api.post(ORDERS, "productOrderItem=1", content_type="application/x-www-form-urlencoded"), 415)
    assert_error(api.post(ORDERS, "<order/>", content_type="application/xml"), 415)
    assert nothing_stored()


def test_requests_without_a_valid_token_get_401_with_a_bearer_challenge(client, partner):
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer wrong"}, {"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"}):
        response = client.get(ORDERS, **headers)
        assert_error(response, 401)
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_deactivated_client_is_refused(api, partner):
    partner.is_active = False
    partner.save()

    assert_error(api.get(ORDERS), 401)


def test_a_token_kept_in_the_cache_stops_working_when_revoked_replaced_or_its_user_deactivated(api, partner):
    assert api.get(ORDERS).status_code == 200  # now kept in the cache (orders.clients.client_for_token)
    old = Client(HTTP_AUTHORIZATION=f"Bearer {partner.token}")
    new = Client(HTTP_AUTHORIZATION=f"Bearer {set_token(partner)}")
    assert_error(old.get(ORDERS), 401)
    assert new.get(ORDERS).status_code == 200

    partner.user.is_active = False
    partner.user.save()
    assert_error(new.get(ORDERS), 401)

    partner.user.is_active = True
    partner.user.save()
    assert new.get(ORDERS).status_code == 200
    partner.is_active = False
    partner.save(update_fields=["is_active"])
    assert_error(new.get(ORDERS), 401)


def test_a_client_whose_permission_to_order_is_revoked_is_refused_at_once(api, partner, customer, fibre):
    body = order_body(customer, add(fibre, router="hub-6"))
    assert post_json(api, ORDERS, body).status_code == 201  # its permissions now kept in the cache

    partner.user.user_permissions.remove(Permission.objects.get(codename="submit_order"))
    assert_error(post_json(api, ORDERS, body), 403)

    partner.user.user_permissions.add(Permission.objects.get(codename="submit_order"))
    assert post_json(api, ORDERS, body).status_code == 201


def test_only_the_hash_of_a_token_is_stored(partner):
    assert partner.token not in partner.token_hash
    assert len(partner.token_hash) == 64


def test_a_signed_in_agent_without_a_token_is_not_an_api_client(client, agent):
    client.force_login(agent)

    assert_error(client.get(ORDERS), 401)


def test_a_client_whose_service_user_lost_its_permissions_gets_403(api, partner, customer, fibre):
    partner.user.user_permissions.clear()

    response = post_json(api, ORDERS, order_body(customer, add(fibre, router="hub-6")))

    assert_error(response, 403)
    assert nothing_stored()


def test_unknown_paths_and_trailing_slashes_get_404_errors_not_redirects(api):
    for path in (f"{ORDERS}/", "/tmf-api/nothing", f"{CUSTOMERS}/", "/tmf-api/productOrderingManagement/v5/x"):
        assert_error(api.get(path), 404)
    assert_error(api.post(f"{ORDERS}/", "{}", content_type="application/json"), 404)


def test_methods_a_resource_lacks_get_405(api):
    assert_error(api.put(ORDERS, "{}", content_type="application/json"), 405)
    assert_error(api.delete(CUSTOMERS), 405)


def test_too_many_requests_get_429_with_retry_after(api, monkeypatch):
    monkeypatch.setattr(ApiClientRateThrottle, "THROTTLE_RATES", {"api_client": "2/min"})

    assert api.get(ORDERS).status_code == 200
    assert api.get(ORDERS).status_code == 200
    response = api.get(ORDERS)

    assert_error(response, 429)
    assert int(response["Retry-After"]) > 0


def test_an_unexpected_failure_is_a_500_error_body(api, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr("ordersite.tmf.tmf622.views.filter_orders", broken)
    client = api
    client.raise_request_exception = False

    assert_error(client.get(ORDERS), 500)


def test_an_unreachable_database_answers_503_with_an_error_body_and_retry_after():
    # A separate process, so that a broken connection cannot leak into this test session.
    code = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "client = Client(raise_request_exception=False, HTTP_AUTHORIZATION='Bearer any')\n"
        f"response = client.get({ORDERS!r})\n"
        "print(json.dumps([response.status_code, response.get('Retry-After'), response.json()]))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DJANGO_SETTINGS_MODULE="ordersite.settings",
        DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere",
        DB_CONNECT_TIMEOUT="1",
        ALLOWED_HOSTS="testserver",
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, env=env)
    status, retry_after, body = json.loads(result.stdout.strip().splitlines()[-1])

    assert status == 503, result.stderr
    assert retry_after == str(settings.DATABASE_UNAVAILABLE_RETRY_AFTER)
    assert body["status"] == "503" and body["code"] and body["reason"]


def test_absurd_ids_are_simply_not_found(api):
    huge = "ORD-" + "9" * 40
    assert_error(api.get(f"{ORDERS}/{huge}"), 404)
    assert api.get(ORDERS, {"id": huge}).json() == []
    assert_error(post_json(api, CANCELLATIONS, {"productOrder": {"id": huge}}), 404)
    assert_error(api.get(f"{CANCELLATIONS}/{'9' * 40}"), 404)
    assert api.get(CANCELLATIONS, {"id": "9" * 40, "productOrder.id": huge}).json() == []
    assert_error(api.delete(f"{HUB}/{'9' * 40}"), 404)
