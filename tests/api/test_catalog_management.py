"""TMF620 productSpecification and productOfferingPrice, and the catalog's writes for clients allowed to manage it."""

import json
import re
from decimal import Decimal

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from orders.catalog import orderable_offerings
from orders.clients import create_api_client, grant_catalog_management, may_manage_catalog
from orders.demo import HOSTED_PBX_REQUIREMENTS, seed_api_client, seed_catalog_client
from orders.models import LifecycleStatus, ProductOffering
from tests.api.conftest import OFFERINGS, assert_error, assert_valid, post_json
from tests.api.test_fuzzing import FUZZ, maybe
from tests.factories import InstalledProductFactory, OfferingFactory, OrderItemFactory

pytestmark = pytest.mark.django_db

SPECIFICATIONS = "/tmf-api/productCatalogManagement/v4/productSpecification"
PRICES = "/tmf-api/productCatalogManagement/v4/productOfferingPrice"


@pytest.fixture
def catalog_api(db):
    """A client allowed to manage the catalog (the admin's permission to change offerings)."""
    client, token = create_api_client(name="Catalog team")
    grant_catalog_management(client)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def pbx(db):
    return OfferingFactory(
        code="pbx",
        name="Hosted PBX",
        category="voice",
        recurring_price=Decimal("9.50"),
        data_requirements=HOSTED_PBX_REQUIREMENTS,
    )


def merge_patch(client, url, body):
    return client.patch(url, json.dumps(body), content_type="application/merge-patch+json")


# --- reading -------------------------------------------------------------------------------------


def test_each_offering_has_its_specification_with_characteristics(api, fibre, pbx, django_assert_max_num_queries):
    OfferingFactory(code="secret", lifecycle_status=LifecycleStatus.IN_DESIGN)
    for index in range(5):
        OfferingFactory(code=f"more-{index}")

    with django_assert_max_num_queries(4):  # token, catalog-management permission, count, page
        response = api.get(SPECIFICATIONS, {"limit": 100})

    assert response.status_code == 200
    specifications = {s["id"]: s for s in response.json()}
    assert set(specifications) == {"fibre-api", "pbx", *(f"more-{i}" for i in range(5))}
    for specification in specifications.values():
        assert_valid(specification, "ProductSpecification", "TMF620")
    handsets = {c["name"]: c for c in specifications["pbx"]["productSpecCharacteristic"]}["handsets"]
    assert handsets["valueType"] == "object"
    assert handsets["minCardinality"] >= 1

    offering = api.get(f"{OFFERINGS}/pbx").json()
    assert offering["productSpecification"]["id"] == "pbx"
    assert api.get(offering["productSpecification"]["href"]).json() == specifications["pbx"]
    assert_error(api.get(f"{SPECIFICATIONS}/secret"), 404)


def test_specifications_are_filtered_and_selected(api, fibre, pbx):
    response = api.get(SPECIFICATIONS, {"name": "Hosted PBX", "fields": "id,href,name,@type"})

    assert response.json() == [
        {
            "id": "pbx",
            "href": f"http://testserver{SPECIFICATIONS}/pbx",
            "name": "Hosted PBX",
            "@type": "ProductSpecification",
        }
    ]
    last_update = api.get(f"{SPECIFICATIONS}/pbx").json()["lastUpdate"]
    assert [s["id"] for s in api.get(SPECIFICATIONS, {"lastUpdate": last_update}).json()] == ["pbx"]
    assert_error(api.get(SPECIFICATIONS, {"category.id": "voice"}), 400)


def test_prices_are_the_offerings_prices_and_charges_per_entry(api, pbx, mobile, django_assert_max_num_queries):
    for index in range(5):
        OfferingFactory(code=f"more-{index}", one_off_price=Decimal("10"))

    with django_assert_max_num_queries(3):  # token, catalog-management permission, the offerings
        response = api.get(PRICES, {"limit": 100})

    prices = {p["id"]: p for p in response.json()}
    assert response["X-Total-Count"] == str(len(prices))
    for price in prices.values():
        assert_valid(price, "ProductOfferingPrice", "TMF620")
    assert prices["pbx-recurring"]["price"] == {"unit": "GBP", "value": 9.5}
    assert prices["pbx-recurring"]["priceType"] == "recurring"
    assert prices["pbx-recurring"]["recurringChargePeriodType"] == "month"
    per_handset = prices["pbx-handsets-one-off"]
    assert (per_handset["priceType"], per_handset["price"]["value"]) == ("oneTime", 45.0)
    assert per_handset["unitOfMeasure"] == {"amount": 1, "units": "handset"}
    assert per_handset["name"] == "Hosted PBX: 45.00 GBP one-off per handset"
    assert prices["pbx-handsets-recurring"]["price"]["value"] == 6.5
    assert "pbx-one-off" not in prices  # a price of 0 is no price

    offering = api.get(f"{OFFERINGS}/pbx").json()
    assert {p["id"] for p in offering["productOfferingPrice"]} == {
        "pbx-recurring",
        "pbx-handsets-one-off",
        "pbx-handsets-recurring",
    }
    for reference in offering["productOfferingPrice"]:
        assert api.get(reference["href"]).json() == prices[reference["id"]]


