"""The TMF622 list counts its matches exactly up to a cap; beyond, it says nothing rather than guess."""

from orders.models import OrderState
from ordersite.tmf.tmf622 import selectors
from tests.api.conftest import ORDERS
from tests.factories import OrderFactory


def test_too_many_matches_to_count_leave_the_total_out_and_pages_go_on(api, customer, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    for _ in range(5):
        OrderFactory(customer=customer, state=OrderState.IN_PROGRESS)

    first = api.get(ORDERS, {"limit": 2})
    last = api.get(ORDERS, {"offset": 4, "limit": 2})

    assert "X-Total-Count" not in first and first["X-Result-Count"] == "2"
    assert last.status_code == 200 and last["X-Result-Count"] == "1"


def test_up_to_the_cap_the_total_is_exact(api, customer, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    for _ in range(3):
        OrderFactory(customer=customer, state=OrderState.IN_PROGRESS)

    assert api.get(ORDERS, {"limit": 1})["X-Total-Count"] == "3"
