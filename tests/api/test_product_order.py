"""TMF622 productOrder: create, follow, filter, page and change orders, as a spec-only client would."""

import datetime as dt
import json

import pytest

from customers.models import Address
from orders.models import Order, OrderState
from orders.services import request_information
from ordersite.tmf.tmf630 import paging as tmf630
from tests.api.conftest import (
    ORDERS,
    add,
    assert_error,
    assert_valid,
    order_body,
    post_json,
)
from tests.factories import InstalledProductFactory, OrderFactory, OrderItemFactory, valid_address

pytestmark = pytest.mark.django_db

MANDATORY = {"id", "href", "orderDate", "state", "relatedParty", "productOrderItem"}


def create(api, body, **extra):
    response = post_json(api, ORDERS, body, **extra)
    assert response.status_code == 201, response.content
    assert_valid(response.json(), "ProductOrder")
    return response.json()


def test_a_standard_order_is_created_issued_and_located(api, customer, fibre):
    response = post_json(api, ORDERS, order_body(customer, add(fibre, router="hub-6"), externalId="POS-1"))

    assert response.status_code == 201
    body = response.json()
    assert_valid(body, "ProductOrder")
    assert response["Location"] == body["href"]
    assert body["href"].endswith(f"{ORDERS}/{body['id']}")
    assert body["state"] == OrderState.IN_PROGRESS
    assert body["@type"] == "ProductOrder"
    assert body["externalId"] == "POS-1"
    assert body["orderDate"].endswith("Z")
    assert body["relatedParty"] == [
        {
            "id": customer.number,
            "href": f"http://testserver/tmf-api/customerManagement/v4/customer/{customer.number}",
            "name": customer.name,
            "role": "customer",
            "@referredType": "Customer",
        }
    ]
    [item] = body["productOrderItem"]
    assert item["productOffering"]["id"] == fibre.code
    # No place was given: the customer's validated installation address is used.
    assert item["product"]["place"][0]["role"] == "installationAddress"
    order = Order.objects.get(external_id="POS-1")
    assert order.channel == "retail"
    assert order.items.get().install_address == customer.addresses.get()


def test_every_order_in_every_response_carries_the_mandatory_attributes(api, customer, fibre):
    create(api, order_body(customer, add(fibre, router="hub-6")))
    rejected = create(api, {"productOrderItem": [{"id": "1", "action": "add"}]})

    listed = api.get(ORDERS).json()
    retrieved = api.get(f"{ORDERS}/{rejected['id']}").json()

    for order in [*listed, retrieved]:
        assert set(order) >= MANDATORY
        assert_valid(order, "ProductOrder")
    assert retrieved["relatedParty"] == []


def test_the_conformance_kit_order_is_created_and_found_again_by_id_and_order_date(api):
    body = {
        "productOrderItem": [{"id": "1", "action": "add"}],
        "relatedParty": [{"id": "45", "@referredType": "Individual", "role": "customer", "name": "Jean"}],
    }
    created = create(api, body)

    assert created["state"] == OrderState.REJECTED
    by_id = api.get(ORDERS, {"id": created["id"]})
    by_date = api.get(ORDERS, {"orderDate": created["orderDate"]})
    both = api.get(ORDERS, {"id": created["id"], "orderDate": created["orderDate"]})

    for response in (by_id, by_date, both):
        assert response.status_code == 200
        assert [o["id"] for o in response.json()] == [created["id"]]
        assert response.json()[0]["orderDate"] == created["orderDate"]
    assert created["relatedParty"] == [{"id": "45", "name": "Jean", "role": "customer", "@referredType": "Individual"}]


def test_an_unknown_offering_gives_a_rejected_order_with_the_reason(api, customer):
    body = order_body(customer, {"id": "A", "action": "add", "productOffering": {"id": "quantum-link"}})

    created = create(api, body)

    assert created["state"] == OrderState.REJECTED
    assert created["productOrderItem"][0]["state"] == "rejected"
    messages = [m["message"] for m in created["productOrderErrorMessage"]]
    assert messages == ["productOrderItem A, productOffering: unknown product offering 'quantum-link'"]
    assert created["productOrderErrorMessage"][0]["productOrderItem"][0]["itemId"] == "A"
    assert any("quantum-link" in note["text"] for note in created["note"])


