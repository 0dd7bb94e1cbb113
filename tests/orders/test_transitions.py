"""Allowed and refused moves, straight on the model: the tables below are the state machine's spec.

DOMAIN.md, "Order states (TMF622) and transitions". Every (state, transition) pair not in a table
must raise TransitionNotAllowed. The last section checks, through the services, that a refused move
leaves no trace.
"""

from typing import NamedTuple

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_fsm import InvalidResultState, TransitionNotAllowed, can_proceed, has_transition_perm

from orders.models import (
    CancellationRequest,
    ItemState,
    Order,
    OrderEvent,
    OrderItem,
    OrderState,
    OutboxEvent,
)
from orders.services import (
    ActionRefused,
    answer_information,
    approve_special_handling,
    request_cancellation,
    request_information,
)
from tests.factories import AgentFactory, CustomerUserFactory, OrderFactory, OrderItemFactory, SupervisorFactory

S = OrderState
IS = ItemState


class Move(NamedTuple):
    source: str
    transition: str
    target: str
    attrs: dict = {}  # what the guard or the result depends on (never mutated)

    def __str__(self):
        extra = ",".join(f"{k}={v}" for k, v in self.attrs.items())
        return f"{self.source}-{self.transition}-{self.target}" + (f"[{extra}]" if extra else "")


SPECIAL = {"needs_special_handling": True}
NOT_SPECIAL = {"needs_special_handling": False}

# --- the order's state machine ----------------------------------------------------------------

ORDER_MOVES = [
    # draft -> acknowledged (submit: complete and valid) or rejected (business rules fail).
    Move(S.DRAFT, "acknowledge", S.ACKNOWLEDGED),
    Move(S.DRAFT, "reject", S.REJECTED),
    # A draft nobody will submit is discarded (kept, cancelled).
    Move(S.DRAFT, "discard", S.CANCELLED),
    # Not in DOMAIN.md, but TMF622 lets an acknowledged order still be rejected by validation.
    Move(S.ACKNOWLEDGED, "reject", S.REJECTED),
    # acknowledged -> inProgress (issued) or held (special handling).
    Move(S.ACKNOWLEDGED, "issue", S.IN_PROGRESS),
    Move(S.ACKNOWLEDGED, "hold_for_special_handling", S.HELD),
    # held for special handling: a supervisor approves (issued) or refuses (cancelled).
    Move(S.HELD, "approve", S.IN_PROGRESS, SPECIAL),
    Move(S.HELD, "refuse", S.CANCELLED, SPECIAL),
    # inProgress <-> pending (waiting for the customer); a held order may also ask the customer.
    Move(S.IN_PROGRESS, "await_customer", S.PENDING),
    Move(S.HELD, "await_customer", S.PENDING),
    Move(S.PENDING, "resume_from_customer", S.IN_PROGRESS, {"return_state": S.IN_PROGRESS}),
    Move(S.PENDING, "resume_from_customer", S.HELD, {"return_state": S.HELD}),
    # inProgress <-> held (waiting for the provider: fallout).
    Move(S.IN_PROGRESS, "hold", S.HELD),
    Move(S.HELD, "release", S.IN_PROGRESS, NOT_SPECIAL),
    # pending/held -> cancelled when the information or the issue cannot be resolved.
    Move(S.PENDING, "abandon", S.CANCELLED),
    Move(S.HELD, "abandon", S.CANCELLED),
    # inProgress/pending/held -> assessingCancellation -> pendingCancellation -> cancelled,
    # or back to where it came from when the cancellation is refused.
    Move(S.IN_PROGRESS, "assess_cancellation", S.ASSESSING_CANCELLATION),
    Move(S.PENDING, "assess_cancellation", S.ASSESSING_CANCELLATION),
    Move(S.HELD, "assess_cancellation", S.ASSESSING_CANCELLATION),
    Move(S.ASSESSING_CANCELLATION, "accept_cancellation", S.PENDING_CANCELLATION),
    Move(S.PENDING_CANCELLATION, "cancel", S.CANCELLED),
    Move(S.ASSESSING_CANCELLATION, "refuse_cancellation", S.IN_PROGRESS, {"cancellation_return_state": S.IN_PROGRESS}),
    Move(S.ASSESSING_CANCELLATION, "refuse_cancellation", S.PENDING, {"cancellation_return_state": S.PENDING}),
    Move(S.ASSESSING_CANCELLATION, "refuse_cancellation", S.HELD, {"cancellation_return_state": S.HELD}),
    # Amendment: a newer revision replaces an order in flight.
    Move(S.IN_PROGRESS, "supersede", S.CANCELLED),
    Move(S.PENDING, "supersede", S.CANCELLED),
    Move(S.HELD, "supersede", S.CANCELLED),
    # inProgress -> completed, partial or failed.
    Move(S.IN_PROGRESS, "complete", S.COMPLETED),
    Move(S.IN_PROGRESS, "complete_partially", S.PARTIAL),
    Move(S.IN_PROGRESS, "fail", S.FAILED),
]

