"""The demo data: every page has something real to show, and seeding twice changes nothing."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from customers.models import Customer, InstalledProduct
from orders.demo import DEMO_PASSWORD, seed_demo
from orders.models import FulfilmentStep, Order, OrderState


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
    # Alice signs in to the self-service pages: she has a delivery to sign off there.
    assert Order.objects.filter(customer__name="Alice Morgan", state=OrderState.PENDING, awaiting_signoff=True).exists()
    for name in ("Alice Morgan", "Bob Hughes"):
        orders = Order.objects.filter(customer__name=name)
        assert orders.count() >= 3
        assert (
            orders.filter(state=OrderState.HELD, needs_special_handling=True).exists()
            or orders.filter(state=OrderState.PENDING, needs_special_handling=True).exists()
        )


def test_no_demo_plan_passes_its_point_of_no_return_the_moment_an_order_is_issued(seeded):
    # A step with nothing before it starts at issue; were it the point of no return, no order for
    # the offering could ever be cancelled or amended once issued.
    at_issue = FulfilmentStep.objects.filter(is_point_of_no_return=True, depends_on__isnull=True)
    assert list(at_issue.values_list("offering__code", "code")) == []


def test_seed_demo_refuses_the_well_known_password_with_debug_off(db, settings):
    settings.DEBUG = False
    settings.DEMO_PASSWORD = ""

    with pytest.raises(CommandError, match="DEBUG is off.*set DEMO_PASSWORD"):
        call_command("seed_demo", stdout=StringIO())

    assert not Customer.objects.exists()


def test_seed_demo_refuses_a_weak_demo_password_with_debug_off(db, settings):
    settings.DEBUG = False
    settings.DEMO_PASSWORD = "aaaaaaaaaaaa"

    with pytest.raises(CommandError, match="too easy to guess"):
        call_command("seed_demo", stdout=StringIO())


def test_seed_demo_uses_a_strong_demo_password_with_debug_off_and_does_not_print_it(transactional_db, settings):
    settings.DEBUG = False
    settings.DEMO_PASSWORD = "lantern orchard pebble tunnel"
    output = StringIO()

    call_command("seed_demo", stdout=output)

    assert authenticate(RequestFactory().post("/accounts/login/"), username="agent", password=settings.DEMO_PASSWORD)
    assert not authenticate(RequestFactory().post("/accounts/login/"), username="agent", password=DEMO_PASSWORD)
    assert settings.DEMO_PASSWORD not in output.getvalue()
