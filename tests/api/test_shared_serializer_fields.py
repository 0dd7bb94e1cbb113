"""Request serializers share their fields per class (TMFSerializer.fields): threads validating at once
must each get their own answer, as gunicorn's threaded workers serve requests side by side."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from rest_framework import serializers

from ordersite.tmf.tmf622.serializers import ProductOrderIn
from ordersite.tmf.tmf630.serializers import TMFSerializer


def body(number: int) -> dict:
    """A body per number: valid ones with their own items and description, and every third one invalid."""
    items = [
        {"id": str(i), "action": "add", "productOffering": {"id": f"offering-{number}-{i}"}}
        for i in range(1, number % 4 + 2)
    ]
    order = {
        "description": f"Order {number}",
        "relatedParty": [{"id": f"CUS-{number:06d}", "role": "customer", "@referredType": "Customer"}],
        "productOrderItem": items,
    }
    if number % 3 == 0:
        order["productOrderItem"] = []  # at least one item is required
    return order


def outcome(number: int):
    serializer = ProductOrderIn(data=body(number))
    return (True, serializer.validated_data) if serializer.is_valid() else (False, serializer.errors)


def test_threads_validating_different_bodies_at_once_each_get_their_own_answer():
    numbers = list(range(1, 301))
    expected = [outcome(n) for n in numbers]

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(outcome, numbers))

    assert answers == expected
    valid = [n for n, (ok, _) in zip(numbers, answers, strict=True) if ok]
    assert len(valid) == 200
    assert all(answers[n - 1][1]["description"] == f"Order {n}" for n in valid)


# Bodies whose answers show every path of TMFSerializer.to_internal_value: values, nested and listed
# serializers, @-names, fields left out, wrong types, a missing required field, a field-level check.
BODIES = [
    body(1),
    body(3),
    {
        "description": 7,
        "priority": "9",
        "relatedParty": [{"role": "customer"}],
        "productOrderItem": [
            {"id": "1", "action": "add", "product": {"productCharacteristic": [{"name": "a"}, {"name": 1}]}},
            {"action": "fly", "quantity": "2", "productOffering": {"id": None, "@referredType": 3}},
            {"id": "3", "action": "add", "productOrderItem": [{}], "note": "not a field of an item"},
        ],
        "unknown": {"kept": False},
    },
    {"productOrderItem": "not a list", "note": [{"text": ""}], "@type": "ProductOrder"},
    {
        "@type": "ProductOrder",
        "productOrderItem": [
            {
                "id": "1",
                "action": "modify",
                "product": {
                    "id": "42",
                    "status": "suspended",
                    "place": [{"id": "7", "@referredType": "GeographicAddress"}],
                    "productCharacteristic": [{"name": "router", "value": {"model": "hub-6"}}],
                },
            }
        ],
        "requestedStartDate": "2030-01-01T09:00:00Z",
    },
]


def answers():
    return [outcome_of(data) for data in BODIES]


def outcome_of(data: dict):
    serializer = ProductOrderIn(data=data)
    return (True, serializer.validated_data) if serializer.is_valid() else (False, serializer.errors)


def test_skipping_the_fields_a_body_leaves_out_gives_drfs_own_values_and_errors(monkeypatch):
    ours = answers()
    monkeypatch.setattr(TMFSerializer, "to_internal_value", serializers.Serializer.to_internal_value)

    assert ours == answers()
    assert [valid for valid, _ in ours] == [True, False, False, False, True]