ORDER_TRANSITIONS = [
    "acknowledge",
    "discard",
    "reject",
    "issue",
    "hold_for_special_handling",
    "approve",
    "refuse",
    "await_customer",
    "resume_from_customer",
    "hold",
    "release",
    "abandon",
    "assess_cancellation",
    "accept_cancellation",
    "cancel",
    "refuse_cancellation",
    "supersede",
    "complete",
    "complete_partially",
    "fail",
]
ORDER_ARGS = {"reject": (["Credit check refused."],), "hold_for_special_handling": (["Bespoke item 1"],)}

ALLOWED_ON_ORDER = {(move.source, move.transition) for move in ORDER_MOVES}
REFUSED_ON_ORDER = [
    (state, name) for state in OrderState for name in ORDER_TRANSITIONS if (state, name) not in ALLOWED_ON_ORDER
]
TERMINAL = [S.REJECTED, S.CANCELLED, S.COMPLETED, S.PARTIAL, S.FAILED]


def order_transition(order: Order, name: str):
    return getattr(order, name)(*ORDER_ARGS.get(name, ()))


def test_the_table_names_every_transition_the_order_has():
    declared = {t.name for t in Order._meta.get_field("state").get_all_transitions(Order)}
    assert declared == set(ORDER_TRANSITIONS)
    assert {move.transition for move in ORDER_MOVES} == declared


@pytest.mark.django_db
@pytest.mark.parametrize("move", ORDER_MOVES, ids=str)
def test_an_allowed_order_transition_reaches_its_target_and_is_saved(move):
    order = OrderFactory(state=move.source, **move.attrs)

    order_transition(order, move.transition)

    assert order.state == move.target
    order.save()
    order.refresh_from_db()
    assert order.state == move.target


@pytest.mark.parametrize("needs_special_handling", [False, True], ids=["standard", "special"])
@pytest.mark.parametrize(("state", "name"), REFUSED_ON_ORDER, ids=[f"{s}-{n}" for s, n in REFUSED_ON_ORDER])
def test_any_other_order_transition_is_not_allowed(state, name, needs_special_handling):
    order = OrderFactory.build(state=state, needs_special_handling=needs_special_handling)

    with pytest.raises(TransitionNotAllowed):
        order_transition(order, name)

    assert order.state == state


@pytest.mark.parametrize("state", TERMINAL)
def test_a_terminal_order_has_no_way_out(state):
    for special in (False, True):
        order = OrderFactory.build(state=state, needs_special_handling=special)
        assert list(order.get_available_state_transitions()) == []


@pytest.mark.parametrize("name", ["approve", "refuse"])
def test_only_an_order_marked_for_special_handling_can_be_approved_or_refused(name):
    order = OrderFactory.build(state=S.HELD, needs_special_handling=False)  # held for fallout

    with pytest.raises(TransitionNotAllowed):
        order_transition(order, name)

    assert order.state == S.HELD


def test_an_order_held_for_special_handling_cannot_simply_be_released():
    order = OrderFactory.build(state=S.HELD, needs_special_handling=True)

    with pytest.raises(TransitionNotAllowed):
        order.release()

    assert order.state == S.HELD


# --- what the transitions record on the order ---------------------------------------------------


@pytest.mark.django_db
def test_holding_for_special_handling_marks_the_order_with_its_reasons():
    order = OrderFactory(state=S.ACKNOWLEDGED)

    order.hold_for_special_handling(["Bespoke item 1: Leased line"])
    order.save()

    order.refresh_from_db()
    assert order.needs_special_handling
    assert order.special_handling_reasons == ["Bespoke item 1: Leased line"]