def test_a_foreign_party_gives_a_rejected_order_that_reveals_nothing_about_it(api, stranger, fibre):
    foreign = create(api, order_body(stranger, add(fibre, router="hub-6")))
    unknown = create(api, {**order_body(stranger, add(fibre, router="hub-6")), "relatedParty": [{"id": "CUS-999999"}]})

    assert foreign["state"] == unknown["state"] == OrderState.REJECTED
    assert [m["message"] for m in foreign["productOrderErrorMessage"]] == [
        f"relatedParty: {stranger.number!r} is not a customer this client may order for"
    ]
    assert foreign["relatedParty"] == [{"id": stranger.number, "role": "customer", "@referredType": "Customer"}]
    assert stranger.name not in json.dumps(foreign)
    # Nothing lands on the stranger's record.
    assert not stranger.orders.exists()
    assert not stranger.initiating_requests.exists()


def test_a_rejected_order_for_a_foreign_party_is_visible_only_to_the_client_that_sent_it(
    api, other_api, stranger, fibre
):
    foreign = create(api, order_body(stranger, add(fibre, router="hub-6")))

    assert other_api.get(f"{ORDERS}/{foreign['id']}").status_code == 404
    assert foreign["id"] not in [o["id"] for o in other_api.get(ORDERS).json()]
    assert api.get(f"{ORDERS}/{foreign['id']}").status_code == 200
    assert [o["id"] for o in api.get(ORDERS, {"relatedParty.id": stranger.number}).json()] == [foreign["id"]]


def test_characteristics_that_fail_the_requirements_give_a_rejected_order(api, customer, fibre):
    created = create(api, order_body(customer, add(fibre, router="carrier-pigeon", colour="red")))

    assert created["state"] == OrderState.REJECTED
    assert sorted(m["message"] for m in created["productOrderErrorMessage"]) == [
        "productOrderItem 1, productCharacteristic colour: unknown field",
        "productOrderItem 1, productCharacteristic router: must be one of hub-6 or mesh-pack; "
        "carrier-pigeon is not one",
    ]


def test_an_address_that_is_not_serviceable_gives_a_rejected_order(api, customer, fibre):
    northbank = valid_address(customer, street="Alder Close", number="5")
    item = add(fibre, router="hub-6")
    item["product"]["place"] = [{"id": str(northbank.pk), "role": "installationAddress"}]

    created = create(api, order_body(customer, item))

    assert created["state"] == OrderState.REJECTED
    [error] = created["productOrderErrorMessage"]
    assert error["message"].startswith("productOrderItem 1, place: Fibre API is not available at")


def test_without_an_installation_address_on_record_the_order_is_rejected_with_the_reason(api, customer, fibre):
    Address.objects.filter(customer=customer).update(purpose=Address.Purpose.BILLING)

    created = create(api, order_body(customer, add(fibre, router="hub-6")))

    assert created["state"] == OrderState.REJECTED
    assert [m["message"] for m in created["productOrderErrorMessage"]] == [
        "productOrderItem 1, place: an install address is required"
    ]


def test_a_place_that_is_not_the_customers_address_gives_a_rejected_order(api, customer, stranger, fibre):
    item = add(fibre, router="hub-6")
    item["product"]["place"] = [{"id": str(stranger.addresses.get().pk), "role": "installationAddress"}]

    created = create(api, order_body(customer, item))

    assert created["state"] == OrderState.REJECTED
    assert "is not an address of this customer" in created["productOrderErrorMessage"][0]["message"]


def test_items_keep_their_ids_and_relationships(api, customer, fibre, mobile):
    router = add(fibre, "B", router="hub-6")
    sim = add(mobile, "A", sim_type="esim")
    sim["productOrderItemRelationship"] = [{"id": "B", "relationshipType": "reliesOn"}]

    created = create(api, order_body(customer, sim, router))

    items = {item["id"]: item for item in created["productOrderItem"]}
    assert set(items) == {"A", "B"}
    assert items["A"]["productOrderItemRelationship"] == [{"id": "B", "relationshipType": "reliesOn"}]
    assert items["A"]["itemPrice"][0]["price"]["dutyFreeAmount"] == {"unit": "GBP", "value": 12.5}


def test_an_idempotency_key_makes_a_retry_return_the_first_order(api, customer, fibre):
    body = order_body(customer, add(fibre, router="hub-6"))
    first = post_json(api, ORDERS, body, HTTP_IDEMPOTENCY_KEY="retry-1")
    again = post_json(api, ORDERS, body, HTTP_IDEMPOTENCY_KEY="retry-1")

    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1


