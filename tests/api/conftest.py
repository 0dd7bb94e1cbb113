import json
import tempfile
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from django.core.cache import cache as django_cache
from django.test import Client
from hypothesis.configuration import set_hypothesis_home_dir
from jsonschema import Draft4Validator

from customers.models import CreditClass
from orders.clients import create_api_client
from tests.factories import CustomerFactory, valid_address

# The official definitions, exactly as TM Forum publishes them (copied into tests/api/tmf).
TMF = Path(__file__).resolve().parent / "tmf"
SPECS = {
    "TMF622": "TMF622-ProductOrder-v4.0.0.swagger.json",
    "TMF620": "TMF620-ProductCatalog-v4.0.0.swagger.json",
    "TMF629": "TMF629-Customer-v4.0.0.swagger.json",
    "TMF637": "TMF637-ProductInventory-v4.0.0.swagger.json",
}

# Hypothesis caches what it learns outside the work tree (which has no .hypothesis folder to ignore).
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "orderdesk-hypothesis")

ORDERS = "/tmf-api/productOrderingManagement/v4/productOrder"
CANCELLATIONS = "/tmf-api/productOrderingManagement/v4/cancelProductOrder"
HUB = "/tmf-api/productOrderingManagement/v4/hub"
OFFERINGS = "/tmf-api/productCatalogManagement/v4/productOffering"
CUSTOMERS = "/tmf-api/customerManagement/v4/customer"
PRODUCTS = "/tmf-api/productInventory/v4/product"


@cache
def _definitions(spec: str) -> dict:
    return json.loads((TMF / SPECS[spec]).read_text())["definitions"]


def assert_valid(instance, definition: str, spec: str = "TMF622") -> None:
    """The body validates against the official definition ($refs resolved in its #/definitions)."""
    schema = {"$ref": f"#/definitions/{definition}", "definitions": _definitions(spec)}
    validator = Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def assert_error(response, status: int) -> dict:
    """A TMF630 Error body with this status."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert_valid(body, "Error")
    assert body["status"] == str(status)
    assert body["message"]
    return body


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    # Request counts live in the cache; a test never inherits another's.
    django_cache.clear()


# Where the API's customers live: fibre serves it, so the partner can order fibre there.
BRIDGE_STREET = {"street": "Bridge Street", "number": "10"}


@pytest.fixture
def customer(customer):
    """The shared customer, with a validated install address (10 Bridge Street) the partner's orders can use."""
    valid_address(customer, **BRIDGE_STREET)
    return customer


@pytest.fixture
def stranger(db):
    """A customer of ours that the partner may not act for."""
    customer = CustomerFactory(credit_class=CreditClass.A)
    valid_address(customer, **BRIDGE_STREET)
    return customer


@pytest.fixture
def fibre(fibre):
    """The shared fibre offering as the partner's catalog lists it ("fibre-api"), with a static IP to ask for too."""
    fibre.code, fibre.name = "fibre-api", "Fibre API"
    fibre.data_requirements = [*fibre.data_requirements, {"name": "static_ip", "type": "boolean"}]
    fibre.save()
    return fibre


@pytest.fixture
def mobile(mobile):
    """The shared mobile offering as the partner's catalog lists it ("mobile-api"), with a one-off charge too."""
    mobile.code, mobile.name = "mobile-api", "Mobile API"
    mobile.recurring_price, mobile.one_off_price = Decimal("12.50"), Decimal("5.00")
    mobile.save()
    return mobile


@pytest.fixture
def partner(customer):
    client, token = create_api_client(name="Retail partner", channel="retail", customers=[customer])
    client.token = token
    return client


@pytest.fixture
def api(partner):
    return Client(HTTP_AUTHORIZATION=f"Bearer {partner.token}")


@pytest.fixture
def other_api(stranger):
    client, token = create_api_client(name="Other partner", customers=[stranger])
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def order_body(customer, *items, **fields) -> dict:
    return {
        "productOrderItem": list(items),
        "relatedParty": [{"id": customer.number, "role": "customer", "@referredType": "Customer"}],
        **fields,
    }


def add(offering, item_id="1", **characteristics) -> dict:
    item = {"id": item_id, "action": "add", "productOffering": {"id": offering.code}}
    if characteristics:
        item["product"] = {"productCharacteristic": [{"name": k, "value": v} for k, v in characteristics.items()]}
    return item


def post_json(client, url, body, **extra):
    return client.post(url, json.dumps(body), content_type="application/json", **extra)
