"""Request serializers share their fields per class (TMFSerializer.fields): threads validating at once
must each get their own answer, as gunicorn's threaded workers serve requests side by side."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ordersite.tmf.tmf622.serializers import ProductOrderIn


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