@pytest.mark.django_db
def test_approval_issues_the_order_and_clears_the_special_handling_mark():
    order = OrderFactory(state=S.HELD, needs_special_handling=True)

    order.approve()
    order.save()

    order.refresh_from_db()
    assert order.issued_at is not None
    assert not order.needs_special_handling


@pytest.mark.django_db
def test_a_rejection_keeps_its_reasons():
    order = OrderFactory(state=S.DRAFT)

    order.reject(["Credit check refused.", "Address not serviceable."])
    order.save()

    order.refresh_from_db()
    assert order.rejection_reasons == ["Credit check refused.", "Address not serviceable."]


@pytest.mark.django_db
@pytest.mark.parametrize("move", [m for m in ORDER_MOVES if m.target in TERMINAL and m.target != S.REJECTED], ids=str)
def test_an_order_that_ends_records_when(move):
    order = OrderFactory(state=move.source, **move.attrs)

    order_transition(order, move.transition)
    order.save()

    order.refresh_from_db()
    assert order.completed_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize("waiting_from", [S.IN_PROGRESS, S.HELD])
def test_an_answered_question_returns_the_order_to_where_it_was_waiting_from(waiting_from):
    order = OrderFactory(state=waiting_from)

    order.await_customer()
    order.save()
    order.refresh_from_db()
    assert (order.state, order.return_state) == (S.PENDING, waiting_from)

    order.resume_from_customer()
    order.save()
    order.refresh_from_db()
    assert (order.state, order.return_state) == (waiting_from, "")


@pytest.mark.django_db
@pytest.mark.parametrize("came_from", [S.IN_PROGRESS, S.PENDING, S.HELD])
def test_a_refused_cancellation_returns_the_order_to_where_it_came_from(came_from):
    order = OrderFactory(state=came_from)

    order.assess_cancellation()
    order.save()
    order.refresh_from_db()
    assert (order.state, order.cancellation_return_state) == (S.ASSESSING_CANCELLATION, came_from)

    order.refuse_cancellation()
    order.save()
    order.refresh_from_db()
    assert (order.state, order.cancellation_return_state) == (came_from, "")


def test_an_order_delivered_and_awaiting_sign_off_cannot_be_cancelled_and_says_why():
    order = OrderFactory.build(state=S.PENDING, awaiting_signoff=True)

    assert not can_proceed(order.assess_cancellation)
    with pytest.raises(TransitionNotAllowed):
        order.assess_cancellation()
    assert order.state == S.PENDING
    assert "waits for the customer's sign-off: too late to cancel" in order.why_not_cancellable
    # Waiting for an answer to a question, it still can be.
    assert OrderFactory.build(state=S.PENDING, awaiting_signoff=False).why_not_cancellable == ""


@pytest.mark.django_db
def test_a_refused_cancellation_while_waiting_for_the_customer_keeps_where_the_order_was_waiting_from():
    order = OrderFactory(state=S.HELD, needs_special_handling=True)
    order.await_customer()  # the supervisor asks the customer a question during review
    order.assess_cancellation()  # the customer asks to cancel meanwhile
    order.refuse_cancellation()  # too late: back to pending
    assert order.state == S.PENDING

    order.resume_from_customer()  # the customer answers

    assert order.state == S.HELD  # still waiting for the supervisor's review, not issued


# --- the item's state machine (the order's states without partial) ----------------------------

