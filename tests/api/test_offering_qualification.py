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
from tests.api.conftest import ORDERS, add, assert_error, order_body, post_json
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
        ("fields=%20state%0A", {"state"}),
    ],
)
def test_fields_selects_as_in_every_api_exactly_the_attributes_named(api, query, keys):
    """The shared TMF630 selection: the kit's stray whitespace (`fields=id,%0Astate`) names id and state,
    and the kit counts the keys it gets back."""
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
        {"provideAlternative": "yes"},
    ],
)
def test_a_malformed_qualification_is_a_400_and_nothing_is_stored(api, change):
    sent = {**KIT_BODY, **change}
    if change.get("productOfferingQualificationItem") is None and "productOfferingQualificationItem" in change:
        del sent["productOfferingQualificationItem"]

    assert_error(post_json(api, QUALIFICATIONS, sent), 400)
    assert not OfferingQualification.objects.exists()


def test_an_item_naming_nothing_is_not_qualified_with_the_reason(api, customer):
    data = post_json(api, QUALIFICATIONS, body(customer, {"id": "1"})).json()

    assert reasons(data["productOfferingQualificationItem"][0]) == {"nothing_named"}


def test_dates_before_the_year_1000_are_written_with_four_digits(api):
    data = post_json(api, QUALIFICATIONS, {**KIT_BODY, "expectedQualificationDate": "0627-09-07T06:52:56Z"}).json()

    assert data["expectedQualificationDate"] == "0627-09-07T06:52:56.000Z"


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


# A later order refers to the qualification it was made on (TMF622 v4 productOfferingQualificationItem).


def qualified_fibre(api, customer, fibre) -> dict:
    return post_json(api, QUALIFICATIONS, body(customer, offering_item(fibre, "Q1"))).json()


def order_on(api, customer, fibre, **reference) -> dict:
    item = {**add(fibre, router="hub-6"), **reference}
    response = post_json(api, ORDERS, order_body(customer, item))
    assert response.status_code == 201, response.content
    return response.json()


def refusals(order) -> list[str]:
    return [message["message"] for message in order.get("productOrderErrorMessage", [])]


def test_an_order_item_keeps_the_qualification_item_it_was_ordered_on(api, customer, fibre):
    qualification = qualified_fibre(api, customer, fibre)
    reference = {"id": "Q1", "productOfferingQualificationId": qualification["id"]}

    order = order_on(api, customer, fibre, productOfferingQualificationItem=reference)

    assert order["state"] != "rejected", refusals(order)
    [item] = order["productOrderItem"]
    assert item["productOfferingQualificationItem"]["id"] == "Q1"
    assert item["productOfferingQualificationItem"]["productOfferingQualificationHref"] == qualification["href"]
    assert item["qualification"][0]["id"] == qualification["id"]
    assert api.get(f"{ORDERS}/{order['id']}").json()["productOrderItem"][0]["qualification"] == item["qualification"]


def test_naming_only_the_qualification_finds_its_item_for_the_offering(api, customer, fibre):
    qualification = qualified_fibre(api, customer, fibre)

    order = order_on(api, customer, fibre, qualification=[{"id": qualification["id"]}])

    assert order["productOrderItem"][0]["productOfferingQualificationItem"]["id"] == "Q1"


def test_another_clients_qualification_cannot_back_an_order(api, other_api, stranger, customer, fibre):
    theirs = post_json(other_api, QUALIFICATIONS, body(stranger, offering_item(fibre, "Q1"))).json()
    reference = {"id": "Q1", "productOfferingQualificationId": theirs["id"]}

    order = order_on(api, customer, fibre, productOfferingQualificationItem=reference)

    assert order["state"] == "rejected"
    assert refusals(order) == [
        f"productOrderItem 1, productOfferingQualificationItem: '{theirs['id']}' is not a qualification this client "
        "asked for"
    ]


@pytest.mark.parametrize(
    "item_id, problem", [("Q9", "has no item 'Q9'"), ("Q2", "qualification item 'Q2' is not about 'fibre-api'")]
)
def test_a_qualification_item_that_is_not_there_or_about_another_offering_is_refused(
    api, customer, fibre, mobile, item_id, problem
):
    qualification = post_json(
        api, QUALIFICATIONS, body(customer, offering_item(fibre, "Q1"), offering_item(mobile, "Q2"))
    ).json()
    reference = {"id": item_id, "productOfferingQualificationId": qualification["id"]}

    order = order_on(api, customer, fibre, productOfferingQualificationItem=reference)

    assert order["state"] == "rejected" and problem in refusals(order)[0]


def test_a_qualification_about_another_party_cannot_back_this_customers_order(api, customer, fibre):
    about_someone_else = post_json(api, QUALIFICATIONS, KIT_BODY).json()

    order = order_on(api, customer, fibre, qualification=[{"id": about_someone_else["id"]}])

    assert order["state"] == "rejected" and "is about another party" in refusals(order)[0]


def test_a_qualification_reference_without_its_ids_is_a_400(api, customer, fibre):
    item = {**add(fibre, router="hub-6"), "productOfferingQualificationItem": {"id": "Q1"}}

    assert_error(post_json(api, ORDERS, order_body(customer, item)), 400)


def test_a_qualification_costs_the_same_number_of_queries_whatever_its_items(
    api, customer, fibre, mobile, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8) as one:
        post_json(api, QUALIFICATIONS, body(customer, offering_item(fibre)))
    many = [offering_item(fibre, "1"), offering_item(mobile, "2"), {"id": "3", "category": {"id": "broadband"}}]
    many += [{"id": str(n), "productOffering": {"id": f"unknown-{n}"}} for n in range(4, 30)]
    with django_assert_max_num_queries(len(one)):
        created = post_json(api, QUALIFICATIONS, body(customer, *many, provideAlternative=True))
    assert len(created.json()["productOfferingQualificationItem"]) == 29
