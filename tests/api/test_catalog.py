"""TMF620 productOffering: what a client may order and which characteristics each offering needs."""

import pytest

from orders.demo import HOSTED_PBX_REQUIREMENTS
from orders.models import LifecycleStatus
from tests.api.conftest import OFFERINGS, assert_error, assert_valid
from tests.factories import OfferingFactory

pytestmark = pytest.mark.django_db


def test_offerings_are_listed_with_their_characteristics(api, fibre, mobile, django_assert_num_queries):
    OfferingFactory(code="secret", lifecycle_status=LifecycleStatus.IN_DESIGN)

    with django_assert_num_queries(4):  # token, catalog-management permission, count, page
        response = api.get(OFFERINGS)

    assert response["X-Total-Count"] == "2"
    offerings = {o["id"]: o for o in response.json()}
    assert set(offerings) == {"fibre-api", "mobile-api"}
    for offering in offerings.values():
        assert_valid(offering, "ProductOffering", "TMF620")
        for spec in offering["productSpecCharacteristic"]:
            assert_valid(spec, "ProductSpecificationCharacteristic", "TMF620")
    router = offerings["fibre-api"]["productSpecCharacteristic"][0]
    assert router["name"] == "router"
    assert (router["valueType"], router["minCardinality"], router["maxCardinality"]) == ("string", 1, 1)
    assert [v["value"] for v in router["productSpecCharacteristicValue"]] == ["hub-6", "mesh-pack"]
    assert offerings["fibre-api"]["productSpecCharacteristic"][1]["minCardinality"] == 0


def test_groups_and_their_fields_are_described_with_cardinality_and_rules(api):
    OfferingFactory(code="pbx", data_requirements=HOSTED_PBX_REQUIREMENTS)

    response = api.get(f"{OFFERINGS}/pbx")

    body = response.json()
    assert_valid(body, "ProductOffering", "TMF620")
    specs = {s["name"]: s for s in body["productSpecCharacteristic"]}
    assert specs["user_groups"]["valueType"] == "object"
    assert (specs["user_groups"]["minCardinality"], specs["user_groups"]["maxCardinality"]) == (1, 20)
    assert specs["user_groups.name"]["isUnique"] is True
    assert specs["main_number"]["regex"]
    assert {s["name"] for s in body["prodSpecCharValueUse"]} == set(specs)
    for use in body["prodSpecCharValueUse"]:
        assert_valid(use, "ProductSpecificationCharacteristicValueUse", "TMF620")


def test_offerings_are_filtered_and_retrieved_by_code(api, fibre, mobile):
    assert [o["id"] for o in api.get(OFFERINGS, {"id": "mobile-api"}).json()] == ["mobile-api"]
    assert [o["id"] for o in api.get(OFFERINGS, {"lifecycleStatus": "Launched", "fields": "id"}).json()] == [
        "fibre-api",
        "mobile-api",
    ]
    assert set(api.get(OFFERINGS, {"fields": "name"}).json()[0]) == {"name"}
    assert api.get(OFFERINGS, {"lifecycleStatus": "In design"}).json() == []  # none this client may see
    assert_error(api.get(OFFERINGS, {"lifecycleStatus": "Draft"}), 400)
    assert_error(api.get(f"{OFFERINGS}/nothing"), 404)


def test_offerings_in_design_are_not_shown(api):
    OfferingFactory(code="secret", lifecycle_status=LifecycleStatus.IN_DESIGN)

    assert_error(api.get(f"{OFFERINGS}/secret"), 404)


def test_clients_without_catalog_management_only_read(api, fibre):
    assert_error(api.post(OFFERINGS, "{}", content_type="application/json"), 403)
    assert_error(api.patch(f"{OFFERINGS}/fibre-api", "{}", content_type="application/merge-patch+json"), 403)
    assert_error(api.delete(f"{OFFERINGS}/fibre-api"), 403)
