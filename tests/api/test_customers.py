"""TMF629 customer: API clients see, and create, only the customers they may act for."""

import pytest

from customers.models import Customer, CustomerKind
from tests.api.conftest import CUSTOMERS, ORDERS, add, assert_error, assert_valid, order_body, post_json

pytestmark = pytest.mark.django_db

NEW_CUSTOMER = {
    "name": "Nora Quinn",
    "engagedParty": {"id": "ind-77", "@referredType": "Individual"},
    "contactMedium": [
        {"mediumType": "email", "characteristic": {"emailAddress": "nora@example.com"}},
        {"mediumType": "phone", "characteristic": {"phoneNumber": "+44 7700 900777"}},
        {"mediumType": "postalAddress", "characteristic": {"street1": "10 Bridge Street", "postCode": "RV1 1BS"}},
    ],
}


def test_clients_list_only_their_customers(api, customer, stranger, django_assert_num_queries):
    with django_assert_num_queries(4):  # token, count, page, addresses
        response = api.get(CUSTOMERS)

    assert response["X-Total-Count"] == "1"
    [listed] = response.json()
    assert_valid(listed, "Customer", "TMF629")
    assert listed["id"] == customer.number
    assert listed["engagedParty"]["@referredType"] == "Individual"
    [address] = [m for m in listed["contactMedium"] if m["mediumType"] == "postalAddress"]
    assert address["id"] == str(customer.addresses.get().pk)


def test_another_clients_customer_is_not_found(api, stranger):
    assert_error(api.get(f"{CUSTOMERS}/{stranger.number}"), 404)
    assert api.get(CUSTOMERS, {"id": stranger.number}).json() == []


def test_a_customer_created_through_the_api_can_be_ordered_for(api, partner, fibre):
    response = post_json(api, CUSTOMERS, NEW_CUSTOMER)

    assert response.status_code == 201, response.content
    body = response.json()
    assert_valid(body, "Customer", "TMF629")
    assert response["Location"] == body["href"]
    customer = Customer.objects.get(number=body["id"])
    assert (customer.email, customer.kind) == ("nora@example.com", CustomerKind.INDIVIDUAL)
    assert customer.addresses.get().is_validated
    assert partner.customers.filter(pk=customer.pk).exists()
    order = post_json(api, ORDERS, order_body(customer, add(fibre, router="hub-6"))).json()
    assert order["state"] == "inProgress"
    assert api.get(f"{CUSTOMERS}/{body['id']}").json() == body


def test_an_organisation_is_created_from_its_engaged_party(api):
    body = {**NEW_CUSTOMER, "name": "Quinn Ltd", "engagedParty": {"id": "org-1", "@referredType": "Organization"}}

    created = post_json(api, CUSTOMERS, body).json()

    assert created["engagedParty"]["@referredType"] == "Organization"


def test_an_installation_address_we_do_not_know_is_refused_with_suggestions(api):
    body = {
        **NEW_CUSTOMER,
        "contactMedium": [{"mediumType": "postalAddress", "characteristic": {"street1": "10 Brigde Street"}}],
    }

    response = post_json(api, CUSTOMERS, body)

    assert "Bridge Street" in assert_error(response, 422)["message"]
    assert not Customer.objects.filter(name="Nora Quinn").exists()


@pytest.mark.parametrize(
    "body",
    [
        {"name": "No party"},
        {"engagedParty": {"id": "x"}},
        {**NEW_CUSTOMER, "name": 5},
        {**NEW_CUSTOMER, "contactMedium": [{"mediumType": "email", "characteristic": {"emailAddress": "nope"}}]},
        {**NEW_CUSTOMER, "status": "closed"},
    ],
)
def test_malformed_customers_get_400_and_nothing_is_stored(api, body):
    assert_error(post_json(api, CUSTOMERS, body), 400)
    assert not Customer.objects.filter(name="Nora Quinn").exists()