ITEM_MOVES = [
    Move(IS.DRAFT, "acknowledge", IS.ACKNOWLEDGED),
    Move(IS.DRAFT, "reject", IS.REJECTED),
    Move(IS.ACKNOWLEDGED, "reject", IS.REJECTED),
    # Issued, or resumed after waiting for the provider or the customer.
    Move(IS.ACKNOWLEDGED, "start", IS.IN_PROGRESS),
    Move(IS.HELD, "start", IS.IN_PROGRESS),
    Move(IS.PENDING, "start", IS.IN_PROGRESS),
    Move(IS.ACKNOWLEDGED, "hold", IS.HELD),
    Move(IS.IN_PROGRESS, "hold", IS.HELD),
    Move(IS.IN_PROGRESS, "await_customer", IS.PENDING),
    Move(IS.HELD, "await_customer", IS.PENDING),
    Move(IS.IN_PROGRESS, "assess_cancellation", IS.ASSESSING_CANCELLATION),
    Move(IS.PENDING, "assess_cancellation", IS.ASSESSING_CANCELLATION),
    Move(IS.HELD, "assess_cancellation", IS.ASSESSING_CANCELLATION),
    Move(IS.ASSESSING_CANCELLATION, "accept_cancellation", IS.PENDING_CANCELLATION),
    Move(IS.PENDING_CANCELLATION, "cancel", IS.CANCELLED),
    # The items of a discarded draft.
    Move(IS.DRAFT, "cancel", IS.CANCELLED),
    # An item in flight is cancelled outright when its order is refused, abandoned or superseded.
    Move(IS.IN_PROGRESS, "cancel", IS.CANCELLED),
    Move(IS.PENDING, "cancel", IS.CANCELLED),
    Move(IS.HELD, "cancel", IS.CANCELLED),
    Move(IS.ASSESSING_CANCELLATION, "refuse_cancellation", IS.IN_PROGRESS, {"back_to": IS.IN_PROGRESS}),
    Move(IS.ASSESSING_CANCELLATION, "refuse_cancellation", IS.PENDING, {"back_to": IS.PENDING}),
    Move(IS.ASSESSING_CANCELLATION, "refuse_cancellation", IS.HELD, {"back_to": IS.HELD}),
    Move(IS.IN_PROGRESS, "complete", IS.COMPLETED),
    Move(IS.IN_PROGRESS, "fail", IS.FAILED),
]

ITEM_TRANSITIONS = [
    "acknowledge",
    "reject",
    "start",
    "hold",
    "await_customer",
    "assess_cancellation",
    "accept_cancellation",
    "cancel",
    "refuse_cancellation",
    "complete",
    "fail",
]
ALLOWED_ON_ITEM = {(move.source, move.transition) for move in ITEM_MOVES}
REFUSED_ON_ITEM = [
    (state, name) for state in ItemState for name in ITEM_TRANSITIONS if (state, name) not in ALLOWED_ON_ITEM
]


def item_transition(item: OrderItem, name: str, back_to: str = IS.IN_PROGRESS):
    method = getattr(item, name)
    return method(back_to) if name == "refuse_cancellation" else method()


def test_items_have_the_order_states_except_partial():
    assert set(ItemState.values) == set(OrderState.values) - {S.PARTIAL}


def test_the_table_names_every_transition_an_item_has():
    declared = {t.name for t in OrderItem._meta.get_field("state").get_all_transitions(OrderItem)}
    assert declared == set(ITEM_TRANSITIONS)
    assert {move.transition for move in ITEM_MOVES} == declared


@pytest.mark.django_db
@pytest.mark.parametrize("move", ITEM_MOVES, ids=str)
def test_an_allowed_item_transition_reaches_its_target_and_is_saved(move):
    item = OrderItemFactory(state=move.source)

    item_transition(item, move.transition, **move.attrs)

    assert item.state == move.target
    item.save()
    item.refresh_from_db()
    assert item.state == move.target


@pytest.mark.parametrize(("state", "name"), REFUSED_ON_ITEM, ids=[f"{s}-{n}" for s, n in REFUSED_ON_ITEM])
def test_any_other_item_transition_is_not_allowed(state, name):
    item = OrderItemFactory.build(state=state)

    with pytest.raises(TransitionNotAllowed):
        item_transition(item, name)

    assert item.state == state


@pytest.mark.parametrize("back_to", [IS.DRAFT, IS.ACKNOWLEDGED, IS.COMPLETED, IS.CANCELLED])
def test_a_refused_item_cancellation_goes_back_only_to_a_state_in_flight(back_to):
    item = OrderItemFactory.build(state=IS.ASSESSING_CANCELLATION)

    with pytest.raises(InvalidResultState):
        item.refuse_cancellation(back_to)

    assert item.state == IS.ASSESSING_CANCELLATION


# --- who may make each move ---------------------------------------------------------------------

