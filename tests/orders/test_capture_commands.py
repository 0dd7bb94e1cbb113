"""The use cases that are one command each (orders.services.capture): all of it, or nothing written."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone

from orders.clients import create_api_client
from orders.models import (
    ApiOrderSubmission,
    CancellationRequest,
    InitiatingRequest,
    ItemIntent,
    Order,
    OrderItem,
    OrderNote,
    OrderState,
)
from orders.services import (
    ActionRefused,
    CancellationRefused,
    ItemRequest,
    OrderIncomplete,
    change_initiating_request,
    configure_items,
    follow_up_order,
    place_client_order,
    request_information,
    send_change,
    set_delivery,
    start_order,
    submit_order,
)
from tests.factories import CustomerUserFactory, InitiatingRequestFactory, SupervisorFactory

NEW_REQUEST = {"kind": InitiatingRequest.Kind.SALES_PROPOSAL, "reference": "Q-1", "details": "Quote accepted."}


def two_item_draft(customer, agent, mobile) -> Order:
    return start_order(
        customer,
        by=agent,
        request=NEW_REQUEST,
        items=[{"offering": mobile}, {"offering": mobile, "characteristics": {"sim_type": "physical"}}],
    )


def issued_order(customer, agent, mobile) -> Order:
    order = start_order(customer, by=agent, request=NEW_REQUEST, items=[{"offering": mobile}])
    order.items.update(characteristics={"sim_type": "esim"})
    assert submit_order(order, by=agent).issued
    order.refresh_from_db()
    return order


def nothing_written():
    return not InitiatingRequest.objects.exists() and not Order.objects.exists() and not OrderItem.objects.exists()


# --- start_order ---------------------------------------------------------------------------------


def test_start_order_records_the_request_and_starts_the_draft_with_its_items(customer, agent, mobile):
    order = start_order(
        customer, by=agent, request=NEW_REQUEST, items=[{"offering": mobile}], description="Two phones", priority=1
    )

    order.refresh_from_db()
    assert (order.state, order.customer, order.captured_by) == (OrderState.DRAFT, customer, agent)
    assert (order.description, order.priority) == ("Two phones", 1)
    request = order.initiating_request
    assert (request.kind, request.reference, request.details, request.recorded_by) == (
        "sales_proposal",
        "Q-1",
        "Quote accepted.",
        agent,
    )
    assert [item.offering for item in order.items.all()] == [mobile]


def test_start_order_takes_a_request_already_on_record(customer, agent):
    earlier = InitiatingRequestFactory(customer=customer)

    order = start_order(customer, by=agent, request=earlier)

    assert order.initiating_request == earlier
    assert InitiatingRequest.objects.count() == 1


def test_an_invalid_request_starts_nothing(customer, agent):
    with pytest.raises(ValidationError):
        start_order(customer, by=agent, request={"kind": "gossip"})
    assert nothing_written()


def test_a_draft_refused_after_the_request_leaves_no_request_behind(customer, agent):
    with pytest.raises(TypeError, match="colour"):
        start_order(customer, by=agent, request=NEW_REQUEST, colour="red")
    assert nothing_written()


def test_an_item_refused_leaves_neither_draft_nor_request(customer, agent, mobile):
    with pytest.raises(TypeError):
        start_order(customer, by=agent, request=NEW_REQUEST, items=[{"offering": mobile}, {"offering": mobile, "x": 1}])
    assert nothing_written()


def test_nobody_starts_an_order_for_a_customer_they_may_not_act_for(customer):
    with pytest.raises(PermissionDenied):
        start_order(customer, by=CustomerUserFactory(), request=NEW_REQUEST)
    assert nothing_written()


# --- change_initiating_request -------------------------------------------------------------------


def test_change_initiating_request_records_the_new_request_and_updates_the_draft(customer, agent):
    order = start_order(customer, by=agent, request=NEW_REQUEST)
    problem = {"kind": InitiatingRequest.Kind.PROBLEM_RESTORATION, "reference": "TT-9", "details": "Line down."}

    change_initiating_request(order, by=agent, request=problem, description="Restore the line")

    order.refresh_from_db()
    assert (order.initiating_request.kind, order.initiating_request.reference) == ("problem_restoration", "TT-9")
    assert order.description == "Restore the line"
    assert InitiatingRequest.objects.count() == 2


def test_a_submitted_order_keeps_its_request_and_no_new_one_is_recorded(customer, agent, mobile):
    order = issued_order(customer, agent, mobile)
    first = order.initiating_request

    with pytest.raises(ActionRefused, match="only drafts can be edited"):
        change_initiating_request(order, by=agent, request={**NEW_REQUEST, "reference": "Q-2"})

    order.refresh_from_db()
    assert order.initiating_request == first
    assert list(InitiatingRequest.objects.all()) == [first]


# --- configure_items -----------------------------------------------------------------------------


def test_configure_items_changes_several_items_and_the_draft_at_once(customer, agent, mobile):
    order = two_item_draft(customer, agent, mobile)
    first, second = order.items.order_by("pk")
    start = timezone.localdate() + dt.timedelta(days=10)

    configure_items(
        order,
        by=agent,
        changes={first: {"characteristics": {"sim_type": "esim"}}, second: {"quantity": 2}},
        requested_start_date=start,
        special_requirements="Call first",
    )

    first.refresh_from_db(), second.refresh_from_db(), order.refresh_from_db()
    assert first.characteristics == {"sim_type": "esim"}
    assert (second.quantity, second.characteristics) == (2, {"sim_type": "physical"})
    assert (order.requested_start_date, order.special_requirements) == (start, "Call first")


def test_configure_items_without_order_fields_leaves_the_draft_alone(customer, agent, mobile):
    order = two_item_draft(customer, agent, mobile)
    first, _ = order.items.order_by("pk")

    configure_items(order, by=agent, changes={first: {"quantity": 3}})

    first.refresh_from_db()
    assert first.quantity == 3


def test_a_refused_change_keeps_none_of_the_others(customer, agent, mobile):
    order = two_item_draft(customer, agent, mobile)
    first, second = order.items.order_by("pk")

    with pytest.raises(TypeError, match="colour"):
        configure_items(order, by=agent, changes={first: {"quantity": 5}, second: {"colour": "red"}})

    first.refresh_from_db()
    assert first.quantity == 1


def test_a_refused_draft_update_keeps_no_item_change(customer, agent, mobile):
    order = two_item_draft(customer, agent, mobile)
    first, _ = order.items.order_by("pk")

    with pytest.raises(TypeError, match="colour"):
        configure_items(order, by=agent, changes={first: {"quantity": 5}}, colour="red")

    first.refresh_from_db()
    assert first.quantity == 1


def test_a_submitted_order_is_not_configured(customer, agent, mobile):
    order = issued_order(customer, agent, mobile)
    item = order.items.get()

    with pytest.raises(ActionRefused, match="only drafts can be edited"):
        configure_items(order, by=agent, changes={item: {"quantity": 4}})

    item.refresh_from_db()
    assert item.quantity == 1


# --- send_change ---------------------------------------------------------------------------------


def test_send_change_creates_and_submits_the_change_order(product, agent):
    outcome = send_change(
        product,
        by=agent,
        intent=ItemIntent.CHANGE,
        reason="Wants an eSIM",
        characteristics={"sim_type": "esim"},
        submission_key=lambda order: f"key-{order.number}",
    )

    order = Order.objects.get()
    assert outcome.issued and outcome.order == order
    assert order.submission_key == f"key-{order.number}"
    assert order.initiating_request.details == "Wants an eSIM"
    item = order.items.get()
    assert (item.intent, item.product, item.characteristics) == (ItemIntent.CHANGE, product, {"sim_type": "esim"})


def test_an_incomplete_change_keeps_no_order_and_no_request(product, agent):
    with pytest.raises(OrderIncomplete, match=r"items\[0\].characteristics.sim_type"):
        send_change(product, by=agent, intent=ItemIntent.CHANGE, characteristics={"sim_type": "fax"})
    assert nothing_written()


def test_a_change_that_makes_no_sense_is_refused_before_anything_is_written(product, agent):
    with pytest.raises(ActionRefused, match="must be suspended"):
        send_change(product, by=agent, intent=ItemIntent.RESUME)
    assert nothing_written()


# --- place_client_order --------------------------------------------------------------------------


@pytest.fixture
def client_for(customer):
    client, _ = create_api_client(name="Partner", channel="retail", customers=[customer])
    return client


def api_order(client, customer, mobile, key="k-1"):
    return place_client_order(
        client=client,
        idempotency_key=key,
        body_digest="d" * 64,
        related_party=[{"id": customer.number, "role": "customer"}],
        party_id=customer.number,
        customer=customer,
        items=[ItemRequest(item_id="1", offering=mobile, characteristics={"sim_type": "esim"})],
        initiating_request=InitiatingRequest(kind=InitiatingRequest.Kind.CUSTOMER_REQUEST, details="API"),
        description="From the partner",
    )


def test_place_client_order_places_the_order_and_remembers_what_was_sent(client_for, customer, mobile):
    order = api_order(client_for, customer, mobile)

    assert order.state == OrderState.IN_PROGRESS
    assert (order.created_by_client, order.channel, order.captured_by) == (client_for, "retail", client_for.user)
    submission = ApiOrderSubmission.objects.get()
    assert order.api_submission == submission
    assert (submission.order, submission.idempotency_key, submission.party_id) == (order, "k-1", customer.number)
    assert submission.related_party == [{"id": customer.number, "role": "customer"}]


def test_a_reused_idempotency_key_keeps_nothing_of_the_second_order(client_for, customer, mobile):
    first = api_order(client_for, customer, mobile)

    with pytest.raises(IntegrityError):
        api_order(client_for, customer, mobile)

    assert list(Order.objects.all()) == [first]
    assert InitiatingRequest.objects.count() == ApiOrderSubmission.objects.count() == 1


# --- follow_up_order -----------------------------------------------------------------------------


def test_follow_up_adds_notes_and_answers_the_open_question(customer, agent, mobile):
    order = issued_order(customer, agent, mobile)
    request_information(
        order, by=SupervisorFactory(), question="Which floor?", deadline=timezone.localdate() + dt.timedelta(days=7)
    )

    follow_up_order(order, by=agent, notes=["Second floor", "Lift available"], answer="Second floor")

    order.refresh_from_db()
    assert order.state == OrderState.IN_PROGRESS
    assert order.information_requests.get().answer == "Second floor"
    assert list(order.notes.values_list("text", "customer_visible")) == [
        ("Second floor", True),
        ("Lift available", True),
    ]


def test_follow_up_cancels_an_order_in_flight(customer, agent, mobile):
    order = issued_order(customer, agent, mobile)

    follow_up_order(order, by=agent, notes=["Moving abroad"], cancellation_reason="Moving abroad")

    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED
    assert CancellationRequest.objects.get().state == CancellationRequest.State.DONE
    assert order.notes.get().text == "Moving abroad"


def test_a_refused_cancellation_keeps_neither_the_notes_nor_the_request(customer, agent, mobile):
    order = issued_order(customer, agent, mobile)
    OrderItem.objects.update(point_of_no_return_at=timezone.now())

    with pytest.raises(CancellationRefused, match="point of no return") as refused:
        follow_up_order(order, by=agent, notes=["Please stop"], cancellation_reason="Please stop")

    assert refused.value.cancellation.state == CancellationRequest.State.REJECTED
    order.refresh_from_db()
    assert order.state == OrderState.IN_PROGRESS
    assert not CancellationRequest.objects.exists()
    assert not OrderNote.objects.exists()


def test_an_answer_without_a_question_keeps_the_notes_out(customer, agent, mobile):
    order = issued_order(customer, agent, mobile)

    with pytest.raises(ActionRefused, match="no open question"):
        follow_up_order(order, by=agent, notes=["Here you go"], answer="Here you go")

    assert not OrderNote.objects.exists()


def test_follow_up_either_cancels_or_answers(customer, agent, mobile):
    order = issued_order(customer, agent, mobile)

    with pytest.raises(ActionRefused, match="not both"):
        follow_up_order(order, by=agent, notes=["?"], cancellation_reason="Stop", answer="Go")

    assert not OrderNote.objects.exists()


MILL_LANE = {"house_number": "12", "street": "mill lane"}


def test_set_delivery_adds_the_new_address_and_uses_it_for_the_items(customer, agent, mobile):
    order = two_item_draft(customer, agent, mobile)
    items = list(order.items.all())

    address = set_delivery(order, by=agent, items=items, new_address=MILL_LANE, appointment_preference="morning")

    assert address.customer == customer and address.purpose == "installation" and address.validated_at
    assert {item.install_address_id for item in order.items.all()} == {address.pk}


def test_set_delivery_refused_keeps_no_new_address(customer, agent, mobile):
    order = issued_order(customer, agent, mobile)  # no longer a draft: its details cannot change
    addresses = customer.addresses.count()

    with pytest.raises(ActionRefused):
        set_delivery(order, by=agent, items=list(order.items.all()), new_address=MILL_LANE)

    assert customer.addresses.count() == addresses
