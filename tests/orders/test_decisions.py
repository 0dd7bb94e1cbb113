"""The supervisor's decisions, one place for the console and the back office: rules, forms, commands."""

import pytest
from django.core.exceptions import PermissionDenied

from orders import decisions
from orders.models import OrderState
from tests.factories import AgentFactory, OrderFactory, OrderItemFactory, SupervisorFactory

pytestmark = pytest.mark.django_db

S = OrderState


def held_order(**fields):
    order = OrderFactory(state=S.HELD, needs_special_handling=True, **fields)
    OrderItemFactory(order=order, is_bespoke=True)
    return order


# --- the rules -------------------------------------------------------------------------------------


def test_a_supervisor_may_approve_and_refuse_a_held_order(supervisor):
    order = held_order()

    assert decisions.may_approve(order, supervisor) == decisions.Verdict(offered=True, allowed=True)
    assert decisions.may_refuse(order, supervisor).allowed


def test_four_eyes_whoever_captured_the_order_is_shown_the_approval_but_may_not_take_it(supervisor):
    order = held_order(captured_by=supervisor)

    verdict = decisions.may_approve(order, supervisor)

    assert (verdict.offered, verdict.allowed) == (True, False)
    assert "four eyes" in verdict.reason
    assert decisions.may_approve(order, SupervisorFactory()).allowed
    assert decisions.may_refuse(order, supervisor).allowed  # refusing is not approving


def test_a_review_is_not_offered_when_the_transition_is_not(supervisor):
    in_progress = OrderFactory(state=S.IN_PROGRESS)

    for rule in (decisions.may_approve, decisions.may_refuse):
        verdict = rule(in_progress, supervisor)
        assert (verdict.offered, verdict.allowed) == (False, False)
        assert verdict.reason == f"{in_progress.number} is in progress: that is not possible now."
        assert not verdict


def test_a_review_is_not_offered_to_a_user_without_the_permission(agent):
    order = held_order()

    assert not decisions.may_approve(order, agent).offered
    assert not decisions.may_refuse(order, agent).offered
    with pytest.raises(PermissionDenied):
        decisions.require_review_permission(agent)
    decisions.require_review_permission(SupervisorFactory())


def test_feasibility_may_be_recorded_on_any_open_order_but_is_needed_only_where_it_is_waited_for(supervisor):
    held, draft, in_progress = held_order(), OrderFactory(state=S.DRAFT), OrderFactory(state=S.IN_PROGRESS)
    completed = OrderFactory(state=S.COMPLETED)

    assert [decisions.may_record_feasibility(o, supervisor).allowed for o in (held, draft, in_progress, completed)] == [
        True,
        True,
        True,
        False,
    ]
    assert [decisions.needs_assessment(o, supervisor).allowed for o in (held, draft, in_progress, completed)] == [
        True,
        True,
        False,
        False,
    ]
    assert not decisions.needs_assessment(in_progress, supervisor).offered


def test_feasibility_needs_the_permission():
    user = AgentFactory()
    user.user_permissions.clear()
    user.groups.clear()

    assert not decisions.may_record_feasibility(held_order(), user).offered
    assert not decisions.needs_assessment(held_order(), user).offered


def test_a_note_needs_the_permission_to_view_orders(supervisor):
    user = AgentFactory()
    user.groups.clear()

    assert decisions.may_add_note(held_order(), supervisor).allowed
    assert not decisions.may_add_note(held_order(), user).offered


# --- the forms -------------------------------------------------------------------------------------


def test_a_refusal_needs_a_reason_and_a_channel_may_name_the_field_its_own_way():
    form = decisions.RefusalForm({"reason": "  "})
    assert not form.is_valid()
    assert form.errors["reason"] == ["This field is required."]
    assert form.fields["reason"].label == "Reason"

    named = decisions.RefusalForm(labels={"reason": "Reason (the customer sees it)"})
    assert named.fields["reason"].label == "Reason (the customer sees it)"
    assert not decisions.RefusalForm({"reason": "x" * 2001}).is_valid()


def test_an_approval_note_is_optional_and_bounded():
    assert decisions.ApprovalForm({"note": ""}).is_valid()
    assert not decisions.ApprovalForm({"note": "x" * 2001}).is_valid()


def test_a_note_needs_text_and_says_whether_the_customer_sees_it():
    assert decisions.NoteForm({"text": " "}).errors["text"] == ["This field is required."]
    assert not decisions.NoteForm({"text": "x" * 4001}).is_valid()
    form = decisions.NoteForm({"text": "Called the site", "customer_visible": "on"})
    assert form.is_valid()
    assert form.cleaned_data == {"text": "Called the site", "customer_visible": True}


def test_feasibility_needs_a_known_result_and_offers_the_items_only_when_given_them():
    order = held_order()
    item = order.items.get()

    assert not decisions.FeasibilityForm({"result": ""}).is_valid()
    assert not decisions.FeasibilityForm({"result": "maybe"}).is_valid()
    whole = decisions.FeasibilityForm({"result": "feasible", "notes": "Duct is free."})
    assert "item" not in whole.fields
    assert whole.is_valid()
    assert whole.cleaned_data.get("item") is None

    form = decisions.FeasibilityForm({"result": "not_feasible", "item": str(item.pk)}, items=[item])
    assert form.is_valid()
    assert form.cleaned_data["item"] == item
    assert form.fields["item"].choices[0] == ("", "The whole order")
    stranger = decisions.FeasibilityForm({"result": "feasible", "item": "999999"}, items=[item])
    assert not stranger.is_valid()


# --- the commands ----------------------------------------------------------------------------------


def test_the_commands_take_the_forms_data(supervisor):
    order = held_order()
    form = decisions.FeasibilityForm({"result": "feasible", "notes": "Fine"}, items=list(order.items.all()))
    assert form.is_valid()

    assessment = decisions.record_feasibility(order, supervisor, form.cleaned_data)
    note = decisions.add_note(order, supervisor, {"text": "Seen", "customer_visible": False})
    decisions.approve(order, supervisor, {"note": ""})

    assert (assessment.result, assessment.item, assessment.assessed_by) == ("feasible", None, supervisor)
    assert (note.text, note.customer_visible) == ("Seen", False)
    order.refresh_from_db()
    assert order.state == S.IN_PROGRESS
