"""Property-based fuzzing of order creation: whatever a client sends, never a 5xx."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import ORDERS, assert_error, assert_valid

pytestmark = pytest.mark.django_db

FUZZ = settings(
    database=None,  # no .hypothesis folder in the work tree: every run explores afresh
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
)
anything = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


# The same, without U+0000 and lone surrogates (each refused with 400 as a whole: neither can be stored).
clean_anything = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=30),
    ),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=10),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


def maybe(strategy):
    """Usually the right type, sometimes anything at all."""
    return st.one_of(*[strategy] * 9, anything)


ids = st.one_of(st.sampled_from(["1", "2", "3"]), st.text(min_size=1, max_size=25))
refs = st.fixed_dictionaries(
    {"id": maybe(st.sampled_from(["fibre-api", "mobile-api", "nothing"]))},
    optional={"name": maybe(st.text(max_size=10))},
)
characteristics = st.lists(
    st.fixed_dictionaries(
        {"name": maybe(st.sampled_from(["router", "static_ip", "sim_type", "colour"])), "value": anything},
        optional={"valueType": maybe(st.text(max_size=8))},
    ),
    max_size=3,
)
places = st.lists(
    st.fixed_dictionaries({"id": maybe(st.text(max_size=6))}, optional={"role": st.just("installationAddress")}),
    max_size=2,
)
products = st.fixed_dictionaries(
    {},
    optional={
        "id": maybe(st.text(max_size=6)),
        "status": maybe(st.sampled_from(["active", "suspended", "created"])),
        "productCharacteristic": maybe(characteristics),
        "place": maybe(places),
    },
)
relationships = st.lists(
    st.fixed_dictionaries({"id": maybe(ids), "relationshipType": maybe(st.sampled_from(["reliesOn", "bundled"]))}),
    max_size=2,
)
items = st.fixed_dictionaries(
    {"id": maybe(ids), "action": maybe(st.sampled_from(["add", "add", "modify", "delete", "noChange", "replace"]))},
    optional={
        "quantity": maybe(st.integers(min_value=-5, max_value=5000)),
        "productOffering": maybe(refs),
        "product": maybe(products),
        "productOrderItemRelationship": maybe(relationships),
        "productOrderItem": st.lists(anything, max_size=1),
    },
)
parties = st.lists(
    st.fixed_dictionaries(
        {"id": maybe(st.sampled_from(["CUSTOMER", "CUS-999999", "45"]))},
        optional={
            "role": maybe(st.sampled_from(["customer", "seller"])),
            "@referredType": maybe(st.just("Individual")),
        },
    ),
    max_size=2,
)
orders = st.fixed_dictionaries(
    {"productOrderItem": maybe(st.lists(items, min_size=1, max_size=4))},
    optional={
        "relatedParty": maybe(parties),
        "externalId": maybe(st.text(max_size=70)),
        "description": maybe(st.text(max_size=30)),
        "category": maybe(st.text(max_size=20)),
        "priority": maybe(st.sampled_from(["0", "2", "4", "9"])),
        "requestedStartDate": maybe(st.sampled_from(["2030-01-01T10:00:00Z", "9999-12-31T23:59:59-23:59", "soon"])),
        "note": maybe(st.lists(st.fixed_dictionaries({"text": maybe(st.text(max_size=20))}), max_size=2)),
        "quote": maybe(st.lists(refs, max_size=1)),
        "billingAccount": anything,
        "channel": anything,
    },
)


def customer_number(body, number):
    """Put the partner's real customer in the parties the fuzzer names CUSTOMER."""
    text = json.dumps(body)
    return text.replace('"CUSTOMER"', json.dumps(number))


@FUZZ
@given(body=orders)
def test_creating_orders_from_arbitrary_bodies_never_fails_on_our_side(api, customer, fibre, mobile, body):
    response = api.post(ORDERS, customer_number(body, customer.number), content_type="application/json")

    # 422: well-formed items that do not make one order (an id used twice, a relationship to no item).
    assert response.status_code in (201, 400, 409, 422), response.content[:500]
    if response.status_code == 201:
        assert_valid(response.json(), "ProductOrder")
    else:
        assert_error(response, response.status_code)


well_typed_items = st.fixed_dictionaries(
    {
        "id": st.sampled_from(["1", "2", "3", "A"]),
        "action": st.sampled_from(["add", "add", "add", "modify", "delete", "noChange"]),
    },
    optional={
        "quantity": st.integers(min_value=1, max_value=1000),
        "productOffering": st.fixed_dictionaries({"id": st.sampled_from(["fibre-api", "mobile-api", "nothing"])}),
        "product": st.fixed_dictionaries(
            {},
            optional={
                "id": st.sampled_from(["1", "999", "x"]),
                "status": st.sampled_from(["active", "suspended"]),
                "productCharacteristic": st.lists(
                    st.fixed_dictionaries(
                        {
                            "name": st.sampled_from(["router", "static_ip", "sim_type", "colour"]),
                            "value": st.one_of(st.sampled_from(["hub-6", "esim", "physical", True]), clean_anything),
                        }
                    ),
                    max_size=3,
                    unique_by=lambda c: c["name"],
                ),
                "place": st.lists(st.fixed_dictionaries({"id": st.sampled_from(["1", "2", "999"])}), max_size=1),
            },
        ),
    },
)
well_typed_orders = st.fixed_dictionaries(
    {
        "productOrderItem": st.lists(well_typed_items, min_size=1, max_size=3, unique_by=lambda i: i["id"]),
        "relatedParty": st.lists(
            st.fixed_dictionaries(
                {"id": st.sampled_from(["CUSTOMER", "CUSTOMER", "CUS-999999"]), "@referredType": st.just("Customer")},
                optional={"role": st.sampled_from(["customer", "seller"])},
            ),
            max_size=2,
        ),
    },
    optional={
        "externalId": st.text(st.characters(min_codepoint=32, max_codepoint=0xD7FF), max_size=10),
        "priority": st.sampled_from(["0", "4"]),
    },
)


@FUZZ
@given(body=well_typed_orders)
def test_well_typed_orders_are_created_whatever_their_content(api, customer, fibre, mobile, body):
    response = api.post(ORDERS, customer_number(body, customer.number), content_type="application/json")

    assert response.status_code in (201, 409), response.content[:500]
    if response.status_code == 201:
        assert_valid(response.json(), "ProductOrder")
        assert response.json()["state"] in ("inProgress", "rejected")
    else:
        assert_error(response, 409)


@FUZZ
@given(raw=st.binary(max_size=200) | anything.map(lambda v: json.dumps(v).encode()))
def test_arbitrary_bytes_never_fail_on_our_side(api, raw):
    response = api.post(ORDERS, raw, content_type="application/json")

    assert response.status_code in (201, 400), response.content[:500]
    if response.status_code == 400:
        assert_error(response, 400)