def test_the_same_idempotency_key_with_another_body_is_refused_and_nothing_is_stored(api, customer, fibre):
    post_json(api, ORDERS, order_body(customer, add(fibre, router="hub-6")), HTTP_IDEMPOTENCY_KEY="k-1")

    response = post_json(api, ORDERS, order_body(customer, add(fibre, router="mesh-pack")), HTTP_IDEMPOTENCY_KEY="k-1")

    assert_error(response, 422)
    assert Order.objects.count() == 1


def test_external_ids_are_unique_per_client(api, other_api, customer, stranger, fibre):
    create(api, order_body(customer, add(fibre, router="hub-6"), externalId="PO-7"))

    again = post_json(api, ORDERS, order_body(customer, add(fibre, router="hub-6"), externalId="PO-7"))
    elsewhere = post_json(other_api, ORDERS, order_body(stranger, add(fibre, router="hub-6"), externalId="PO-7"))

    assert_error(again, 409)
    assert elsewhere.status_code == 201
    assert Order.objects.count() == 2


def test_another_clients_orders_are_invisible(api, other_api, stranger, fibre):
    theirs = create(other_api, order_body(stranger, add(fibre, router="hub-6")))

    assert_error(api.get(f"{ORDERS}/{theirs['id']}"), 404)
    assert api.get(ORDERS).json() == []
    assert api.get(ORDERS)["X-Total-Count"] == "0"


def test_orders_from_other_channels_are_visible_but_drafts_are_not(api, customer):
    issued = OrderFactory(customer=customer, state=OrderState.IN_PROGRESS)
    OrderItemFactory(order=issued)
    OrderFactory(customer=customer)  # a draft being captured at the call centre

    listed = api.get(ORDERS).json()

    assert [o["id"] for o in listed] == [issued.number]
    assert_valid(listed[0], "ProductOrder")
    assert listed[0]["channel"][0]["id"] == "call_centre"


def test_filters_select_by_state_external_id_party_and_dates(api, customer, fibre):
    first = create(api, order_body(customer, add(fibre, router="hub-6"), externalId="E-1"))
    second = create(api, order_body(customer, {"id": "1", "action": "add"}, externalId="E-2"))

    def ids(**params):
        response = api.get(ORDERS, params)
        assert response.status_code == 200, response.content
        return sorted(o["id"] for o in response.json())

    assert ids(state="rejected") == [second["id"]]
    assert ids(state="inProgress,rejected") == sorted([first["id"], second["id"]])
    assert ids(externalId="E-1") == [first["id"]]
    assert ids(**{"relatedParty.id": customer.number}) == sorted([first["id"], second["id"]])
    later = [second["id"]] if second["orderDate"] > first["orderDate"] else []
    assert ids(**{"orderDate.gt": first["orderDate"]}) == later
    assert ids(**{"orderDate.gte": first["orderDate"], "orderDate.lte": second["orderDate"]}) == sorted(
        [first["id"], second["id"]]
    )
    assert ids(**{"orderDate.lt": "2000-01-01T00:00:00Z"}) == []
    assert ids(**{"productOrderItem.productOffering.id": fibre.code}) == [first["id"]]


@pytest.mark.parametrize(
    "params, found",
    [
        # Offsets past PostgreSQL's 15:59 (RFC 3339 allows 23:59) are read in UTC, not sent as they are.
        ({"orderDate.gte": "2000-05-18T08:54:46-20:30"}, True),
        ({"orderDate.lt": "0934-09-07T23:09:38.671090+18:51"}, False),
        # The last second there is: the span it stands for runs to the end of time.
        ({"orderDate": "9999-12-31T23:59:59Z"}, False),
        ({"orderDate.lte": "9999-12-31T23:59:59Z"}, True),
        ({"orderDate.gt": "9999-12-31"}, False),
    ],
)
def test_any_rfc3339_date_time_filters_without_a_server_error(api, customer, fibre, params, found):
    created = create(api, order_body(customer, add(fibre, router="hub-6")))

    response = api.get(ORDERS, params)

    assert response.status_code == 200, response.content
    assert [o["id"] for o in response.json()] == ([created["id"]] if found else [])


@pytest.mark.parametrize("date", ["", "0001-01-01T00:00:00+01:00", "2026-02-30T10:00:00Z"])
def test_a_date_filter_that_is_no_instant_is_refused(api, date):
    assert_error(api.get(ORDERS, {"orderDate": date}), 400)