def test_prices_are_filtered_paged_and_unknown_ones_are_404(api, pbx, mobile):
    one_off = api.get(PRICES, {"priceType": "oneTime"}).json()
    assert {p["id"] for p in one_off} == {"pbx-handsets-one-off", "mobile-api-one-off"}
    page = api.get(PRICES, {"limit": 2, "offset": 1, "fields": "priceType"})
    assert page["X-Result-Count"] == "2"
    assert set(page.json()[0]) == {"priceType"}
    assert_error(api.get(PRICES, {"priceType": "weekly"}), 400)
    assert_error(api.get(f"{PRICES}/pbx-weekly"), 404)
    assert_error(api.get(f"{PRICES}/nothing"), 404)


# --- who may write -------------------------------------------------------------------------------


def test_clients_without_catalog_management_get_403_and_change_nothing(api, pbx):
    before = ProductOffering.objects.values().get(pk=pbx.pk)

    assert_error(post_json(api, OFFERINGS, {"name": "Mine", "category": [{"id": "voice"}]}), 403)
    assert_error(post_json(api, SPECIFICATIONS, {"name": "Mine", "category": [{"id": "voice"}]}), 403)
    assert_error(api.delete(f"{OFFERINGS}/pbx"), 403)
    assert_error(merge_patch(api, f"{SPECIFICATIONS}/pbx", {"name": "Mine"}), 403)
    assert_error(api.delete(f"{SPECIFICATIONS}/pbx"), 403)
    assert_error(merge_patch(api, f"{PRICES}/pbx-recurring", {"price": {"value": 0}}), 403)
    assert_error(api.delete(f"{PRICES}/pbx-recurring"), 403)
    assert_error(post_json(api, PRICES, {"name": "Mine", "productOffering": {"id": "pbx"}}), 403)

    assert ProductOffering.objects.values().get(pk=pbx.pk) == before


# --- offerings -----------------------------------------------------------------------------------


