"""Creating an order through the API costs a fixed number of SQL statements, whatever its size.

The throughput benchmark (tests/benchmarks/throughput.py) measures what this buys; this pins it.
"""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import InstalledProduct
from orders.models import FulfilmentTask, Order, OrderState
from tests.api.conftest import ORDERS, add, order_body, post_json
from tests.factories import FulfilmentStepFactory, InstalledProductFactory, OfferingFactory

# Reads: none. The client, its permissions, the customer and its installation address are kept in the
# cache (orders.clients, customers.backends), and so is the catalog's version (the offerings themselves
# come from memory, orders.catalog). Writes (orders.rows): the ids of the new rows, then in one round trip the
# initiating request, the order, its items, history, outbox, tasks, task dependencies, pending
# products and the idempotency record (whose unique constraint catches a reused Idempotency-Key, as
# the order's catches a reused externalId, so a new order needs no look-up first). Plus the
# transaction's own statements.
STATEMENTS_PER_ORDER = 4
# The first order after the catalog changed reads the offerings, their steps, the steps'
# dependencies and the offerings' prerequisites; the first call of a token reads its client and its
# user's permissions; the first order for a customer since customers changed reads the customer and
# its installation address.
CATALOG_LOAD = 4
CLIENT_LOAD = 2
CUSTOMER_LOAD = 2


def statements_to_create(api, body) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = post_json(api, ORDERS, body, HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert response.status_code == 201, response.content
    assert response.json()["state"] == OrderState.IN_PROGRESS
    return len(queries)


@pytest.fixture
def planned_fibre(fibre):
    survey = FulfilmentStepFactory(offering=fibre, code="survey", is_point_of_no_return=False)
    install = FulfilmentStepFactory(offering=fibre, code="install")
    install.depends_on.add(survey)
    return fibre


def test_an_order_costs_the_same_statements_with_one_item_or_eight(api, customer, planned_fibre, mobile):
    first = statements_to_create(api, order_body(customer, add(planned_fibre, router="hub-6")))
    one = statements_to_create(api, order_body(customer, add(planned_fibre, router="hub-6")))
    eight = [add(planned_fibre, str(n), router="hub-6") for n in range(1, 5)]
    eight += [add(mobile, str(n), sim_type="esim") for n in range(5, 9)]

    assert statements_to_create(api, order_body(customer, *eight)) == one == STATEMENTS_PER_ORDER
    assert FulfilmentTask.objects.filter(order__items__item_id="8").exists()
    assert first == STATEMENTS_PER_ORDER + CATALOG_LOAD + CLIENT_LOAD + CUSTOMER_LOAD


def test_a_change_to_the_catalog_is_seen_by_the_next_order(api, customer, planned_fibre, mobile):
    body = order_body(customer, add(planned_fibre, router="hub-6"))
    statements_to_create(api, body)
    assert statements_to_create(api, body) == STATEMENTS_PER_ORDER

    FulfilmentStepFactory(offering=planned_fibre, code="test-line", name="Test the line")

    assert statements_to_create(api, body) == STATEMENTS_PER_ORDER + CATALOG_LOAD
    newest = Order.objects.latest("pk")
    assert "test-line" in set(newest.tasks.values_list("code", flat=True))


def test_items_relying_on_others_add_no_statement(api, customer, planned_fibre, mobile):
    first = add(planned_fibre, "1", router="hub-6")
    second = add(mobile, "2", sim_type="esim")
    second["productOrderItemRelationship"] = [{"id": "1", "relationshipType": "reliesOn"}]

    statements_to_create(api, order_body(customer, first))
    # The links are written with the other rows, however many there are.
    assert statements_to_create(api, order_body(customer, first, second)) == STATEMENTS_PER_ORDER


def test_an_add_on_costs_one_statement_more_however_many_there_are(api, customer, planned_fibre):
    boost = OfferingFactory(code="boost-api", is_addon=True, requires_install_address=False)
    boost.requires.add(planned_fibre)
    statements_to_create(api, order_body(customer, add(planned_fibre, router="hub-6")))  # loads the catalog

    one = [add(planned_fibre, "1", router="hub-6"), add(boost, "2")]
    three = one + [add(boost, "3"), add(boost, "4")]

    # The prerequisite is looked up among the customer's products, once for all the add-ons.
    assert statements_to_create(api, order_body(customer, *one)) == STATEMENTS_PER_ORDER + 1
    assert statements_to_create(api, order_body(customer, *three)) == STATEMENTS_PER_ORDER + 1


# An order of one add-on: no installation address to read and no fulfilment steps to plan, but the
# look-up of its prerequisite among the customer's products.
ADD_ON_ALONE = 5


def test_an_add_on_costs_the_same_for_a_customer_holding_ten_thousand_products(api, customer, planned_fibre, mobile):
    """An order's cost does not grow with the installed base: the prerequisite check reads only held prerequisites."""
    boost = OfferingFactory(code="boost-api", is_addon=True, requires_install_address=False)
    boost.requires.add(planned_fibre)
    InstalledProductFactory(customer=customer, offering=planned_fibre)
    body = order_body(customer, add(boost))
    statements_to_create(api, body)  # loads the catalog
    few = statements_to_create(api, body)

    line = InstalledProductFactory.build(customer=customer, offering=mobile)
    InstalledProduct.objects.bulk_create(
        InstalledProduct(customer=customer, offering=mobile, name=line.name, status=line.status) for _ in range(10_000)
    )
    with CaptureQueriesContext(connection) as queries:
        assert statements_to_create(api, body) == few == ADD_ON_ALONE
    prerequisite_check = [q["sql"] for q in queries if 'FROM "customers_installedproduct"' in q["sql"]]
    assert len(prerequisite_check) == 1
    assert '"offering_id" IN' in prerequisite_check[0]  # only the prerequisites, never the 10,001 products


def test_an_external_id_costs_no_statement(api, customer, planned_fibre):
    # A reused externalId is caught by its unique constraint, like a reused Idempotency-Key: no look-up first.
    statements_to_create(api, order_body(customer, add(planned_fibre, router="hub-6")))  # loads the catalog
    body = order_body(customer, add(planned_fibre, router="hub-6"), externalId="POS-1")

    assert statements_to_create(api, body) == STATEMENTS_PER_ORDER