def test_unknown_filters_and_bad_values_are_refused(api):
    assert_error(api.get(ORDERS, {"colour": "red"}), 400)
    assert_error(api.get(ORDERS, {"state": "lost"}), 400)
    assert_error(api.get(ORDERS, {"orderDate.gt": "yesterday"}), 400)
    assert_error(api.get(ORDERS, {"fields": "nonsense"}), 400)
    assert_error(api.get(ORDERS, {"limit": "-1"}), 400)


def test_fields_returns_exactly_the_attributes_named(api, customer, fibre):
    created = create(api, order_body(customer, add(fibre, router="hub-6"), description="Kitchen"))

    [listed] = api.get(ORDERS, {"fields": "state"}).json()
    retrieved = api.get(f"{ORDERS}/{created['id']}", {"fields": "description,\n state "}).json()

    assert listed == {"state": created["state"]}
    assert set(retrieved) == {"description", "state"}


def test_paging_uses_offset_and_limit_with_count_headers(api, customer, fibre):
    for n in range(5):
        create(api, order_body(customer, add(fibre, router="hub-6"), externalId=f"P-{n}"))

    page = api.get(ORDERS, {"offset": 1, "limit": 2})
    beyond = api.get(ORDERS, {"offset": 10})

    assert page["X-Total-Count"] == "5"
    assert page["X-Result-Count"] == "2"
    assert [o["externalId"] for o in page.json()] == ["P-3", "P-2"]
    assert beyond.json() == [] and beyond["X-Total-Count"] == "5" and beyond["X-Result-Count"] == "0"


def test_page_size_is_capped(api, customer, fibre):
    for n in range(3):
        create(api, order_body(customer, add(fibre, router="hub-6"), externalId=f"C-{n}"))
    cap, tmf630.MAX_LIMIT = tmf630.MAX_LIMIT, 2
    try:
        response = api.get(ORDERS, {"limit": 1000})
    finally:
        tmf630.MAX_LIMIT = cap
    assert response["X-Result-Count"] == "2"
    assert response["X-Total-Count"] == "3"


def test_listing_orders_takes_a_constant_number_of_queries(api, customer, fibre, mobile, django_assert_num_queries):
    def make(n):
        for _ in range(n):
            create(api, order_body(customer, add(fibre, "1", router="hub-6"), add(mobile, "2", sim_type="esim")))

    make(1)
    # count, orders, items, items' relies_on, notes, cancellation requests (the client is kept in the cache)
    with django_assert_num_queries(6):
        assert len(api.get(ORDERS).json()) == 1
    make(4)
    with django_assert_num_queries(6):
        assert len(api.get(ORDERS).json()) == 5


def test_retrieving_an_order_answers_404_for_ids_that_are_not_orders(api):
    assert_error(api.get(f"{ORDERS}/ORD-999999"), 404)
    assert_error(api.get(f"{ORDERS}/not-an-order"), 404)


# --- PATCH ---------------------------------------------------------------------------------------

MERGE_PATCH = "application/merge-patch+json"


def patch(api, order_id, body, content_type=MERGE_PATCH):
    return api.patch(f"{ORDERS}/{order_id}", json.dumps(body), content_type=content_type)


def test_an_illegal_state_change_is_refused_and_nothing_changes(api, customer, fibre):
    created = create(api, order_body(customer, add(fibre, router="hub-6")))
    order = Order.objects.get()
    events = order.events.count()

    completed = patch(api, created["id"], {"state": "completed", "note": [{"text": "Done, surely"}]})
    acknowledged = patch(api, created["id"], {"state": "acknowledged"})

    assert "cannot set state completed" in assert_error(completed, 422)["message"]
    assert_error(acknowledged, 422)
    order.refresh_from_db()
    assert order.state == OrderState.IN_PROGRESS
    assert order.events.count() == events
    assert not order.notes.filter(text="Done, surely").exists()


def test_a_state_the_order_cannot_move_to_now_is_a_conflict_and_nothing_changes(api, customer):
    created = create(api, {"productOrderItem": [{"id": "1", "action": "add"}]})

    response = patch(api, created["id"], {"state": "cancelled"})

    assert_error(response, 409)
    assert Order.objects.get().state == OrderState.REJECTED
    assert not Order.objects.get().cancellation_requests.exists()


def test_other_attributes_cannot_change_but_unchanged_values_are_accepted(api, customer, fibre):
    created = create(api, order_body(customer, add(fibre, router="hub-6"), description="Before"))

    changed = patch(api, created["id"], {"description": "After"})
    same = patch(api, created["id"], {"description": "Before", "id": created["id"]})

    assert "description cannot be changed" in assert_error(changed, 422)["message"]
    assert same.status_code == 200
    assert Order.objects.get().description == "Before"