def test_an_offering_is_created_from_a_specification_and_can_be_ordered_at_once(catalog_api, pbx):
    orderable_offerings({"pbx"})  # the in-memory catalog, loaded before the change

    response = post_json(
        catalog_api,
        OFFERINGS,
        {
            "name": "Hosted PBX Plus",
            "description": "More handsets.",
            "productSpecification": {"id": "pbx", "@referredType": "ProductSpecification"},
            "productOfferingPrice": [{"id": "pbx-recurring"}],
            "lifecycleStatus": "Launched",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert_valid(body, "ProductOffering", "TMF620")
    assert response["Location"] == body["href"]
    assert body["id"] == "hosted-pbx-plus"
    assert (body["lifecycleStatus"], body["category"][0]["id"]) == ("Launched", "voice")
    assert body["productSpecCharacteristic"] == catalog_api.get(f"{OFFERINGS}/pbx").json()["productSpecCharacteristic"]
    assert {p["id"] for p in body["productOfferingPrice"]} == {
        "hosted-pbx-plus-recurring",
        "hosted-pbx-plus-handsets-one-off",
        "hosted-pbx-plus-handsets-recurring",
    }
    assert orderable_offerings({"hosted-pbx-plus"})["hosted-pbx-plus"].recurring_price == Decimal("9.50")
    # The same name again gets an id of its own; without a status it is in design, for catalog managers alone.
    again = post_json(catalog_api, OFFERINGS, {"name": "Hosted PBX Plus", "category": [{"id": "voice"}]})
    assert (again.json()["id"], again.json()["lifecycleStatus"]) == ("hosted-pbx-plus-2", "In design")
    assert "hosted-pbx-plus-2" not in orderable_offerings({"hosted-pbx-plus-2"})


def test_offerings_in_design_are_seen_by_catalog_managers_alone(catalog_api, api, pbx):
    OfferingFactory(code="draft", lifecycle_status=LifecycleStatus.IN_DESIGN)

    assert catalog_api.get(f"{OFFERINGS}/draft").status_code == 200
    assert catalog_api.get(f"{SPECIFICATIONS}/draft").status_code == 200
    assert catalog_api.get(f"{PRICES}/draft-recurring").status_code == 200
    assert [o["id"] for o in catalog_api.get(OFFERINGS, {"lifecycleStatus": "In design"}).json()] == ["draft"]
    assert "draft" in {o["id"] for o in catalog_api.get(OFFERINGS).json()}
    assert "draft" not in {o["id"] for o in api.get(OFFERINGS).json()}
    assert [s["id"] for s in catalog_api.get(SPECIFICATIONS, {"lifecycleStatus": "In design,Launched"}).json()] == [
        "draft",
        "pbx",
    ]
    assert {p["id"] for p in catalog_api.get(PRICES, {"lifecycleStatus": "In design"}).json()} == {"draft-recurring"}
    assert_error(api.get(f"{OFFERINGS}/draft"), 404)
    assert_error(api.get(f"{SPECIFICATIONS}/draft"), 404)
    assert_error(api.get(f"{PRICES}/draft-recurring"), 404)
    # Asking is no error (the OpenAPI lists every status); the answer holds none of them.
    assert api.get(OFFERINGS, {"lifecycleStatus": "In design"}).json() == []
    assert api.get(PRICES, {"lifecycleStatus": "In design"}).json() == []


@pytest.mark.parametrize(
    "body, attribute, status",
    [
        ({}, "name", 400),
        ({"name": "x" * 121, "category": [{"id": "tv"}]}, "name", 400),
        ({"name": "   ", "category": [{"id": "tv"}]}, "name", 400),  # blank, as the admin's validation says
        # Well-formed but refused (422): what the catalog holds decides, not the body's shape.
        ({"name": "New"}, "category", 422),
        ({"name": "New", "category": [{"id": "radio"}]}, "category", 400),
        ({"name": "New", "productSpecification": {"id": "9881"}}, "productSpecification.id", 422),
        (
            {"name": "New", "category": [{"id": "tv"}], "productOfferingPrice": [{"id": "none"}]},
            "productOfferingPrice",
            422,
        ),
        (
            {
                "name": "New",
                "productSpecification": {"id": "pbx"},
                "productOfferingPrice": [{"id": "pbx-handsets-one-off"}],
            },
            "productOfferingPrice",
            422,
        ),
        ({"name": "New", "category": [{"id": "tv"}], "lifecycleStatus": "Active"}, "lifecycleStatus", 400),
        ({"name": "New", "category": [{"id": "tv"}], "isBundle": True}, "isBundle", 400),
        ({"name": 5, "category": [{"id": "tv"}]}, "name", 400),
    ],
)
def test_a_refused_offering_says_why_and_nothing_is_created(catalog_api, pbx, body, attribute, status):
    before = ProductOffering.objects.count()

    error = assert_error(post_json(catalog_api, OFFERINGS, body), status)

    assert error["message"].startswith(attribute)
    assert ProductOffering.objects.count() == before


def test_an_offering_is_renamed_recategorised_and_retired(catalog_api, pbx):
    orderable_offerings({"pbx"})

    response = merge_patch(catalog_api, f"{OFFERINGS}/pbx", {"name": "Cloud PBX", "category": [{"id": "connectivity"}]})

    assert response.status_code == 200, response.content
    assert (response.json()["name"], response.json()["category"][0]["id"]) == ("Cloud PBX", "connectivity")
    assert orderable_offerings({"pbx"})["pbx"].name == "Cloud PBX"  # the in-memory catalog follows

    retired = merge_patch(catalog_api, f"{OFFERINGS}/pbx", {"lifecycleStatus": "Retired"})
    assert (retired.json()["lifecycleStatus"], retired.json()["isSellable"]) == ("Retired", False)
    assert catalog_api.get(f"{SPECIFICATIONS}/pbx").json()["lifecycleStatus"] == "Retired"
    assert orderable_offerings({"pbx"})["pbx"].lifecycle_status == LifecycleStatus.RETIRED


def test_an_offering_nothing_names_is_deleted_and_leaves_the_catalog(catalog_api, pbx):
    assert "pbx" in orderable_offerings({"pbx"})

    assert catalog_api.delete(f"{OFFERINGS}/pbx").status_code == 204

    assert_error(catalog_api.get(f"{OFFERINGS}/pbx"), 404)
    assert_error(catalog_api.get(f"{SPECIFICATIONS}/pbx"), 404)
    assert_error(catalog_api.get(f"{PRICES}/pbx-recurring"), 404)
    assert "pbx" not in orderable_offerings({"pbx"})


@pytest.mark.parametrize("named_by", ["order", "product", "addon"])
def test_an_offering_something_names_is_kept_with_the_reason(catalog_api, pbx, named_by):
    if named_by == "order":
        OrderItemFactory(offering=pbx)
    elif named_by == "product":
        InstalledProductFactory(offering=pbx)
    else:
        OfferingFactory(code="pbx-extra", is_addon=True).requires.add(pbx)

    error = assert_error(catalog_api.delete(f"{SPECIFICATIONS}/pbx"), 409)

    assert "retire it" in error["message"]
    assert ProductOffering.objects.filter(code="pbx").exists()


def test_an_offering_patch_refuses_what_it_cannot_change(catalog_api, pbx):
    current = catalog_api.get(f"{OFFERINGS}/pbx").json()

    assert_error(merge_patch(catalog_api, f"{OFFERINGS}/pbx", {"id": "other"}), 422)
    assert_error(merge_patch(catalog_api, f"{OFFERINGS}/pbx", {"name": ""}), 400)
    assert_error(merge_patch(catalog_api, f"{OFFERINGS}/pbx", {"name": None}), 400)
    assert_error(merge_patch(catalog_api, f"{OFFERINGS}/pbx", {"lifecycleStatus": "Gone"}), 400)
    assert_error(merge_patch(catalog_api, f"{OFFERINGS}/pbx", ["name"]), 400)
    assert_error(merge_patch(catalog_api, f"{OFFERINGS}/nothing", {"name": "x"}), 404)
    # Attributes sent back as they are do no harm.
    same = merge_patch(catalog_api, f"{OFFERINGS}/pbx", {"id": "pbx", "isBundle": False, "name": "Cloud PBX"})
    assert same.status_code == 200
    assert same.json()["productSpecCharacteristic"] == current["productSpecCharacteristic"]


def test_a_specification_changes_with_its_offering(catalog_api, pbx):
    response = merge_patch(catalog_api, f"{SPECIFICATIONS}/pbx", {"description": "Phones in the cloud."})

    assert response.status_code == 200, response.content
    assert_valid(response.json(), "ProductSpecification", "TMF620")
    assert catalog_api.get(f"{OFFERINGS}/pbx").json()["description"] == "Phones in the cloud."
    assert_error(merge_patch(catalog_api, f"{SPECIFICATIONS}/pbx", {"category": [{"id": "tv"}]}), 422)


def test_a_specification_is_created_for_an_offering_to_design(catalog_api, api):
    body = {
        "name": "Cisco Firepower NGFW",
        "category": [{"id": "connectivity"}],
        "productSpecCharacteristic": [
            {"name": "site_name", "description": "Site name", "valueType": "string", "minCardinality": 1},
            {
                "name": "throughput",
                "valueType": "string",
                "productSpecCharacteristicValue": [{"value": "1G", "isDefault": True}, {"value": "10G"}],
            },
            {
                "name": "users",
                "valueType": "integer",
                "productSpecCharacteristicValue": [{"valueFrom": "1", "valueTo": "500"}],
            },
            {"name": "zones", "valueType": "object", "minCardinality": 1, "maxCardinality": 8},
            {"name": "zones.label", "valueType": "string", "minCardinality": 1, "isUnique": True},
        ],
    }

    response = post_json(catalog_api, SPECIFICATIONS, body)

    assert response.status_code == 201, response.content
    created = response.json()
    assert_valid(created, "ProductSpecification", "TMF620")
    assert (created["id"], created["lifecycleStatus"]) == ("cisco-firepower-ngfw", "In design")
    assert response["Location"] == created["href"]
    offering = ProductOffering.objects.get(code="cisco-firepower-ngfw")
    assert offering.data_requirements == [
        {"name": "site_name", "label": "Site name", "type": "text", "required": True},
        {"name": "throughput", "type": "choice", "choices": ["1G", "10G"], "default": "1G"},
        {"name": "users", "type": "number", "integer": True, "min": 1, "max": 500},
        {
            "name": "zones",
            "type": "group",
            "fields": [{"name": "label", "type": "text", "required": True, "unique": True}],
            "min": 1,
            "max": 8,
        },
    ]
    assert catalog_api.get(created["href"]).json() == created
    assert_error(api.get(created["href"]), 404)
    # An offering on it, launched, is on the catalog.
    launched = post_json(
        catalog_api,
        OFFERINGS,
        {"name": "Firewall", "productSpecification": {"id": created["id"]}, "lifecycleStatus": "Launched"},
    )
    assert launched.json()["productSpecCharacteristic"] == created["productSpecCharacteristic"]
    assert api.get(f"{OFFERINGS}/firewall").status_code == 200


def test_a_specification_needs_only_a_name_and_its_offering_a_category_before_launch(catalog_api, api):
    # TMF620's ProductSpecification_Create requires a name alone: the category can come later.
    response = post_json(catalog_api, SPECIFICATIONS, {"name": "Cisco Firepower NGFW"})

    assert response.status_code == 201, response.content
    created = response.json()
    assert_valid(created, "ProductSpecification", "TMF620")
    assert (created["id"], created["lifecycleStatus"]) == ("cisco-firepower-ngfw", "In design")
    assert catalog_api.get(SPECIFICATIONS, {"name": "Cisco Firepower NGFW"}).json() == [created]
    offering_url = f"{OFFERINGS}/cisco-firepower-ngfw"
    assert "category" not in catalog_api.get(offering_url).json()
    assert_error(api.get(offering_url), 404)

    # Not launched without one, nor copied into an offering that would have none.
    refused = assert_error(merge_patch(catalog_api, offering_url, {"lifecycleStatus": "Launched"}), 422)
    assert refused["message"].startswith("category"), refused["message"]
    copy = {"name": "Firewall", "productSpecification": {"id": created["id"]}}
    assert assert_error(post_json(catalog_api, OFFERINGS, copy), 422)["message"].startswith("category")

    launched = merge_patch(
        catalog_api, offering_url, {"category": [{"id": "connectivity"}], "lifecycleStatus": "Launched"}
    )
    assert launched.status_code == 200, launched.content
    assert api.get(offering_url).json()["category"][0]["id"] == "connectivity"


@pytest.mark.parametrize(
    "characteristics, attribute, status",
    [
        # 400 for what the OpenAPI document rules out, 422 for what only the catalog's rules refuse.
        ([{"name": "Site Name", "valueType": "string"}], "productSpecCharacteristic", 422),  # the admin's validation
        (
            [{"name": "site", "valueType": "string"}, {"name": "site", "valueType": "string"}],
            "productSpecCharacteristic[1].name",
            422,
        ),
        ([{"name": "zones.label", "valueType": "string"}], "productSpecCharacteristic[0].name", 422),
        ([{"name": "zones", "valueType": "object"}], "productSpecCharacteristic", 422),  # a group without fields
        ([{"name": "code", "valueType": "string", "regex": "^[0-9]+$"}], "productSpecCharacteristic[0].regex", 422),
        ([{"name": "site", "valueType": "colour"}], "productSpecCharacteristic[0].valueType", 400),
        (
            [{"name": "site", "valueType": "string", "minCardinality": -1}],
            "productSpecCharacteristic[0].minCardinality",
            400,
        ),
        (
            [{"name": "n", "valueType": "number", "productSpecCharacteristicValue": [{"valueFrom": "ten"}]}],
            "productSpecCharacteristic[0]",
            422,
        ),
        (
            [{"name": "n", "valueType": "number", "productSpecCharacteristicValue": [{"valueFrom": 9, "valueTo": 1}]}],
            "productSpecCharacteristic",
            422,
        ),
        ("none", "productSpecCharacteristic", 400),
    ],
)
def test_refused_characteristics_say_why_and_nothing_is_created(catalog_api, characteristics, attribute, status):
    body = {"name": "Spec", "category": [{"id": "tv"}], "productSpecCharacteristic": characteristics}

    error = assert_error(post_json(catalog_api, SPECIFICATIONS, body), status)

    assert error["message"].startswith(attribute), error["message"]
    assert not ProductOffering.objects.filter(code="spec").exists()


def test_a_default_mark_on_a_range_is_no_default_and_no_server_error(catalog_api):
    # schemathesis: isDefault on an entry without a value answered 500 (KeyError).
    values = [{"value": "small"}, {"value": "large"}, {"isDefault": True, "valueFrom": "a"}]
    characteristic = {"name": "size", "valueType": "string", "productSpecCharacteristicValue": values}
    body = {"name": "Spec", "category": [{"id": "tv"}], "productSpecCharacteristic": [characteristic]}

    response = post_json(catalog_api, SPECIFICATIONS, body)

    assert response.status_code == 201, response.content
    [shown] = response.json()["productSpecCharacteristic"]
    assert not any(v.get("isDefault") for v in shown["productSpecCharacteristicValue"])


def test_a_price_unit_that_is_blank_is_refused_as_documented(catalog_api, pbx, client):
    schema = client.get("/tmf-api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    unit = schema["components"]["schemas"]["ProductOfferingPricePatch"]["properties"]["price"]["properties"]["unit"]

    assert not re.search(unit["pattern"], " ")
    assert_error(merge_patch(catalog_api, f"{PRICES}/pbx-recurring", {"price": {"value": 5, "unit": ""}}), 400)


def test_characteristics_sent_back_as_shown_keep_what_tmf620_cannot_say(catalog_api, pbx):
    shown = catalog_api.get(f"{SPECIFICATIONS}/pbx").json()["productSpecCharacteristic"]
    added = {"name": "site_notes", "description": "Site notes", "valueType": "string"}

    response = merge_patch(catalog_api, f"{SPECIFICATIONS}/pbx", {"productSpecCharacteristic": [*shown, added]})

    assert response.status_code == 200, response.content
    pbx.refresh_from_db()
    assert pbx.data_requirements == [
        *HOSTED_PBX_REQUIREMENTS,
        {"name": "site_notes", "label": "Site notes", "type": "text"},
    ]
    assert response.json()["productSpecCharacteristic"][:-1] == shown

    # Leaving one out removes it.
    without = [c for c in shown if c["name"] != "main_number"]
    merge_patch(catalog_api, f"{SPECIFICATIONS}/pbx", {"productSpecCharacteristic": without})
    pbx.refresh_from_db()
    assert "main_number" not in {spec["name"] for spec in pbx.data_requirements}


# --- prices --------------------------------------------------------------------------------------


def test_a_price_changes_and_the_catalog_orders_use_follows(catalog_api, pbx):
    orderable_offerings({"pbx"})

    response = merge_patch(catalog_api, f"{PRICES}/pbx-recurring", {"price": {"value": 12.5, "unit": "GBP"}})

    assert response.status_code == 200, response.content
    assert response.json()["price"] == {"unit": "GBP", "value": 12.5}
    assert orderable_offerings({"pbx"})["pbx"].recurring_price == Decimal("12.50")


def test_a_charge_per_entry_changes_in_the_data_requirements(catalog_api, pbx):
    response = merge_patch(catalog_api, f"{PRICES}/pbx-handsets-recurring", {"price": {"value": 7}})

    assert response.status_code == 200, response.content
    pbx.refresh_from_db()
    handsets = next(spec for spec in pbx.data_requirements if spec["name"] == "handsets")
    assert handsets["price_per_entry"] == {"one_off": "45.00", "recurring": "7.00"}

    assert catalog_api.delete(f"{PRICES}/pbx-handsets-one-off").status_code == 204
    pbx.refresh_from_db()
    handsets = next(spec for spec in pbx.data_requirements if spec["name"] == "handsets")
    assert handsets["price_per_entry"] == {"recurring": "7.00"}
    assert_error(catalog_api.get(f"{PRICES}/pbx-handsets-one-off"), 404)
    assert "pbx-handsets-one-off" not in {p["id"] for p in catalog_api.get(PRICES).json()}

    # The group's last charge going takes its price_per_entry away.
    assert catalog_api.delete(f"{PRICES}/pbx-handsets-recurring").status_code == 204
    pbx.refresh_from_db()
    assert "price_per_entry" not in next(spec for spec in pbx.data_requirements if spec["name"] == "handsets")


def test_an_offering_is_given_a_price_and_it_is_taken_away(catalog_api, pbx):
    assert_error(catalog_api.get(f"{PRICES}/pbx-one-off"), 404)  # a price of 0 is no price
    body = {
        "name": "Set-up",
        "priceType": "oneTime",
        "price": {"value": 30, "unit": "GBP"},
        "productOffering": {"id": "pbx"},
    }

    response = post_json(catalog_api, PRICES, body)

    assert response.status_code == 201, response.content
    assert_valid(response.json(), "ProductOfferingPrice", "TMF620")
    assert (response.json()["id"], response["Location"]) == ("pbx-one-off", response.json()["href"])
    assert "pbx-one-off" in {p["id"] for p in catalog_api.get(f"{OFFERINGS}/pbx").json()["productOfferingPrice"]}
    assert_error(post_json(catalog_api, PRICES, body), 409)  # it has one: PATCH it

    assert catalog_api.delete(f"{PRICES}/pbx-one-off").status_code == 204
    pbx.refresh_from_db()
    assert pbx.one_off_price == 0
    assert_error(catalog_api.get(f"{PRICES}/pbx-one-off"), 404)


def test_a_group_is_given_a_charge_per_entry(catalog_api, pbx):
    body = {
        "name": "Per group",
        "priceType": "recurring",
        "price": {"value": 2},
        "productOffering": {"id": "pbx"},
        "unitOfMeasure": {"amount": 1, "units": "user group"},
    }

    response = post_json(catalog_api, PRICES, body)

    assert response.status_code == 201, response.content
    assert response.json()["id"] == "pbx-user_groups-recurring"
    assert response.json()["name"] == "Per group"
    assert catalog_api.get(PRICES, {"name": "Per group"}).json() == [response.json()]
    pbx.refresh_from_db()
    groups = next(spec for spec in pbx.data_requirements if spec["name"] == "user_groups")
    assert groups["price_per_entry"] == {"recurring": "2.00"}


def test_a_price_is_renamed_and_keeps_its_name_when_its_amount_changes(catalog_api, api, pbx):
    response = merge_patch(catalog_api, f"{PRICES}/pbx-recurring", {"name": "Renamed"})

    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Renamed"
    assert response.json()["price"] == {"unit": "GBP", "value": 9.5}
    assert api.get(f"{PRICES}/pbx-recurring").json()["name"] == "Renamed"
    assert [p["id"] for p in api.get(PRICES, {"name": "Renamed"}).json()] == ["pbx-recurring"]
    references = api.get(f"{OFFERINGS}/pbx").json()["productOfferingPrice"]
    assert {r["id"]: r["name"] for r in references}["pbx-recurring"] == "Renamed"

    response = merge_patch(catalog_api, f"{PRICES}/pbx-recurring", {"price": {"value": 12.5}})

    assert (response.json()["name"], response.json()["price"]["value"]) == ("Renamed", 12.5)
    pbx.refresh_from_db()
    assert (pbx.recurring_price, pbx.price_names["recurring"]) == (Decimal("12.50"), "Renamed")


def test_a_price_is_renamed_and_repriced_at_once_and_its_name_goes_with_it(catalog_api, pbx):
    url = f"{PRICES}/pbx-handsets-one-off"

    response = merge_patch(catalog_api, url, {"name": "  Handset set-up  ", "price": {"value": 40}})

    assert response.status_code == 200, response.content
    assert (response.json()["name"], response.json()["price"]["value"]) == ("Handset set-up", 40.0)
    pbx.refresh_from_db()
    assert pbx.price_names["handsets.one_off"] == "Handset set-up"

    assert catalog_api.delete(url).status_code == 204
    assert_error(catalog_api.get(url), 404)
    pbx.refresh_from_db()
    assert "handsets.one_off" not in pbx.price_names
    body = {"name": "Again", "priceType": "oneTime", "price": {"value": 45}, "productOffering": {"id": "pbx"}}
    body["unitOfMeasure"] = {"amount": 1, "units": "handsets"}
    assert post_json(catalog_api, PRICES, body).json()["name"] == "Again"


def test_a_name_nobody_gave_follows_the_amount_and_the_offering(catalog_api, pbx):
    assert catalog_api.get(f"{PRICES}/pbx-recurring").json()["name"] == "Hosted PBX: 9.50 GBP per month"

    merge_patch(catalog_api, f"{PRICES}/pbx-recurring", {"price": {"value": 12.5}})
    merge_patch(catalog_api, f"{OFFERINGS}/pbx", {"name": "Cloud PBX"})

    names = {p["id"]: p["name"] for p in catalog_api.get(PRICES, {"id": "pbx-recurring,pbx-handsets-one-off"}).json()}
    assert names == {
        "pbx-recurring": "Cloud PBX: 12.50 GBP per month",
        "pbx-handsets-one-off": "Cloud PBX: 45.00 GBP one-off per handset",
    }


@pytest.mark.parametrize(
    "body, status",
    [
        ({"name": ""}, 400),
        ({"name": "   "}, 400),
        ({"name": None}, 400),
        ({"name": 42}, 400),
        ({"name": "x" * 201}, 400),
        ({"name": "Fine", "price": {"value": -1}}, 400),
        ({"name": "Fine", "priceType": "oneTime"}, 422),
    ],
)
def test_a_refused_rename_changes_nothing(catalog_api, pbx, body, status):
    assert_error(merge_patch(catalog_api, f"{PRICES}/pbx-recurring", body), status)

    assert catalog_api.get(f"{PRICES}/pbx-recurring").json()["name"] == "Hosted PBX: 9.50 GBP per month"
    pbx.refresh_from_db()
    assert pbx.price_names == {}


def test_clients_without_catalog_management_cannot_rename_a_price(api, pbx):
    assert_error(merge_patch(api, f"{PRICES}/pbx-recurring", {"name": "Mine"}), 403)

    assert api.get(f"{PRICES}/pbx-recurring").json()["name"] == "Hosted PBX: 9.50 GBP per month"


@pytest.mark.parametrize(
    "change, attribute, status",
    [
        ({"productOffering": {"id": "nothing"}}, "productOffering.id", 422),
        ({"productOffering": None}, "productOffering", 400),
        ({"priceType": "usage"}, "priceType", 400),
        ({"price": {"value": 0}}, "price.value", 400),
        ({"price": {"value": 5, "unit": "EUR"}}, "price.unit", 422),
        ({"unitOfMeasure": {"amount": 1, "units": "desks"}}, "unitOfMeasure.units", 422),
        ({"unitOfMeasure": {"amount": 3, "units": "handsets"}}, "unitOfMeasure.amount", 400),
        ({"recurringChargePeriodType": "month"}, "recurringChargePeriodType", 422),
        ({"isBundle": True}, "isBundle", 400),
    ],
)
def test_a_refused_new_price_says_why_and_changes_nothing(catalog_api, pbx, change, attribute, status):
    body = {"name": "Set-up", "priceType": "oneTime", "price": {"value": 30}, "productOffering": {"id": "pbx"}}
    body = {k: v for k, v in (body | change).items() if v is not None}

    error = assert_error(post_json(catalog_api, PRICES, body), status)

    assert error["message"].startswith(attribute), error["message"]
    pbx.refresh_from_db()
    assert pbx.one_off_price == 0


@pytest.mark.parametrize(
    "body, status",
    [
        ({"price": {"value": -1}}, 400),
        ({"price": {"value": "abc"}}, 400),
        ({"price": {"value": "5.00"}}, 400),  # a number, as the OpenAPI says
        ({"price": {"value": 123456789012}}, 400),
        ({"price": {"value": 1.234}}, 400),
        ({"price": {"value": 5, "unit": "EUR"}}, 422),
        ({"price": None}, 400),
        ({"price": {"value": 5}, "priceType": "oneTime"}, 422),
    ],
)
def test_a_refused_price_change_changes_nothing(catalog_api, pbx, body, status):
    assert_error(merge_patch(catalog_api, f"{PRICES}/pbx-recurring", body), status)

    pbx.refresh_from_db()
    assert pbx.recurring_price == Decimal("9.50")


def test_the_openapi_document_describes_specifications_prices_and_writes(client):
    schema = client.get("/tmf-api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    paths = schema["paths"]
    for resource, detail in (
        ("productOffering", "offering_id"),
        ("productSpecification", "specification_id"),
        ("productOfferingPrice", "price_id"),
    ):
        assert {"get", "post"} <= set(paths[f"/tmf-api/productCatalogManagement/v4/{resource}"])
        assert {"get", "patch", "delete"} <= set(paths[f"/tmf-api/productCatalogManagement/v4/{resource}/{{{detail}}}"])
    price_patch = schema["components"]["schemas"]["ProductOfferingPricePatch"]
    assert price_patch["properties"]["price"]["properties"]["value"]["minimum"] == 0
    assert price_patch["properties"]["name"]["maxLength"] == 200
    create = paths["/tmf-api/productCatalogManagement/v4/productOffering"]["post"]
    assert "403" in create["responses"]
    new_price = paths["/tmf-api/productCatalogManagement/v4/productOfferingPrice"]["post"]["requestBody"]
    money = new_price["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    money = schema["components"]["schemas"][money]["properties"]["price"]["$ref"].rsplit("/", 1)[1]
    assert schema["components"]["schemas"][money]["properties"]["value"]["type"] == "number"
    assert schema["components"]["schemas"][money]["properties"]["value"]["minimum"] == 0.01  # 0 is refused


def test_the_demo_catalog_team_manages_the_catalog_and_the_demo_partner_only_reads_it(db):
    catalog_team, partner = seed_catalog_client(), seed_api_client()

    assert may_manage_catalog(catalog_team)
    assert not may_manage_catalog(partner)
    assert seed_catalog_client().pk == catalog_team.pk  # seeding again changes nothing


# --- whatever is sent, never a server error -------------------------------------------------------

characteristic_bodies = st.fixed_dictionaries(
    {
        "name": maybe(st.sampled_from(["site", "zones", "zones.label", "Bad Name", "x" * 50, ""])),
        "valueType": maybe(st.sampled_from(["string", "number", "integer", "boolean", "date", "object", "colour"])),
    },
    optional={
        "minCardinality": maybe(st.integers(-2, 5)),
        "maxCardinality": maybe(st.integers(-2, 5)),
        "productSpecCharacteristicValue": maybe(
            st.lists(
                maybe(
                    st.fixed_dictionaries(
                        {},
                        optional={
                            "value": maybe(st.text(max_size=5)),
                            "valueFrom": maybe(st.one_of(st.text(max_size=5), st.integers())),
                            "valueTo": maybe(st.one_of(st.text(max_size=5), st.integers())),
                            "isDefault": maybe(st.booleans()),
                        },
                    )
                ),
                max_size=3,
            )
        ),
        "isUnique": maybe(st.booleans()),
        "regex": maybe(st.text(max_size=5)),
    },
)
catalog_bodies = st.fixed_dictionaries(
    {},
    optional={
        "name": maybe(st.text(max_size=130)),
        "description": maybe(st.text(max_size=20)),
        "lifecycleStatus": maybe(st.sampled_from(LifecycleStatus.values)),
        "category": maybe(st.lists(st.fixed_dictionaries({"id": maybe(st.sampled_from(["tv", "radio"]))}), max_size=2)),
        "productSpecification": maybe(st.fixed_dictionaries({"id": maybe(st.sampled_from(["pbx", "9881"]))})),
        "productOfferingPrice": maybe(
            st.lists(
                st.fixed_dictionaries({"id": maybe(st.sampled_from(["pbx-recurring", "pbx-handsets-one-off", "x"]))}),
                max_size=3,
            )
        ),
        "productSpecCharacteristic": maybe(st.lists(characteristic_bodies, max_size=4)),
        "productOffering": maybe(st.fixed_dictionaries({"id": maybe(st.sampled_from(["pbx", "nothing"]))})),
        "priceType": maybe(st.sampled_from(["oneTime", "recurring", "usage"])),
        "price": maybe(
            st.fixed_dictionaries(
                {"value": maybe(st.one_of(st.integers(-5, 10**12), st.floats(allow_nan=False, allow_infinity=False)))},
                optional={"unit": maybe(st.sampled_from(["GBP", "EUR"]))},
            )
        ),
        "unitOfMeasure": maybe(
            st.fixed_dictionaries(
                {
                    "amount": maybe(st.integers(0, 2)),
                    "units": maybe(st.sampled_from(["handset", "user_groups", "desk"])),
                }
            )
        ),
    },
)


@FUZZ
@given(
    body=catalog_bodies,
    target=st.sampled_from(
        [
            ("post", OFFERINGS),
            ("post", SPECIFICATIONS),
            ("post", PRICES),
            ("patch", f"{OFFERINGS}/pbx"),
            ("patch", f"{SPECIFICATIONS}/pbx"),
            ("patch", f"{PRICES}/pbx-recurring"),
        ]
    ),
)
def test_catalog_writes_from_arbitrary_bodies_never_fail_on_our_side(catalog_api, pbx, body, target):
    method, url = target
    content_type = "application/json" if method == "post" else "application/merge-patch+json"

    response = getattr(catalog_api, method)(url, json.dumps(body), content_type=content_type)

    assert response.status_code in (200, 201, 400, 409, 422), response.content[:500]
    if response.status_code >= 400:
        assert_error(response, response.status_code)


@pytest.mark.parametrize(
    "url, body",
    [
        (OFFERINGS, {"name": "Bundle", "isBundle": True}),
        (OFFERINGS, {"name": "Bundle", "isBundle": "false"}),
        (PRICES, {"name": "Free", "priceType": "oneTime", "price": {"value": 0}, "productOffering": {"id": "pbx"}}),
    ],
)
def test_what_the_document_rules_out_is_refused(catalog_api, pbx, url, body):
    # isBundle is `enum: [false]` and a new price's value has `minimum: 0.01` in the OpenAPI document.
    assert_error(post_json(catalog_api, url, body), 400)


@pytest.mark.parametrize("url", [f"{OFFERINGS}/pbx", f"{PRICES}/pbx-recurring"])
def test_a_patch_naming_no_attribute_it_may_change_is_refused_as_documented(catalog_api, pbx, url):
    # The document's patches allow no other attributes; the server answers 422 with the attribute's name.
    body = assert_error(catalog_api.patch(url, {"colour": "red"}, content_type="application/merge-patch+json"), 422)

    assert "colour" in body["message"]


def test_the_documented_patches_are_closed_and_ask_for_a_name_that_is_not_blank(client):
    schemas = client.get("/tmf-api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["components"]
    for name in ("ProductOfferingPatch", "ProductSpecificationPatch", "ProductOfferingPricePatch"):
        patch = schemas["schemas"][name]
        assert patch["additionalProperties"] is False
        assert not re.search(patch["properties"]["name"]["pattern"], "   ")