AGENT, SUPERVISOR, OWN_CUSTOMER, OTHER_CUSTOMER = "agent", "supervisor", "the order's customer", "another customer"
FOR_THE_CUSTOMER = {AGENT, SUPERVISOR, OWN_CUSTOMER}
STAFF = {AGENT, SUPERVISOR}
SUPERVISORS_ONLY = {SUPERVISOR}

MAY_MAKE = {
    "acknowledge": FOR_THE_CUSTOMER,  # submitting, and what submission does next
    "discard": FOR_THE_CUSTOMER,  # giving up a draft
    "reject": FOR_THE_CUSTOMER,
    "issue": FOR_THE_CUSTOMER,
    "hold_for_special_handling": FOR_THE_CUSTOMER,
    "approve": SUPERVISORS_ONLY,  # special-handling review
    "refuse": SUPERVISORS_ONLY,
    "await_customer": SUPERVISORS_ONLY,  # asking the customer a question
    "resume_from_customer": FOR_THE_CUSTOMER,  # answering it
    "hold": SUPERVISORS_ONLY,  # fallout and fulfilment
    "release": SUPERVISORS_ONLY,
    "abandon": SUPERVISORS_ONLY,
    "complete": SUPERVISORS_ONLY,
    "complete_partially": SUPERVISORS_ONLY,
    "fail": SUPERVISORS_ONLY,
    "assess_cancellation": FOR_THE_CUSTOMER,  # requesting cancellation, and its outcome
    "accept_cancellation": FOR_THE_CUSTOMER,
    "cancel": FOR_THE_CUSTOMER,
    "refuse_cancellation": FOR_THE_CUSTOMER,
    "supersede": STAFF,  # amendment
}
FIRST_MOVE = {}
for _move in ORDER_MOVES:
    FIRST_MOVE.setdefault(_move.transition, _move)


def user_in_role(role: str, order: Order):
    if role == AGENT:
        return AgentFactory()
    if role == SUPERVISOR:
        return SupervisorFactory()
    if role == OWN_CUSTOMER:
        return CustomerUserFactory(customer=order.customer)
    return CustomerUserFactory()


def test_the_permission_table_covers_every_transition():
    assert set(MAY_MAKE) == set(ORDER_TRANSITIONS)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [AGENT, SUPERVISOR, OWN_CUSTOMER, OTHER_CUSTOMER])
@pytest.mark.parametrize("name", ORDER_TRANSITIONS)
def test_each_transition_is_permitted_to_exactly_the_roles_in_the_table(name, role):
    move = FIRST_MOVE[name]
    order = OrderFactory(state=move.source, **move.attrs)

    permitted = has_transition_perm(getattr(order, name), user_in_role(role, order))

    assert permitted == (role in MAY_MAKE[name])


@pytest.mark.django_db
def test_an_agent_cannot_approve_special_handling_but_a_supervisor_can(agent, supervisor):
    order = OrderFactory(state=S.HELD, needs_special_handling=True)

    assert not has_transition_perm(order.approve, agent)
    assert has_transition_perm(order.approve, supervisor)


@pytest.mark.django_db
def test_a_customer_submits_and_cancels_their_own_order_but_not_another_customers():
    own_draft = OrderFactory(state=S.DRAFT)
    own_in_flight = OrderFactory(state=S.IN_PROGRESS, customer=own_draft.customer)
    other_draft, other_in_flight = OrderFactory(state=S.DRAFT), OrderFactory(state=S.IN_PROGRESS)
    customer_user = CustomerUserFactory(customer=own_draft.customer)

    assert has_transition_perm(own_draft.acknowledge, customer_user)
    assert has_transition_perm(own_in_flight.assess_cancellation, customer_user)
    assert not has_transition_perm(other_draft.acknowledge, customer_user)
    assert not has_transition_perm(other_in_flight.assess_cancellation, customer_user)


@pytest.mark.django_db
def test_an_agent_may_request_cancellation(agent):
    order = OrderFactory(state=S.IN_PROGRESS)

    assert has_transition_perm(order.assess_cancellation, agent)


@pytest.mark.django_db
def test_a_deactivated_customer_login_may_not_submit_its_customers_order():
    order = OrderFactory(state=S.DRAFT)
    customer_user = CustomerUserFactory(customer=order.customer, is_active=False)

    assert not has_transition_perm(order.acknowledge, customer_user)


