"""TMF679 productOfferingQualification: this customer, these offerings, this place: qualified or not, and why.

Also what the official conformance kit sends: parties, offerings and channels we do not know (201,
not qualified, with the reason), quoted filter values, a list read with a trailing slash, `fields`
with stray whitespace answered with exactly those keys, and the 400s.
"""

import json
from functools import cache
from pathlib import Path

import pytest
from django.test import Client
from jsonschema import Draft4Validator

from orders.clients import create_api_client
from orders.models import LifecycleStatus, OfferingCategory, OfferingQualification
from tests.api.conftest import assert_error, post_json
from tests.factories import OfferingFactory, valid_address

QUALIFICATIONS = "/tmf-api/productOfferingQualification/v4/productOfferingQualification"
NO_FIBRE_STREET = {"street": "Church Lane", "number": "9", "postcode": "RV9 7CL"}  # VDSL and 4G only
SPEC = Path(__file__).resolve().parent / "tmf" / "TMF679-ProductOfferingQualification-v4.0.0.swagger.json"


@cache
def _definitions() -> dict:
    return json.loads(SPEC.read_text())["definitions"]


def assert_valid_qualification(body: dict) -> None:
    schema = {"$ref": "#/definitions/ProductOfferingQualification", "definitions": _definitions()}
    validator = Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
    errors = list(validator.iter_errors(body))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def body(customer, *items, **fields) -> dict:
    return {
        "productOfferingQualificationItem": list(items),
        "relatedParty": [{"id": customer.number, "role": "customer", "@referredType": "Customer"}],
        **fields,
    }


def offering_item(offering, item_id="1") -> dict:
    return {"id": item_id, "productOffering": {"id": offering.code}}


# The official kit's first qualification: a party, offerings and a channel that are not ours.
KIT_BODY = {
    "description": "qualification for productOffering",
    "expectedQualificationDate": "2017-09-21T12:00:00Z",
    "provideAlternative": True,
    "provideOnlyAvailable": False,
    "provideUnavailabilityReason": True,
    "productOfferingQualificationItem": [
        {"id": "1", "expectedActivationDate": "2017-10-04T12:00:00Z", "productOffering": {"id": "7431"}},
        {"id": "2", "category": {"id": "21", "name": "Data Bundle for Mobile"}},
    ],
    "relatedParty": [{"id": "14", "role": "customer", "name": "Jean Pontus"}],
    "channel": {"id": "1", "name": "Online Channel"},
}


def reasons(item) -> set[str]:
    return {reason["code"] for reason in item["eligibilityUnavailabilityReason"]}


def test_an_offering_the_customer_can_have_at_its_address_is_qualified(api, customer, fibre):
    created = post_json(api, QUALIFICATIONS, body(customer, offering_item(fibre)))

    assert created.status_code == 201, created.content
    data = created.json()
    assert_valid_qualification(data)
    assert created["Location"] == data["href"]
    assert data["state"] == "done" and data["qualificationResult"] == "qualified"
    [item] = data["productOfferingQualificationItem"]
    assert item["qualificationItemResult"] == "qualified" and item["eligibilityUnavailabilityReason"] == []
    assert item["productOffering"]["href"].endswith("/productCatalogManagement/v4/productOffering/fibre-api")
    assert data["productOfferingQualificationDateTime"] == data["productOfferingQualificationDate"]
    assert OfferingQualification.objects.get(pk=data["id"]).customer == customer


def test_where_fibre_does_not_serve_the_place_it_is_not_qualified_with_the_reason(api, customer, fibre, mobile):
    place = valid_address(customer, **NO_FIBRE_STREET)
    mobile.category = OfferingCategory.BROADBAND
    mobile.save()

    data = post_json(
        api,
        QUALIFICATIONS,
        body(customer, offering_item(fibre), place=[{"id": str(place.pk)}], provideAlternative=True),
    ).json()

    [item] = data["productOfferingQualificationItem"]
    assert reasons(item) == {"not_serviceable"}
    assert "Church Lane" in item["eligibilityUnavailabilityReason"][0]["label"]
    # What can be had there instead, from the same category.
    assert item["qualificationItemResult"] == "alternate"
    assert [p["productOffering"]["id"] for p in item["alternateProductOfferingProposal"]] == ["mobile-api"]


def test_a_category_asks_which_of_its_offerings_can_be_had(api, customer, fibre, mobile):
    mobile.category = OfferingCategory.MOBILE
    mobile.save()
    OfferingFactory(code="old-dsl", name="Old DSL", lifecycle_status=LifecycleStatus.RETIRED)
    item = {"id": "1", "category": {"id": "broadband"}}

    data = post_json(api, QUALIFICATIONS, body(customer, item, provideOnlyAvailable=True)).json()

    [answer] = data["productOfferingQualificationItem"]
    assert answer["qualificationItemResult"] == "qualified"
    assert [p["productOffering"]["id"] for p in answer["alternateProductOfferingProposal"]] == ["fibre-api"]


def test_reasons_are_left_out_when_the_client_does_not_want_them(api, customer):
    item = {"id": "1", "productOffering": {"id": "nothing-of-ours"}}
    data = post_json(api, QUALIFICATIONS, body(customer, item, provideUnavailabilityReason=False)).json()

    [answer] = data["productOfferingQualificationItem"]
    assert answer["qualificationItemResult"] == "unqualified" and answer["eligibilityUnavailabilityReason"] == []