def test_patch_adds_notes_and_cancels_an_order_in_flight(api, customer, fibre):
    created = create(api, order_body(customer, add(fibre, router="hub-6")))

    response = patch(api, created["id"], {"state": "cancelled", "note": [{"text": "Customer moved house"}]})

    assert response.status_code == 200, response.content
    body = response.json()
    assert_valid(body, "ProductOrder")
    assert body["state"] == OrderState.CANCELLED
    assert body["cancellationReason"] == "Customer moved house"
    assert "Customer moved house" in [n["text"] for n in body["note"]]


def test_patch_answers_the_open_question_of_a_pending_order(api, customer, fibre, supervisor):
    created = create(api, order_body(customer, add(fibre, router="hub-6")))
    request_information(
        Order.objects.get(), by=supervisor, question="Which floor?", deadline=dt.date.today() + dt.timedelta(days=3)
    )

    without_answer = patch(api, created["id"], {"state": "inProgress"})
    answered = patch(api, created["id"], {"state": "inProgress", "note": [{"text": "Second floor"}]})

    assert_error(without_answer, 422)
    assert answered.status_code == 200, answered.content
    assert answered.json()["state"] == OrderState.IN_PROGRESS
    assert Order.objects.get().information_requests.get().answer == "Second floor"


def test_patch_needs_a_json_merge_patch(api, customer, fibre):
    created = create(api, order_body(customer, add(fibre, router="hub-6")))

    assert patch(api, created["id"], {"note": [{"text": "Plain JSON is fine"}]}, "application/json").status_code == 200
    assert_error(patch(api, created["id"], [{"op": "add"}], "application/json-patch+json"), 415)
    assert_error(patch(api, created["id"], {"state": 7}), 400)


def test_deleting_an_order_is_not_allowed(api, customer, fibre):
    created = create(api, order_body(customer, add(fibre, router="hub-6")))

    response = api.delete(f"{ORDERS}/{created['id']}")

    assert_error(response, 405)
    assert "PATCH" in response["Allow"]
    assert Order.objects.exists()


def test_order_dates_are_utc_with_z(api, customer, fibre):
    body = order_body(customer, add(fibre, router="hub-6"), requestedStartDate="2030-01-02T09:00:00+01:00")
    created = create(api, body)

    assert created["requestedStartDate"] == "2030-01-02T00:00:00.000Z"
    assert created["orderDate"].endswith("Z")


def test_a_modify_item_suspends_an_installed_product(api, customer, mobile):
    product = InstalledProductFactory(customer=customer, offering=mobile, characteristics={"sim_type": "esim"})
    item = {"id": "1", "action": "modify", "product": {"id": str(product.pk), "status": "suspended"}}

    created = create(api, order_body(customer, item))

    assert created["state"] == OrderState.IN_PROGRESS, created.get("productOrderErrorMessage")
    order_item = Order.objects.get().items.get()
    assert (order_item.intent, order_item.product, order_item.characteristics) == (
        "suspend",
        product,
        {"sim_type": "esim"},
    )
    assert created["productOrderItem"][0]["product"]["id"] == str(product.pk)


def test_a_change_to_a_product_the_customer_does_not_have_gives_a_rejected_order(api, customer, stranger, mobile):
    theirs = InstalledProductFactory(customer=stranger, offering=mobile, characteristics={"sim_type": "esim"})
    item = {"id": "1", "action": "delete", "product": {"id": str(theirs.pk)}}

    created = create(api, order_body(customer, item))

    assert created["state"] == OrderState.REJECTED
    assert [m["message"] for m in created["productOrderErrorMessage"]] == [
        f"productOrderItem 1, product: '{theirs.pk}' is not a product of this customer"
    ]


def test_the_total_counts_each_visible_order_once_whoever_sent_it(api, customer, stranger, fibre):
    create(api, order_body(customer, add(fibre, router="hub-6")))  # its customer's, sent by it
    create(api, order_body(stranger, add(fibre, router="hub-6")))  # sent by it for a party it may not act for
    OrderFactory(customer=customer, state=OrderState.IN_PROGRESS)  # its customer's, from the call centre
    OrderFactory(customer=customer)  # a draft: never shown
    OrderFactory(customer=stranger, state=OrderState.IN_PROGRESS)  # someone else's

    response = api.get(ORDERS)

    assert response["X-Total-Count"] == "3" == response["X-Result-Count"]
    assert api.get(ORDERS, {"state": "rejected"})["X-Total-Count"] == "1"
