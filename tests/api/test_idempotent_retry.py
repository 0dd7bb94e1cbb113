"""Retrying an order creation: the same Idempotency-Key and body give the first order, never a second one.

The README's example (an externalId and an Idempotency-Key) sent twice must answer both times with the
same order; the same key with another body is a 422; the same externalId without that key is a real
duplicate (409). Twenty identical requests at once, over real HTTP on PostgreSQL, leave one order.
"""

import json
import threading
import urllib.error
import urllib.request

import pytest
from django.db import connection

from orders.clients import create_api_client
from orders.models import ApiOrderSubmission, Order
from tests.api.conftest import ORDERS, add, assert_error, order_body, post_json

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent connections and unique-index waits (PostgreSQL)"
)


# Orders stay in progress between the first answer and its replay: these tests are about the
# retry, not about fulfilment, so both answers describe the order in the same state.
pytestmark = pytest.mark.usefixtures("manual_downstream")


def readme_body(customer, offering, **fields):
    return order_body(customer, add(offering, router="hub-6"), externalId="POS-4711", **fields)


def test_a_retry_with_the_same_key_and_body_gets_the_first_orders_answer(api, customer, fibre):
    body = readme_body(customer, fibre)

    first = post_json(api, ORDERS, body, HTTP_IDEMPOTENCY_KEY="pos-4711")
    again = post_json(api, ORDERS, body, HTTP_IDEMPOTENCY_KEY="pos-4711")

    assert first.status_code == again.status_code == 201, again.content
    assert again.json() == first.json()
    assert again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert Order.objects.count() == ApiOrderSubmission.objects.count() == 1


def test_a_retry_without_an_external_id_is_replayed_too(api, customer, fibre):
    body = order_body(customer, add(fibre, router="hub-6"))

    first = post_json(api, ORDERS, body, HTTP_IDEMPOTENCY_KEY="k-2")
    again = post_json(api, ORDERS, body, HTTP_IDEMPOTENCY_KEY="k-2")

    assert again.status_code == 201
    assert again.json() == first.json()
    assert Order.objects.count() == 1


def test_the_same_key_with_another_body_is_422_and_stores_nothing(api, customer, fibre):
    first = post_json(api, ORDERS, readme_body(customer, fibre), HTTP_IDEMPOTENCY_KEY="pos-4711")

    changed = readme_body(customer, fibre, description="now with a mesh")
    response = post_json(api, ORDERS, changed, HTTP_IDEMPOTENCY_KEY="pos-4711")

    error = assert_error(response, 422)
    assert "Idempotency-Key" in error["message"]
    assert "different body" in error["message"]
    assert first.json()["id"] in error["message"]
    assert not response.has_header("Idempotent-Replayed")
    assert Order.objects.count() == 1


def test_an_external_id_sent_again_without_the_key_is_a_duplicate(api, customer, fibre):
    post_json(api, ORDERS, readme_body(customer, fibre), HTTP_IDEMPOTENCY_KEY="pos-4711")

    without_key = post_json(api, ORDERS, readme_body(customer, fibre))
    with_another_key = post_json(api, ORDERS, readme_body(customer, fibre), HTTP_IDEMPOTENCY_KEY="pos-4712")

    for response in (without_key, with_another_key):
        assert "externalId 'POS-4711' already exists" in assert_error(response, 409)["message"]
        assert not response.has_header("Retry-After")
    assert Order.objects.count() == 1


def test_keys_are_scoped_per_api_client(api, other_api, customer, stranger, fibre):
    ours = post_json(api, ORDERS, order_body(customer, add(fibre, router="hub-6")), HTTP_IDEMPOTENCY_KEY="shared")
    theirs = post_json(
        other_api, ORDERS, order_body(stranger, add(fibre, router="hub-6")), HTTP_IDEMPOTENCY_KEY="shared"
    )

    assert ours.status_code == theirs.status_code == 201
    assert ours.json()["id"] != theirs.json()["id"]
    assert not theirs.has_header("Idempotent-Replayed")
    assert Order.objects.count() == 2


# --- twenty identical requests at once, over real HTTP --------------------------------------------

CONCURRENT_RETRIES = 20


def post_over_http(url: str, token: str, body: dict, key: str) -> tuple[int, dict, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Idempotency-Key": key},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


@postgresql_only
@pytest.mark.django_db(transaction=True)
# With an externalId the twins meet at the order's insert; without one, at the idempotency record's.
@pytest.mark.parametrize("external_id", ["POS-4711", None], ids=["with-external-id", "key-only"])
def test_twenty_identical_requests_at_once_place_one_order(live_server, customer, fibre, external_id):
    client, token = create_api_client(name="Busy retrier", channel="retail", customers=[customer])
    body = order_body(customer, add(fibre, router="hub-6"), **({"externalId": external_id} if external_id else {}))
    url = live_server.url + ORDERS
    barrier = threading.Barrier(CONCURRENT_RETRIES)
    answers: list = [None] * CONCURRENT_RETRIES

    def send(index):
        barrier.wait(timeout=30)
        try:
            answers[index] = post_over_http(url, token, body, key="pos-4711")
        except Exception as error:  # reported to the test, with the others' answers
            answers[index] = ("failed", {}, {"error": repr(error)})

    threads = [threading.Thread(target=send, args=(i,)) for i in range(CONCURRENT_RETRIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert not any(thread.is_alive() for thread in threads), "a request never came back (lock wait?)"

    order = Order.objects.get()  # exactly one
    assert order.created_by_client == client
    created = [body for status, _, body in answers if status == 201]
    in_flight = [headers for status, headers, _ in answers if status == 409]
    assert len(created) + len(in_flight) == CONCURRENT_RETRIES, answers
    assert {body["id"] for body in created} == {order.number}
    assert all(headers.get("Retry-After") for headers in in_flight), in_flight
    replayed = [headers for status, headers, _ in answers if status == 201 and headers.get("Idempotent-Replayed")]
    assert len(replayed) == len(created) - 1


def test_the_same_body_written_differently_is_still_the_same_body(api, customer, fibre):
    body = readme_body(customer, fibre)
    first = post_json(api, ORDERS, body, HTTP_IDEMPOTENCY_KEY="pos-4711")

    # Another client library: keys in another order, other spacing; the fingerprint is of the JSON's meaning.
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=2)
    again = api.post(ORDERS, reordered, content_type="application/json", HTTP_IDEMPOTENCY_KEY="pos-4711")

    assert again.status_code == 201, again.content
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
