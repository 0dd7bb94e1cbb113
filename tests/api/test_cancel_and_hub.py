"""TMF622 cancelProductOrder and hub: cancelling orders in flight, registering listeners."""

import json

import pytest
from django.utils import timezone

from orders.models import CancellationRequest, HubListener, ItemState, Order, OrderItem, OrderState
from tests.api.conftest import CANCELLATIONS, HUB, ORDERS, add, assert_error, assert_valid, order_body, post_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed(api, customer, fibre):
    response = post_json(api, ORDERS, order_body(customer, add(fibre, router="hub-6")))
    assert response.json()["state"] == OrderState.IN_PROGRESS
    return response.json()


def cancel(api, order_id, reason="Changed my mind"):
    return post_json(api, CANCELLATIONS, {"productOrder": {"id": order_id}, "cancellationReason": reason})


def test_an_order_in_flight_is_cancelled_at_once(api, placed):
    response = cancel(api, placed["id"])

    assert response.status_code == 201
    body = response.json()
    assert_valid(body, "CancelProductOrder")
    assert response["Location"] == body["href"]
    assert body["state"] == "done"
    assert body["productOrder"]["id"] == placed["id"]
    assert body["effectiveCancellationDate"].endswith("Z")
    order = api.get(f"{ORDERS}/{placed['id']}").json()
    assert order["state"] == OrderState.CANCELLED
    assert order["cancellationReason"] == "Changed my mind"


def test_a_cancellation_after_the_point_of_no_return_is_refused_with_the_reason(api, placed):
    OrderItem.objects.update(point_of_no_return_at=timezone.now())

    body = cancel(api, placed["id"]).json()

    assert_valid(body, "CancelProductOrder")
    assert body["state"] == "terminatedWithError"
    assert "point of no return" in body["refusalReason"]
    assert Order.objects.get().state == OrderState.IN_PROGRESS


def test_an_order_that_is_not_in_flight_cannot_be_cancelled_and_nothing_is_stored(api):
    rejected = post_json(api, ORDERS, {"productOrderItem": [{"id": "1", "action": "add"}]}).json()

    assert_error(cancel(api, rejected["id"]), 409)
    assert not CancellationRequest.objects.exists()


def test_an_order_delivered_and_awaiting_sign_off_cannot_be_cancelled_either_way_and_nothing_is_stored(api, placed):
    # Delivered: every item done, only the customer's sign-off left (what orchestration.await_signoff leaves).
    OrderItem.objects.update(state=ItemState.COMPLETED)
    Order.objects.update(state=OrderState.PENDING, awaiting_signoff=True)

    refused = assert_error(cancel(api, placed["id"]), 409)
    patched = assert_error(
        api.patch(
            f"{ORDERS}/{placed['id']}", json.dumps({"state": "cancelled"}), content_type="application/merge-patch+json"
        ),
        409,
    )

    for body in (refused, patched):
        assert "waits for the customer's sign-off: too late to cancel it" in body["message"]
    assert not CancellationRequest.objects.exists()
    order = Order.objects.get()
    assert (order.state, order.awaiting_signoff) == (OrderState.PENDING, True)
    assert not order.events.filter(transition="assess_cancellation").exists()


def test_another_clients_order_cannot_be_cancelled(other_api, placed):
    assert_error(cancel(other_api, placed["id"]), 404)
    assert Order.objects.get().state == OrderState.IN_PROGRESS


def test_a_cancellation_needs_the_order_reference(api):
    assert_error(post_json(api, CANCELLATIONS, {"cancellationReason": "x"}), 400)
    assert_error(post_json(api, CANCELLATIONS, {"productOrder": {"id": 12}}), 400)


def test_cancellations_are_listed_filtered_and_retrieved(api, other_api, placed, django_assert_num_queries):
    created = cancel(api, placed["id"]).json()

    with django_assert_num_queries(2):  # count, page (the client is kept in the cache since the cancel)
        listed = api.get(CANCELLATIONS)
    by_order = api.get(CANCELLATIONS, {"productOrder.id": placed["id"], "state": "done"}).json()
    retrieved = api.get(f"{CANCELLATIONS}/{created['id']}")

    assert listed["X-Total-Count"] == "1"
    assert [c["id"] for c in listed.json()] == [c["id"] for c in by_order] == [created["id"]]
    assert_valid(retrieved.json(), "CancelProductOrder")
    assert_error(other_api.get(f"{CANCELLATIONS}/{created['id']}"), 404)
    assert other_api.get(CANCELLATIONS).json() == []


def test_a_listener_is_registered_and_unregistered(api, partner):
    response = post_json(
        api, HUB, {"callback": "https://pos.example/listener", "query": "eventType=ProductOrderStateChangeEvent"}
    )

    assert response.status_code == 201
    body = response.json()
    assert_valid(body, "EventSubscription")
    assert response["Location"].endswith(f"{HUB}/{body['id']}")
    listener = HubListener.objects.get()
    assert (listener.client, listener.callback) == (partner, "https://pos.example/listener")

    assert api.delete(f"{HUB}/{body['id']}").status_code == 204
    assert not HubListener.objects.exists()
    assert_error(api.delete(f"{HUB}/{body['id']}"), 404)


def test_a_listener_needs_an_http_callback_and_known_event_types(api):
    assert_error(post_json(api, HUB, {}), 400)
    assert_error(post_json(api, HUB, {"callback": "ftp://example.com/x"}), 400)
    assert_error(post_json(api, HUB, {"callback": "not a url"}), 400)
    assert_error(post_json(api, HUB, {"callback": "https://a.example/", "query": "eventType=Nonsense"}), 400)
    assert not HubListener.objects.exists()


def test_another_clients_listener_cannot_be_removed(api, other_api):
    theirs = post_json(other_api, HUB, {"callback": "https://other.example/hook"}).json()

    assert_error(api.delete(f"{HUB}/{theirs['id']}"), 404)
    assert HubListener.objects.exists()


def test_a_listener_on_our_own_network_is_refused(api, settings):
    settings.HUB_CALLBACK_ALLOW_PRIVATE = False

    body = assert_error(post_json(api, HUB, {"callback": "http://169.254.169.254/latest/meta-data/"}), 422)

    assert "internal address" in json.dumps(body)
    assert not HubListener.objects.exists()
