"""Fixtures only the orders tests use.

The customer, the offerings, the installed product and `manual_downstream` that other folders use too are in
tests/conftest.py; builders such as `valid_address` are in tests/factories.py.
"""

import pytest

from orders.demo import seed_catalog
from tests.factories import AgentFactory, valid_address


@pytest.fixture
def catalog(db):
    """The demo catalog (orders.demo.seed_catalog)."""
    return seed_catalog()


@pytest.fixture
def address(customer):
    """The customer's validated install address, 12 Mill Lane."""
    return valid_address(customer)


@pytest.fixture
def staff_agent(db):
    """An agent given admin access: their permissions, not is_staff, still decide what they may do there."""
    return AgentFactory(is_staff=True)


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """`run_tasks(command, *args, **kwargs)` runs the command, then what it queued for after its commit.

    Tests run in one transaction that never commits, so on_commit work (the relay, deliveries, the
    simulated downstream) would not happen; this runs it as the eager Celery default does in production.
    """

    def run(command, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return command(*args, **kwargs)

    return run
