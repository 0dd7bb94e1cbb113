"""A lone surrogate or a NUL in any key or value of a TMF body: a 400 Error that says where, nothing stored.

Python's JSON parser reads "\\ud800" into a string that neither PostgreSQL nor UTF-8 can hold; the API's
parser (ordersite/tmf/tmf630/parsers.py) refuses it before any serializer or command runs. The bodies
are made from the serializers themselves, so every field each one declares (nested ones included) is
tried, as a value and as a key: TMF622 productOrder (POST, PATCH), cancelProductOrder and hub, TMF629
customer. TMF620 is read-only: a body sent there is never read.
"""

from __future__ import annotations

import copy
import json

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework import serializers

from customers.models import Customer
from orders.clients import create_api_client, grant_catalog_management
from orders.models import CancellationRequest, HubListener, Order, ProductOffering
from ordersite.tmf.tmf622.serializers import CancelProductOrderIn, EventSubscriptionIn, ProductOrderIn
from ordersite.tmf.tmf629.serializers import CustomerIn
from tests.api.conftest import CANCELLATIONS, CUSTOMERS, HUB, OFFERINGS, ORDERS, add, assert_error, order_body

pytestmark = pytest.mark.django_db

ODD = {"a lone UTF-16 surrogate": "\ud800", "a NUL character (U+0000)": "\x00"}


def sample(field):
    """A value for a serializer field: every field of a nested serializer filled in, text wherever text goes."""
    if isinstance(field, serializers.ListSerializer):
        return [sample(field.child)]
    if isinstance(field, serializers.Serializer):
        return {name: sample(inner) for name, inner in field.fields.items()}
    if isinstance(field, serializers.ListField):
        return [sample(field.child)]
    if isinstance(field, serializers.DictField | serializers.JSONField):
        return {"key": ["text", {"deeper": "text"}]}
    if isinstance(field, serializers.BooleanField):
        return True
    if isinstance(field, serializers.IntegerField):
        return 1
    if isinstance(field, serializers.DateTimeField):
        return "2030-01-01T09:00:00Z"
    if isinstance(field, serializers.ChoiceField):
        return next(iter(field.choices))
    return "text"


