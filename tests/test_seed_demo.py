"""The demo data: every page has something real to show, and seeding twice changes nothing."""

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory

from customers.models import Customer, InstalledProduct
from orders.demo import DEMO_PASSWORD, seed_demo
from orders.models import Order, OrderState


@pytest.fixture
def seeded(transactional_db, settings):
    # Transactional: the seed reports downstream progress after each command commits.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    seed_demo()


def test_seeding_twice_creates_nothing_new(seeded):
    counts = (Customer.objects.count(), InstalledProduct.objects.count(), Order.objects.count())
    seed_demo()
    assert (Customer.objects.count(), InstalledProduct.objects.count(), Order.objects.count()) == counts


def test_every_demo_user_can_log_in(seeded):
    for username in ("agent", "supervisor", "alice", "bob"):
        assert authenticate(RequestFactory().post("/accounts/login/"), username=username, password=DEMO_PASSWORD)


def test_the_demo_orders_cover_the_lifecycle(seeded):
    states = set(Order.objects.values_list("state", flat=True))
    assert {
        OrderState.DRAFT,
        OrderState.IN_PROGRESS,
        OrderState.HELD,
        OrderState.PENDING,
        OrderState.COMPLETED,
        OrderState.CANCELLED,
        OrderState.REJECTED,
    } <= states
    assert Order.objects.filter(state=OrderState.PENDING, awaiting_signoff=True).exists()
    assert Order.objects.filter(state=OrderState.HELD, needs_special_handling=False, tasks__state="failed").exists()
    for name in ("Alice Morgan", "Bob Hughes"):
        orders = Order.objects.filter(customer__name=name)
        assert orders.count() >= 3
        assert (
            orders.filter(state=OrderState.HELD, needs_special_handling=True).exists()
            or orders.filter(state=OrderState.PENDING, needs_special_handling=True).exists()
        )
