"""TMF630 attribute selection in every API: `fields` returns what is named and nothing else."""

import pytest

from tests.api.conftest import CUSTOMERS, OFFERINGS, ORDERS, PRODUCTS, add, assert_error, order_body, post_json

pytestmark = pytest.mark.django_db


def test_an_order_list_narrowed_to_its_state_has_that_key_alone(api, customer, fibre):
    post_json(api, ORDERS, order_body(customer, add(fibre, router="hub-6")))

    [order] = api.get(ORDERS, {"fields": "state"}).json()

    assert order == {"state": "inProgress"}


def test_stray_whitespace_and_newlines_in_the_list_are_ignored(api, customer, fibre):
    post_json(api, ORDERS, order_body(customer, add(fibre, router="hub-6")))

    # What the TMF679 kit sends: fields=id,%0Astate (a newline after the comma).
    [order] = api.get(f"{ORDERS}?fields=id,%0Astate,%20%0A%20orderDate%20").json()

    assert set(order) == {"id", "state", "orderDate"}


def test_id_href_and_type_come_when_they_are_named(api, customer):
    [listed] = api.get(CUSTOMERS, {"fields": "id"}).json()
    [linked] = api.get(CUSTOMERS, {"fields": "id,href,@type"}).json()

    assert listed == {"id": customer.number}
    assert linked == {"id": customer.number, "href": linked["href"], "@type": "Customer"}


def test_a_customer_narrowed_to_its_name_in_list_and_retrieve(api, customer):
    [listed] = api.get(CUSTOMERS, {"fields": "name"}).json()
    retrieved = api.get(f"{CUSTOMERS}/{customer.number}", {"fields": "name,status"}).json()

    assert set(listed) == {"name"}
    assert set(retrieved) == {"name", "status"}


def test_an_offering_narrowed_to_its_name_and_a_nested_path_selects_its_top_attribute(api, fibre):
    [offering] = api.get(OFFERINGS, {"fields": "name"}).json()
    retrieved = api.get(f"{OFFERINGS}/{fibre.code}", {"fields": "productSpecCharacteristic.name"}).json()

    assert set(offering) == {"name"}
    assert set(retrieved) == {"productSpecCharacteristic"}


def test_an_unknown_attribute_is_refused(api):
    response = api.get(CUSTOMERS, {"fields": "name,colour"})

    assert response.status_code == 400
    assert "colour" in response.json()["message"]


QUALIFICATIONS = "/tmf-api/productOfferingQualification/v4/productOfferingQualification"


@pytest.mark.parametrize("url", [ORDERS, CUSTOMERS, OFFERINGS, PRODUCTS, QUALIFICATIONS])
@pytest.mark.parametrize("query", ["fields=", "fields=id,,state", "fields=%20,name", "fields=id&fields="])
def test_an_empty_entry_names_no_attribute_and_is_refused_in_every_api(api, url, query):
    # The OpenAPI document's pattern wants a name in every entry; the server used to answer everything.
    body = assert_error(api.get(f"{url}?{query}"), 400)

    assert "fields" in body["message"]


@pytest.mark.parametrize("url", [ORDERS, CUSTOMERS, OFFERINGS, PRODUCTS, QUALIFICATIONS])
def test_a_path_under_type_selects_the_type_alone(api, customer, fibre, url):
    response = api.get(f"{url}?fields=%40type.")

    assert response.status_code == 200
    assert all(set(row) == {"@type"} for row in response.json())