# --- through the services, a refusal leaves no trace --------------------------------------------


def assert_nothing_recorded(order: Order, state: str):
    order = Order.objects.get(pk=order.pk)
    assert order.state == state
    assert not OrderEvent.objects.filter(order=order).exists()
    assert not OutboxEvent.objects.filter(order=order).exists()


@pytest.mark.django_db
def test_a_supervisors_approval_issues_the_order_and_records_it_once(supervisor):
    order = OrderFactory(state=S.HELD, needs_special_handling=True)

    approve_special_handling(order, by=supervisor, note="Site survey ok.")

    event = OrderEvent.objects.get(order=order)
    assert (event.transition, event.from_state, event.to_state, event.actor) == (
        "approve",
        S.HELD,
        S.IN_PROGRESS,
        supervisor,
    )
    assert OutboxEvent.objects.filter(order=order).count() == 1


@pytest.mark.django_db
def test_an_agent_cannot_approve_special_handling_and_nothing_is_recorded(agent):
    order = OrderFactory(state=S.HELD, needs_special_handling=True)

    with pytest.raises(PermissionDenied):
        approve_special_handling(order, by=agent, note="")

    assert_nothing_recorded(order, S.HELD)


@pytest.mark.django_db
def test_approving_an_order_in_progress_is_not_allowed_and_nothing_is_recorded(supervisor):
    order = OrderFactory(state=S.IN_PROGRESS)

    with pytest.raises(TransitionNotAllowed):
        approve_special_handling(order, by=supervisor, note="")

    assert_nothing_recorded(order, S.IN_PROGRESS)


@pytest.mark.django_db
def test_the_supervisor_who_captured_an_order_cannot_approve_it(supervisor):
    order = OrderFactory(state=S.HELD, needs_special_handling=True, captured_by=supervisor)

    with pytest.raises(PermissionDenied):
        approve_special_handling(order, by=supervisor, note="")

    assert_nothing_recorded(order, S.HELD)


@pytest.mark.django_db
def test_another_customer_cannot_request_cancellation_and_nothing_is_recorded():
    order = OrderFactory(state=S.IN_PROGRESS)
    OrderItemFactory(order=order, state=IS.IN_PROGRESS)

    with pytest.raises(PermissionDenied):
        request_cancellation(order, by=CustomerUserFactory(), reason="Changed my mind.")

    assert_nothing_recorded(order, S.IN_PROGRESS)
    assert not CancellationRequest.objects.filter(order=order).exists()
    assert order.items.get().state == IS.IN_PROGRESS


@pytest.mark.django_db
def test_a_cancellation_of_an_order_awaiting_sign_off_is_refused_with_the_reason_and_nothing_is_recorded(agent):
    order = OrderFactory(state=S.PENDING, awaiting_signoff=True)
    OrderItemFactory(order=order, state=IS.COMPLETED)

    with pytest.raises(ActionRefused, match="too late to cancel"):
        request_cancellation(order, by=agent, reason="Changed my mind.")

    assert_nothing_recorded(order, S.PENDING)
    assert not CancellationRequest.objects.filter(order=order).exists()


@pytest.mark.django_db
def test_approving_an_order_held_for_fallout_is_not_allowed_rather_than_forbidden(supervisor):
    order = OrderFactory(state=S.HELD, needs_special_handling=False)

    with pytest.raises(TransitionNotAllowed):
        approve_special_handling(order, by=supervisor, note="")

    assert_nothing_recorded(order, S.HELD)


@pytest.mark.django_db
def test_a_refused_cancellation_while_waiting_for_the_customer_does_not_release_a_held_order(supervisor, agent):
    order = OrderFactory(state=S.HELD)  # fallout: waiting for us
    OrderItemFactory(order=order, state=IS.HELD, point_of_no_return_at=timezone.now())
    request_information(order, by=supervisor, question="Which entrance?", deadline=timezone.localdate())
    refused = request_cancellation(order, by=agent, reason="Too slow.")
    assert refused.state == CancellationRequest.State.REJECTED

    answer_information(order, by=agent, answer="The side door.")

    assert Order.objects.get(pk=order.pk).state == S.HELD
