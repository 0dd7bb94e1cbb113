"""TMF637 product inventory: a client reads the installed products of the customers it may act for."""

from decimal import Decimal

import pytest

from customers.models import ProductStatus
from tests.api.conftest import ORDERS, PRODUCTS, add, assert_error, assert_valid, order_body, post_json
from tests.factories import InstalledProductFactory

pytestmark = pytest.mark.django_db

# What the TMF637 conformance kit demands of every product it lists, filtered or not.
MANDATORY = {
    "billingAccount",
    "href",
    "id",
    "productCharacteristic",
    "productOffering",
    "productPrice",
    "relatedParty",
    "status",
}


def assert_conformant(product: dict) -> None:
    assert set(product) >= MANDATORY
    for listed in ("productCharacteristic", "productPrice", "relatedParty"):
        assert isinstance(product[listed], list)
    assert_valid(product, "Product", "TMF637")


def test_a_client_lists_only_its_customers_products_with_the_mandatory_attributes(
    api, customer, stranger, product, mobile
):
    InstalledProductFactory(customer=stranger, offering=mobile, characteristics={"sim_type": "esim"})

    response = api.get(PRODUCTS)

    assert (response["X-Total-Count"], response["X-Result-Count"]) == ("1", "1")
    [listed] = response.json()
    assert_conformant(listed)
    assert listed["id"] == str(product.pk)
    assert listed["status"] == "active"
    assert listed["productOffering"]["id"] == "mobile-api"
    assert listed["relatedParty"] == [
        {
            "id": customer.number,
            "href": listed["relatedParty"][0]["href"],
            "name": customer.name,
            "role": "customer",
            "@referredType": "Customer",
        }
    ]
    assert listed["billingAccount"]["id"] == customer.number
    assert listed["productCharacteristic"] == [
        {"name": "sim_type", "valueType": "string", "value": "physical", "@type": "Characteristic"}
    ]
    assert [(p["priceType"], p["price"]["dutyFreeAmount"]["value"]) for p in listed["productPrice"]] == [
        ("recurring", 12.5),
        ("oneTime", 5.0),
    ]


def test_a_product_ordered_through_the_api_names_its_order_and_the_agreed_price(api, customer, fibre):
    order = post_json(api, ORDERS, order_body(customer, add(fibre, router="hub-6"))).json()
    fibre.recurring_price = Decimal("99.00")  # a later price rise does not change what was agreed
    fibre.save()

    [product] = api.get(PRODUCTS).json()

    assert_conformant(product)
    assert product["status"] == "pendingActive"
    assert product["productOrderItem"][0]["productOrderId"] == order["id"]
    assert product["orderDate"] == order["orderDate"]
    assert product["productPrice"][0]["price"]["dutyFreeAmount"]["value"] == 30.0
    assert product["place"][0]["role"] == "installationAddress"


def test_the_list_costs_the_same_queries_however_many_products(api, customer, mobile, django_assert_num_queries):
    InstalledProductFactory(customer=customer, offering=mobile)
    api.get(PRODUCTS)  # the client is read once, then kept in the cache
    with django_assert_num_queries(2):  # count, page
        api.get(PRODUCTS)

    InstalledProductFactory.create_batch(6, customer=customer, offering=mobile)
    with django_assert_num_queries(2):
        response = api.get(PRODUCTS, {"status": "active"})
    assert len(response.json()) == 7


def test_filters_by_id_status_party_and_offering_keep_the_mandatory_attributes(api, customer, product, fibre, mobile):
    suspended = InstalledProductFactory(customer=customer, offering=fibre, status=ProductStatus.SUSPENDED)

    def ids(**params):
        listed = api.get(PRODUCTS, params).json()
        for each in listed:
            assert_conformant(each)
        return [p["id"] for p in listed]

    assert ids(id=str(product.pk)) == [str(product.pk)]
    assert ids(status="suspended") == [str(suspended.pk)]
    assert ids(status="active,suspended") == [str(suspended.pk), str(product.pk)]
    assert ids(**{"relatedParty.id": customer.number.lower()}) == [str(suspended.pk), str(product.pk)]
    assert ids(**{"productOffering.id": "mobile-api"}) == [str(product.pk)]
    assert ids(id="f42b01d2-dba6-4442-a0fa-34e59639fd15") == []
    assert ids(id="99999999999999999999999") == []


def test_unknown_filters_and_statuses_are_refused(api):
    assert_error(api.get(PRODUCTS, {"colour": "red"}), 400)
    assert_error(api.get(PRODUCTS, {"status": "lost"}), 400)
    assert_error(api.get(PRODUCTS, {"fields": "colour"}), 400)


def test_a_product_is_retrieved_and_narrowed_by_fields(api, product):
    retrieved = api.get(f"{PRODUCTS}/{product.pk}")
    narrowed = api.get(PRODUCTS, {"fields": "id,href,@type,status"}).json()

    assert retrieved.status_code == 200
    assert_conformant(retrieved.json())
    assert narrowed == [
        {"id": str(product.pk), "href": retrieved.json()["href"], "@type": "Product", "status": "active"}
    ]


@pytest.mark.parametrize("product_id", ["55a2163b-489e-4138-93e9-8becb24272f2", "0", "99999999999999999999999", " "])
def test_an_unknown_product_is_a_404_error(api, product_id):
    assert_error(api.get(f"{PRODUCTS}/{product_id}"), 404)


def test_another_clients_product_is_not_found(api, stranger, mobile):
    theirs = InstalledProductFactory(customer=stranger, offering=mobile)

    assert_error(api.get(f"{PRODUCTS}/{theirs.pk}"), 404)


def test_the_inventory_needs_a_token_and_is_read_only(api, client, product):
    assert_error(client.get(PRODUCTS), 401)
    assert_error(api.post(PRODUCTS, {}, content_type="application/json"), 405)
    assert_error(api.delete(f"{PRODUCTS}/{product.pk}"), 405)
