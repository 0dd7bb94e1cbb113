"""The order commands: issuing rules, special handling, questions, cancellation, amendment."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from customers.models import CreditClass
from orders.models import FeasibilityAssessment, ItemState, OrderEvent, OrderState, OutboxEvent
from orders.services import (
    ActionRefused,
    OrderIncomplete,
    Verdict,
    add_item,
    answer_information,
    approve_special_handling,
    create_draft_order,
    issuing_verdict,
    record_feasibility,
    record_initiating_request,
    refuse_special_handling,
    request_cancellation,
    request_information,
    revision_differences,
    start_amendment,
    submit_order,
    update_item,
)
from tests.factories import CustomerFactory, OfferingFactory, OrderFactory, valid_address


@pytest.fixture
def leased_line(db):
    return OfferingFactory(
        code="dia-test",
        name="Leased Line",
        is_bespoke=True,
        requires_feasibility=True,
        serviceable_technologies=["ethernet", "fibre"],
    )


def draft(customer, agent, *items, **fields):
    request = record_initiating_request(customer=customer, by=agent, kind="sales_proposal", reference="Q-1")
    order = create_draft_order(customer=customer, by=agent, initiating_request=request, **fields)
    for offering, characteristics in items:
        add_item(
            order,
            by=agent,
            offering=offering,
            characteristics=characteristics,
            install_address=valid_address(customer) if offering.requires_install_address else None,
        )
    return order


def transitions(order):
    return list(order.events.values_list("transition", flat=True))


# --- issuing rules ------------------------------------------------------------------------------


def test_a_standard_order_is_issued_at_once(customer, agent, fibre):
    order = draft(customer, agent, (fibre, {"router": "hub-6"}))

    outcome = submit_order(order, by=agent, submission_key="s-1")

    order.refresh_from_db()
    assert outcome.issued and order.state == OrderState.IN_PROGRESS
    assert transitions(order) == ["acknowledge", "issue"]
    assert order.events.last().actor == agent
    assert {i.state for i in order.items.all()} == {ItemState.IN_PROGRESS}
    assert list(order.outbox_events.values_list("event_type", flat=True)) == [
        OutboxEvent.Type.CREATE,
        OutboxEvent.Type.STATE_CHANGE,
        OutboxEvent.Type.STATE_CHANGE,
        OutboxEvent.Type.ATTRIBUTE_VALUE_CHANGE,  # its first fulfilment steps went out with it
    ]
    assert order.tasks.filter(state="dispatched", handover_due=True).exists()


def test_special_requirements_without_feasibility_hold_the_order_with_reasons(customer, agent, fibre):
    order = draft(customer, agent, (fibre, {"router": "hub-6"}), special_requirements="Install in the loft")

    outcome = submit_order(order, by=agent)

    order.refresh_from_db()
    assert order.state == OrderState.HELD and order.needs_special_handling
    assert (
        outcome.held_reasons
        == order.special_handling_reasons
        == [
            "Special requirements: Install in the loft",
            "No positive feasibility assessment on record.",
        ]
    )
    assert {i.state for i in order.items.all()} == {ItemState.HELD}


def test_bespoke_items_with_a_positive_feasibility_assessment_are_issued(customer, agent, leased_line):
    order = draft(customer, agent, (leased_line, {}))
    order.items.update(install_address=valid_address(customer, "Harbour Way", "5"))
    record_feasibility(order, by=agent, result=FeasibilityAssessment.Result.FEASIBLE, notes="Duct available")

    outcome = submit_order(order, by=agent)

    assert outcome.issued
    assert "Feasibility assessment" in order.events.get(transition="issue").note


def test_bespoke_items_without_feasibility_are_held(customer, agent, leased_line):
    order = draft(customer, agent, (leased_line, {}))
    order.items.update(install_address=valid_address(customer, "Harbour Way", "5"))

    outcome = submit_order(order, by=agent)

    assert outcome.held_reasons[0] == "Bespoke item 1: Leased Line"


def test_a_negative_feasibility_assessment_does_not_let_an_order_through(customer, agent, leased_line):
    order = draft(customer, agent, (leased_line, {}))
    order.items.update(install_address=valid_address(customer, "Harbour Way", "5"))
    record_feasibility(order, by=agent, result=FeasibilityAssessment.Result.NOT_FEASIBLE)

    assert not submit_order(order, by=agent).issued


def test_an_incomplete_order_stays_draft_with_field_paths(customer, agent, fibre):
    order = create_draft_order(customer=customer, by=agent)
    add_item(order, by=agent, offering=fibre, characteristics={"router": "fax"})

    with pytest.raises(OrderIncomplete) as raised:
        submit_order(order, by=agent)

    assert [str(e) for e in raised.value.errors] == [
        "initiating_request: record what led to this order",
        "items[0].characteristics.router: must be one of hub-6 or mesh-pack; fax is not one",
        "items[0].install_address: an install address is required",
    ]
    order.refresh_from_db()
    assert order.state == OrderState.DRAFT and not order.events.exists()


def test_an_address_the_offering_cannot_serve_is_reported(customer, agent, fibre):
    order = draft(customer, agent, (fibre, {"router": "hub-6"}))
    order.items.update(install_address=valid_address(customer, "Orchard Road", "7"))  # copper and cable only

    with pytest.raises(OrderIncomplete) as raised:
        submit_order(order, by=agent)

    assert "is not available at" in str(raised.value.errors[0])


def test_through_the_api_an_incomplete_order_is_rejected_with_reasons(customer, agent, fibre):
    order = create_draft_order(customer=customer, by=agent)
    add_item(order, by=agent, offering=fibre, characteristics={})

    outcome = submit_order(order, by=agent, reject_if_incomplete=True)

    order.refresh_from_db()
    assert order.state == OrderState.REJECTED
    assert "items[0].characteristics.router: this field is required" in outcome.rejected_reasons
    assert order.notes.filter(customer_visible=True).count() == len(outcome.rejected_reasons)


def test_a_refused_credit_check_rejects_the_order(agent, leased_line):
    customer = CustomerFactory(credit_class=CreditClass.D)
    order = draft(customer, agent, (leased_line, {}))
    order.items.update(install_address=valid_address(customer, "Harbour Way", "5"), one_off_price=Decimal("1500"))

    outcome = submit_order(order, by=agent)

    assert order.__class__.objects.get(pk=order.pk).state == OrderState.REJECTED
    assert "Credit check refused" in outcome.rejected_reasons[0]


def test_an_unrated_customer_gets_a_credit_class_on_submission(agent, fibre):
    customer = CustomerFactory(credit_class=CreditClass.UNRATED)
    submit_order(draft(customer, agent, (fibre, {"router": "hub-6"})), by=agent)

    customer.refresh_from_db()
    assert customer.credit_class in {"A", "B", "C"} and customer.credit_checked_at is not None


def test_submitting_twice_with_the_same_key_gives_one_outcome(customer, agent, fibre):
    order = draft(customer, agent, (fibre, {"router": "hub-6"}))
    first = submit_order(order, by=agent, submission_key="same")
    second = submit_order(order, by=agent, submission_key="same")

    assert first.order.pk == second.order.pk and second.issued
    assert transitions(order) == ["acknowledge", "issue"]


def test_a_customer_cannot_submit_another_customers_order(customer, agent, fibre, customer_user):
    order = draft(customer, agent, (fibre, {"router": "hub-6"}))
    with pytest.raises(PermissionDenied):
        submit_order(order, by=customer_user)


def test_a_customer_orders_for_themselves_in_the_self_service_channel(customer_user, fibre):
    order = draft(customer_user.customer, customer_user, (fibre, {"router": "mesh-pack"}))
    assert order.channel == "self_service"
    assert submit_order(order, by=customer_user).issued


# --- special handling ---------------------------------------------------------------------------


@pytest.fixture
def held_order(customer, agent, fibre):
    order = draft(customer, agent, (fibre, {"router": "hub-6"}), special_requirements="Out-of-hours install")
    submit_order(order, by=agent)
    order.refresh_from_db()
    return order


def test_a_supervisor_approves_a_held_order_and_it_is_issued(held_order, supervisor):
    approve_special_handling(held_order, by=supervisor, note="Survey done")

    held_order.refresh_from_db()
    assert held_order.state == OrderState.IN_PROGRESS and not held_order.needs_special_handling
    assert held_order.events.last().note == "Survey done"
    assert held_order.events.last().actor == supervisor


def test_a_supervisor_refuses_a_held_order_with_a_reason(held_order, supervisor):
    refuse_special_handling(held_order, by=supervisor, reason="No engineer can work at night")

    held_order.refresh_from_db()
    assert held_order.state == OrderState.CANCELLED
    assert held_order.notes.get().text == "Refused: No engineer can work at night"


def test_asking_the_customer_for_information_waits_then_returns_to_review(held_order, supervisor, agent):
    question = request_information(
        held_order, by=supervisor, question="Which floor?", deadline=timezone.localdate() + dt.timedelta(days=3)
    )
    held_order.refresh_from_db()
    assert held_order.state == OrderState.PENDING
    assert held_order.outbox_events.filter(event_type=OutboxEvent.Type.INFORMATION_REQUIRED).exists()

    answer_information(held_order, by=agent, answer="Second floor")

    held_order.refresh_from_db()
    question.refresh_from_db()
    assert held_order.state == OrderState.HELD and held_order.needs_special_handling
    assert question.answer == "Second floor" and question.answered_by == agent


def test_a_question_needs_a_deadline_in_the_future(held_order, supervisor):
    with pytest.raises(ActionRefused):
        request_information(held_order, by=supervisor, question="?", deadline=dt.date(2000, 1, 1))
    assert OrderEvent.objects.filter(order=held_order, transition="await_customer").count() == 0


# --- cancellation -------------------------------------------------------------------------------


@pytest.fixture
def issued_order(customer, agent, fibre):
    order = draft(customer, agent, (fibre, {"router": "hub-6"}))
    submit_order(order, by=agent)
    order.refresh_from_db()
    return order


def test_cancellation_before_the_point_of_no_return_cancels(issued_order, customer_user):
    cancellation = request_cancellation(issued_order, by=issued_order.captured_by, reason="Moving house")

    issued_order.refresh_from_db()
    assert issued_order.state == OrderState.CANCELLED
    assert cancellation.state == "done"
    assert transitions(issued_order)[-3:] == ["assess_cancellation", "accept_cancellation", "cancel"]
    assert {i.state for i in issued_order.items.all()} == {ItemState.CANCELLED}


def test_cancellation_after_the_point_of_no_return_is_refused_and_the_order_goes_back(issued_order, agent):
    issued_order.items.update(point_of_no_return_at=timezone.now())

    cancellation = request_cancellation(issued_order, by=agent, reason="Changed my mind")

    issued_order.refresh_from_db()
    assert issued_order.state == OrderState.IN_PROGRESS
    assert cancellation.state == "terminatedWithError"
    assert "passed the point of no return" in cancellation.refusal_reason
    assert {i.state for i in issued_order.items.all()} == {ItemState.IN_PROGRESS}


def test_a_customer_cancels_their_own_order_but_not_someone_elses(issued_order, customer_user, fibre):
    with pytest.raises(PermissionDenied):
        request_cancellation(issued_order, by=customer_user, reason="Not mine")
    issued_order.refresh_from_db()
    assert issued_order.state == OrderState.IN_PROGRESS
    assert not issued_order.cancellation_requests.exists()

    own = draft(customer_user.customer, customer_user, (fibre, {"router": "hub-6"}))
    submit_order(own, by=customer_user)
    assert request_cancellation(own, by=customer_user, reason="Found a better deal").state == "done"


def test_a_completed_order_cannot_be_cancelled(agent):
    order = OrderFactory(state=OrderState.COMPLETED)
    with pytest.raises(ActionRefused):
        request_cancellation(order, by=agent, reason="Too late")


# --- amendment ----------------------------------------------------------------------------------


def test_an_amendment_supersedes_the_original_and_shows_its_differences(issued_order, agent):
    revision = start_amendment(issued_order, by=agent)
    assert start_amendment(issued_order, by=agent) == revision  # one open revision at a time
    update_item(revision.items.get(), by=agent, characteristics={"router": "mesh-pack"})

    submit_order(revision, by=agent)

    issued_order.refresh_from_db()
    revision.refresh_from_db()
    assert revision.revision == 2 and revision.state == OrderState.IN_PROGRESS
    assert issued_order.state == OrderState.CANCELLED and issued_order.superseded_by == revision
    assert [(d.field, d.before, d.after) for d in revision_differences(issued_order, revision)] == [
        ("items[1].characteristics.router", "hub-6", "mesh-pack"),
    ]


def test_an_amendment_is_refused_after_the_point_of_no_return(issued_order, agent):
    issued_order.items.update(point_of_no_return_at=timezone.now())
    with pytest.raises(ActionRefused, match="point of no return"):
        start_amendment(issued_order, by=agent)


def test_the_order_value_counts_a_year_of_recurring_charges(customer, agent):
    pricey = OfferingFactory(
        requires_install_address=False, one_off_price=Decimal("100"), recurring_price=Decimal("250")
    )
    low = CustomerFactory(credit_class=CreditClass.D)
    order = draft(low, agent, (pricey, {}))
    assert submit_order(order, by=agent).rejected_reasons  # 100 + 12 × 250 is over the class D limit


def test_items_are_classified_bespoke_from_the_catalog(customer, agent, leased_line, fibre):
    order = draft(customer, agent, (fibre, {"router": "hub-6"}), (leased_line, {}))
    assert [i.is_bespoke for i in order.items.order_by("item_id")] == [False, True]


def test_an_item_for_an_unknown_offering_is_rejected_with_what_was_asked(customer, agent):
    order = draft(customer, agent)
    order.items.create(item_id="1", action="add", intent="provide", requested_offering="quantum-link")

    outcome = submit_order(order, by=agent, reject_if_incomplete=True)

    assert outcome.rejected_reasons == ["items[0].offering: unknown product offering 'quantum-link'"]


def test_one_issuing_verdict_for_every_channel(customer, agent, fibre, leased_line):
    """The console's submission and the API's whole orders take the same decision from issuing_verdict."""
    standard = draft(customer, agent, (fibre, {"router": "hub-6"}))
    bespoke = draft(customer, agent, (leased_line, {}))

    assert issuing_verdict(standard).transition == "issue"
    assert issuing_verdict(standard, problems=["items[0].router: required", "items[0].router: required"]) == Verdict(
        "reject", ["items[0].router: required"], "items[0].router: required"
    )
    held = issuing_verdict(bespoke)
    assert held.transition == "hold_for_special_handling"
    assert held.reasons[-1] == "No positive feasibility assessment on record."

    record_feasibility(bespoke, by=agent, result=FeasibilityAssessment.Result.FEASIBLE, notes="Fibre reaches the site.")
    assert issuing_verdict(bespoke).transition == "issue"
