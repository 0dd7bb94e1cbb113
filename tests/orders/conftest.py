"""Fixtures shared by the orders tests (the API tests have their own, in tests/api/conftest.py).

`customer` is any customer of good credit; a module whose tests look the customer up by name takes
`alice_morgan` as its `customer` (a one-line fixture that returns it).
"""

import pytest

from customers.models import CreditClass
from orders.demo import seed_catalog
from tests.factories import CustomerFactory


@pytest.fixture
def customer(db):
    """A customer with the best credit class: nothing holds an order for credit."""
    return CustomerFactory(credit_class=CreditClass.A)


@pytest.fixture
def alice_morgan(db):
    """A customer of good credit the console's search finds by name ("alice", "morgan")."""
    return CustomerFactory(name="Alice Morgan", credit_class=CreditClass.A)


@pytest.fixture
def catalog(db):
    """The demo catalog (orders.demo.seed_catalog)."""
    return seed_catalog()
