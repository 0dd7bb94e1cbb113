"""Orders take their customer and its installation address from the cache, and see every change at once."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import Address, CreditClass, Customer
from orders.clients import kept_customer_data
from ordersite.tmf.tmf629.selectors import customer_for
from tests.api.conftest import BRIDGE_STREET, ORDERS, add, order_body, post_json
from tests.factories import CustomerFactory, valid_address

pytestmark = pytest.mark.django_db


def place(api, customer, *items) -> tuple[dict, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = post_json(api, ORDERS, order_body(customer, *items), HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert response.status_code == 201, response.content
    return response.json(), [query["sql"] for query in queries]


def reads_of(statements: list[str], table: str) -> int:
    return sum(1 for sql in statements if sql.startswith("SELECT") and f'FROM "{table}"' in sql)


def place_id(body: dict) -> str:
    return body["productOrderItem"][0]["product"]["place"][0]["id"]


def test_the_next_order_reads_neither_the_customer_nor_its_address(api, customer, fibre):
    place(api, customer, add(fibre, router="hub-6"))

    body, statements = place(api, customer, add(fibre, router="hub-6"))

    assert body["state"] == "inProgress"
    assert reads_of(statements, "customers_customer") == reads_of(statements, "customers_address") == 0


def test_a_renamed_customer_is_named_by_the_next_order(api, customer, mobile):
    place(api, customer, add(mobile, sim_type="esim"))

    customer.name = "Sun Football Club"
    customer.save()

    body, _ = place(api, customer, add(mobile, sim_type="esim"))
    assert body["relatedParty"][0]["name"] == "Sun Football Club"


def test_a_customer_the_client_may_no_longer_order_for_is_refused_at_once(api, partner, customer, mobile):
    place(api, customer, add(mobile, sim_type="esim"))

    partner.customers.remove(customer)

    body, _ = place(api, customer, add(mobile, sim_type="esim"))
    assert body["state"] == "rejected"
    assert "is not a customer this client may order for" in body["productOrderErrorMessage"][0]["message"]


def test_a_newer_installation_address_is_used_by_the_next_order(api, customer, fibre):
    first, _ = place(api, customer, add(fibre, router="hub-6"))

    moved = valid_address(customer, street="Mill Lane", number="12")

    second, _ = place(api, customer, add(fibre, router="hub-6"))
    assert place_id(first) != place_id(second) == str(moved.pk)
    moved.purpose = Address.Purpose.BILLING
    moved.save()
    third, _ = place(api, customer, add(fibre, router="hub-6"))
    assert place_id(third) == place_id(first)
    assert customer.addresses.get(pk=place_id(third)).street == BRIDGE_STREET["street"]


def test_a_credit_class_the_bureau_gave_is_seen_by_the_next_order(api, partner, fibre, mobile):
    unrated = CustomerFactory(credit_class=CreditClass.UNRATED)
    partner.customers.add(unrated)

    _, statements = place(api, unrated, add(mobile, sim_type="esim"))
    assert any(sql.startswith('UPDATE "customers_customer"') for sql in statements)  # the bureau was asked

    _, statements = place(api, unrated, add(mobile, sim_type="esim"))
    assert not any(sql.startswith('UPDATE "customers_customer"') for sql in statements)  # rated now: not again


def test_what_a_request_kept_while_a_change_was_uncommitted_is_forgotten_at_commit(
    partner, customer, django_capture_on_commit_callbacks
):
    assert customer_for(partner, customer.number).name == customer.name

    with django_capture_on_commit_callbacks(execute=True):
        renamed = Customer.objects.get(pk=customer.pk)
        renamed.name = "Sun Football Club"
        renamed.save()
        # Another process reads before the commit, still sees the old name and keeps it.
        kept_customer_data(f"customer:{partner.pk}:{customer.number}", lambda: customer)
        assert customer_for(partner, customer.number).name == customer.name

    assert customer_for(partner, customer.number).name == "Sun Football Club"