def test_unknown_party_offering_category_and_channel_are_not_qualified_with_the_reason(api):
    created = post_json(api, QUALIFICATIONS, KIT_BODY)

    assert created.status_code == 201, created.content
    data = created.json()
    assert_valid_qualification(data)
    assert data["qualificationResult"] == "unqualified"
    offering, category = data["productOfferingQualificationItem"]
    assert reasons(offering) == {"unknown_party", "unknown_offering"}
    assert reasons(category) == {"unknown_party", "unknown_category"}
    assert data["relatedParty"][0]["id"] == "14" and data["channel"]["id"] == "1"
    assert data["expectedQualificationDate"] == "2017-09-21T12:00:00.000Z"


def test_a_qualification_reads_back_the_same(api):
    data = post_json(api, QUALIFICATIONS, KIT_BODY).json()

    read = api.get(data["href"])

    assert read.status_code == 200
    assert read.json() == data


def test_the_list_is_read_with_or_without_a_trailing_slash_and_filtered_on_quoted_values(api):
    first = post_json(api, QUALIFICATIONS, KIT_BODY).json()
    second_body = {
        **KIT_BODY,
        "expectedQualificationDate": "2017-10-05T12:00:00Z",
        "relatedParty": [{"id": "24", "role": "customer"}],
        "channel": {"id": "3"},
    }
    second = post_json(api, QUALIFICATIONS, second_body).json()

    def ids(query: str = "", path: str = QUALIFICATIONS):
        response = api.get(f"{path}{query}")
        assert response.status_code == 200, response.content
        return [q["id"] for q in response.json()]

    assert ids(path=QUALIFICATIONS + "/") == ids() == [second["id"], first["id"]]
    assert ids('?expectedQualificationDate="2017-09-21T12:00:00Z"') == [first["id"]]
    assert ids('?relatedParty.id="14"&relatedParty.role="customer"') == [first["id"]]
    assert ids('?channel.id="3"') == [second["id"]]
    assert ids("?qualificationResult=qualified") == []


@pytest.mark.parametrize(
    "query, keys",
    [
        (
            "fields=id,%0Astate,productOfferingQualificationItem.state",
            {"id", "state", "productOfferingQualificationItem"},
        ),
        ("fields=id,state", {"id", "state"}),
    ],
)
def test_fields_gives_exactly_the_attributes_named(api, query, keys):
    data = post_json(api, QUALIFICATIONS, KIT_BODY).json()

    one = api.get(f"{data['href']}?{query}").json()
    listed = api.get(f"{QUALIFICATIONS}?{query}").json()

    assert set(one) == keys and all(set(q) == keys for q in listed)


@pytest.mark.parametrize(
    "change",
    [
        {"productOfferingQualificationItem": []},
        {"productOfferingQualificationItem": None},
        {"expectedQualificationDate": "2017-10-05"},
        {"productOfferingQualificationItem": [{"id": "1"}]},
        {"provideAlternative": "yes"},
    ],
)
def test_a_malformed_qualification_is_a_400_and_nothing_is_stored(api, change):
    sent = {**KIT_BODY, **change}
    if change.get("productOfferingQualificationItem") is None and "productOfferingQualificationItem" in change:
        del sent["productOfferingQualificationItem"]

    assert_error(post_json(api, QUALIFICATIONS, sent), 400)
    assert not OfferingQualification.objects.exists()


def test_an_unknown_qualification_is_a_404(api):
    assert_error(api.get(f"{QUALIFICATIONS}/2313123"), 404)
    assert_error(api.get(f"{QUALIFICATIONS}/not-a-number"), 404)


def test_a_client_sees_only_its_own_qualifications(api, other_api, customer, fibre):
    mine = post_json(api, QUALIFICATIONS, body(customer, offering_item(fibre))).json()

    assert_error(other_api.get(mine["href"]), 404)
    assert other_api.get(QUALIFICATIONS).json() == []


def test_a_customers_qualifications_are_hidden_once_the_client_may_no_longer_act_for_it(api, partner, customer, fibre):
    mine = post_json(api, QUALIFICATIONS, body(customer, offering_item(fibre))).json()

    partner.customers.remove(customer)

    assert_error(api.get(mine["href"]), 404)
    assert api.get(QUALIFICATIONS).json() == []


def test_a_party_the_client_may_not_act_for_is_judged_on_nothing_of_theirs(api, stranger, fibre):
    data = post_json(api, QUALIFICATIONS, body(stranger, offering_item(fibre))).json()

    [item] = data["productOfferingQualificationItem"]
    assert reasons(item) == {"unknown_party"} and item["qualificationItemResult"] == "unqualified"
    assert OfferingQualification.objects.get(pk=data["id"]).customer is None


def test_the_list_costs_the_same_number_of_queries_however_long(api, customer, fibre, django_assert_max_num_queries):
    post_json(api, QUALIFICATIONS, body(customer, offering_item(fibre)))
    # The token, the count and the page; the same for one qualification and for sixteen.
    with django_assert_max_num_queries(3):
        api.get(QUALIFICATIONS)
    for _ in range(15):
        post_json(api, QUALIFICATIONS, body(customer, offering_item(fibre)))
    with django_assert_max_num_queries(3):
        assert len(api.get(QUALIFICATIONS).json()) == 16


def test_without_a_token_nothing_is_answered(db):
    assert_error(Client().get(QUALIFICATIONS), 401)
    client, token = create_api_client(name="Someone")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token}").get(QUALIFICATIONS).json() == []