def places(node, steps: tuple = ()):
    """(steps to it, is it a key) for every string value and every key of a JSON document."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*steps, key), True
            yield from places(value, (*steps, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from places(value, (*steps, index))
    elif isinstance(node, str):
        yield steps, False


def path_of(steps) -> str:
    """Steps as the Error names them: productOrderItem[0].product.place[0].id."""
    text = ""
    for step in steps:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def with_odd(body: dict, steps: tuple, is_key: bool, odd: str) -> dict:
    """A copy of the body with the odd character added to one value or one key."""
    body = copy.deepcopy(body)
    *to_parent, last = steps
    parent = body
    for step in to_parent:
        parent = parent[step]
    if is_key:
        parent[last + odd] = parent.pop(last)
    else:
        parent[last] += odd
    return body


def every_odd_body(body: dict):
    """(how the Error begins, body) for each odd character in each value and each key of the body."""
    for steps, is_key in places(body):
        for problem, odd in ODD.items():
            if is_key:
                expected = f"A key in {path_of(steps[:-1]) or 'the body'} contains {problem}"
            else:
                expected = f"{path_of(steps)} contains {problem}"
            yield expected, with_odd(body, steps, is_key, odd)


def stored() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Order, CancellationRequest, HubListener, Customer))


def send(client, method: str, url: str, body: dict, content_type="application/json"):
    cache.clear()  # every variant counts against the client's rate limit; this is not a test of it
    # ensure_ascii (the default) writes the odd characters as \\ud800 and \\u0000 escapes, as an attacker would.
    return getattr(client, method)(url, json.dumps(body), content_type=content_type)


@pytest.fixture
def order_id(api, customer, fibre):
    response = send(api, "post", ORDERS, order_body(customer, add(fibre, router="hub-6")))
    assert response.status_code == 201, response.content
    return response.json()["id"]


def endpoints(order_id: str):
    """(method, url, body, content type) for every operation of the APIs that reads a body."""
    order = sample(ProductOrderIn())
    # A merge patch may carry any attribute; the ones it acts on (state, notes) and a few it compares.
    patch = {name: order[name] for name in ("note", "description", "externalId", "priority", "@type")}
    return [
        ("post", ORDERS, order, "application/json"),
        ("patch", f"{ORDERS}/{order_id}", {**patch, "state": "cancelled"}, "application/merge-patch+json"),
        ("post", CANCELLATIONS, sample(CancelProductOrderIn()), "application/json"),
        ("post", HUB, sample(EventSubscriptionIn()), "application/json"),
        ("post", CUSTOMERS, sample(CustomerIn()), "application/json"),
    ]


def test_the_bodies_hold_every_field_their_serializers_declare(order_id):
    order = sample(ProductOrderIn())
    characteristic = order["productOrderItem"][0]["product"]["productCharacteristic"][0]
    assert set(characteristic) == {"name", "valueType", "value"}
    assert {"note", "relatedParty", "@type", "externalId", "requestedStartDate"} <= set(order)
    for _, _, body, _ in endpoints(order_id):
        assert sum(is_key for _, is_key in places(body)) >= len(body)


def test_an_odd_character_in_any_key_or_value_of_any_body_is_a_400_naming_where(api, order_id):
    before = stored()
    wrong = []
    for method, url, body, content_type in endpoints(order_id):
        for expected, odd_body in every_odd_body(body):
            response = send(api, method, url, odd_body, content_type)
            message = assert_error(response, 400)["message"] if response.status_code == 400 else ""
            if not message.startswith(expected):
                wrong.append(f"{method.upper()} {url}: expected {expected!r}, got {response.status_code} {message!r}")
    assert not wrong, "\n".join(wrong[:30])
    assert stored() == before


@pytest.mark.parametrize(
    "body, expected",
    [
        (lambda c, f: order_body(c, add(f, router="hub\ud800")), "productOrderItem[0].product.productCharacteristic"),
        (lambda c, f: order_body(c, {"id": "1", "action": "\ud800"}), "productOrderItem[0].action contains"),
        (lambda c, f: order_body(c, add(f), note=[{"text": "\ud83d"}]), "note[0].text contains"),
        (lambda c, f: {"\udfff": 1, **order_body(c, add(f))}, "A key in the body contains"),
    ],
)
def test_the_reported_bodies_are_400s(api, customer, fibre, body, expected):
    response = send(api, "post", ORDERS, body(customer, fibre))

    assert expected in assert_error(response, 400)["message"]
    assert stored() == (0, 0, 0, 2)  # the customer and the API client's holding customer


def test_a_patch_note_or_key_with_a_lone_surrogate_is_a_400(api, order_id):
    for patch in ({"note": [{"text": "\udc00"}]}, {"\ud800": "x"}, {"state": "cancel\ud800led"}):
        response = send(api, "patch", f"{ORDERS}/{order_id}", patch, "application/merge-patch+json")
        assert "lone UTF-16 surrogate" in assert_error(response, 400)["message"]
    assert Order.objects.get().state != "cancelled"


def test_a_body_sent_to_the_catalog_is_never_read_without_the_right_to_change_it(api):
    response = send(api, "post", OFFERINGS, {"name\ud800": "\ud800"})

    assert_error(response, 403)


def test_a_catalog_manager_sending_a_lone_surrogate_gets_a_400_and_nothing_is_made(db):
    client, token = create_api_client(name="Catalog team")
    grant_catalog_management(client)
    catalog_api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    offerings = ProductOffering.objects.count()

    response = send(catalog_api, "post", OFFERINGS, {"name": "TV\ud800", "category": "tv"})

    assert "name" in assert_error(response, 400)["message"]
    assert ProductOffering.objects.count() == offerings


def test_a_pair_of_surrogates_is_one_character_and_welcome(api, customer, fibre):
    # "\ud83d\ude00" is JSON's way of writing 😀: a whole character, stored like any other.
    response = send(api, "post", ORDERS, order_body(customer, add(fibre, router="hub-6"), description="Party 😀"))

    assert response.status_code == 201, response.content
    assert Order.objects.get().description == "Party 😀"
