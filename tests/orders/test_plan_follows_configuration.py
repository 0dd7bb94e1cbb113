"""The fulfilment plan follows the configuration: steps that apply only to some configurations, and
billing that waits for the customer's sign-off."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from customers.models import CreditClass
from orders.fulfilment import fallout, orchestration
from orders.fulfilment.plans import plan_for
from orders.fulfilment.stuck import flag_stuck_orders
from orders.models import Order, OrderState, ProductOffering, TaskState
from orders.models.catalog import condition_errors
from orders.services import add_item, create_draft_order, record_initiating_request, submit_order
from ordersite.selfservice.timeline import next_steps
from tests.factories import CustomerFactory, FulfilmentStepFactory, OfferingFactory, OrderItemFactory

pytestmark = pytest.mark.django_db

SIM = {
    "name": "sim_type",
    "label": "SIM",
    "type": "choice",
    "required": True,
    "choices": [{"value": "physical", "label": "Physical SIM"}, {"value": "esim", "label": "eSIM"}],
}


def mobile_offering(signoff=False):
    offering = OfferingFactory(
        code="mobile-line",
        name="Mobile line",
        requires_install_address=False,
        requires_customer_signoff=signoff,
        data_requirements=[SIM],
    )
    ship = FulfilmentStepFactory(
        offering=offering,
        code="ship-sim",
        name="Ship SIM",
        sequence=10,
        system="logistics",
        applies_when={"sim_type": "physical"},
    )
    activate = FulfilmentStepFactory(
        offering=offering, code="activate-sim", name="Activate SIM", sequence=20, is_point_of_no_return=True
    )
    billing = FulfilmentStepFactory(
        offering=offering, code="start-billing", name="Start billing", sequence=30, system="billing"
    )
    activate.depends_on.set([ship])
    billing.depends_on.set([activate])
    return offering


def issued(agent, offering, sim_type, customer=None):
    customer = customer or CustomerFactory(credit_class=CreditClass.A)
    request = record_initiating_request(customer=customer, by=agent, kind="sales_proposal")
    order = create_draft_order(customer=customer, by=agent, initiating_request=request)
    add_item(order, by=agent, offering=offering, characteristics={"sim_type": sim_type})
    submit_order(order, by=agent)
    order.refresh_from_db()
    return order


def task_states(order):
    return dict(order.tasks.values_list("code", "state"))


def complete(run_tasks, order, code):
    run_tasks(orchestration.record_task_result, order.tasks.get(code=code), succeeded=True)
    order.refresh_from_db()


# --- steps that apply to some configurations -----------------------------------------------------


def test_an_esim_is_never_shipped_and_its_activation_starts_at_once(agent, manual_downstream):
    order = issued(agent, mobile_offering(), "esim")

    assert task_states(order) == {"activate-sim": TaskState.DISPATCHED, "start-billing": TaskState.WAITING}
    assert not order.tasks.get(code="activate-sim").depends_on.exists()


def test_a_physical_sim_is_shipped_before_activation(agent, manual_downstream):
    order = issued(agent, mobile_offering(), "physical")

    assert task_states(order) == {
        "ship-sim": TaskState.DISPATCHED,
        "activate-sim": TaskState.WAITING,
        "start-billing": TaskState.WAITING,
    }
    assert [t.code for t in order.tasks.get(code="activate-sim").depends_on.all()] == ["ship-sim"]


def test_a_skipped_step_hands_its_dependencies_to_what_depended_on_it():
    offering = OfferingFactory(data_requirements=[SIM, {"name": "router", "type": "boolean"}])
    first = FulfilmentStepFactory(offering=offering, code="survey", sequence=10)
    skipped = FulfilmentStepFactory(offering=offering, code="ship", sequence=20, applies_when={"router": True})
    also = FulfilmentStepFactory(offering=offering, code="post", sequence=30, applies_when={"sim_type": "physical"})
    last = FulfilmentStepFactory(offering=offering, code="activate", sequence=40)
    skipped.depends_on.set([first])
    also.depends_on.set([skipped])
    last.depends_on.set([also, first])
    item = OrderItemFactory(offering=offering, characteristics={"sim_type": "esim", "router": False})

    plan = {step.code: step.depends_on for step in plan_for(item)}

    assert plan == {"survey": (), "activate": ("survey",)}


def test_the_expected_completion_counts_only_the_steps_planned(agent, manual_downstream):
    offering = mobile_offering()
    offering.fulfilment_steps.filter(code="ship-sim").update(expected_duration_hours=72)

    esim, physical = issued(agent, offering, "esim"), issued(agent, offering, "physical")

    assert esim.expected_completion_date < physical.expected_completion_date


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"colour": "red"}, "colour is not a setting of this offering. Its settings: sim_type."),
        ({"sim_type": "nano"}, "SIM can't be nano: choose one of physical, esim."),
        (["sim_type"], 'Write the condition as settings and values, e.g. {"sim_type": "physical"}.'),
    ],
)
def test_the_back_office_refuses_a_condition_the_offering_cannot_meet(condition, message):
    step = FulfilmentStepFactory(offering=mobile_offering(), code="courier", applies_when=condition)

    with pytest.raises(ValidationError) as refused:
        step.full_clean()

    assert refused.value.message_dict["applies_when"] == [message]


def test_a_condition_on_a_setting_and_one_of_its_values_is_accepted():
    assert condition_errors({"sim_type": "esim"}, [SIM]) == []
    assert condition_errors({}, [SIM]) == []


# --- billing after the customer's sign-off -------------------------------------------------------


def test_billing_waits_for_the_sign_off_and_starts_once_the_customer_has_signed(
    agent, customer_user, manual_downstream, run_tasks
):
    order = issued(agent, mobile_offering(signoff=True), "esim", customer=customer_user.customer)
    assert order.tasks.get(code="start-billing").waits_for_signoff

    complete(run_tasks, order, "activate-sim")

    assert order.state == OrderState.PENDING and order.awaiting_signoff
    assert order.tasks.get(code="start-billing").state == TaskState.WAITING

    run_tasks(orchestration.sign_off_delivery, order, by=customer_user, test_result="passed", accepted=True)
    order.refresh_from_db()
    assert order.state == OrderState.IN_PROGRESS and not order.awaiting_signoff
    assert order.tasks.get(code="start-billing").state == TaskState.DISPATCHED

    complete(run_tasks, order, "start-billing")
    assert order.state == OrderState.COMPLETED


def test_billing_without_sign_off_follows_activation(agent, manual_downstream, run_tasks):
    order = issued(agent, mobile_offering(signoff=False), "esim")

    complete(run_tasks, order, "activate-sim")

    assert not order.tasks.get(code="start-billing").waits_for_signoff
    assert order.tasks.get(code="start-billing").state == TaskState.DISPATCHED


def test_a_refused_delivery_holds_billing_until_the_customer_signs_again(
    agent, supervisor, customer_user, manual_downstream, run_tasks
):
    order = issued(agent, mobile_offering(signoff=True), "esim", customer=customer_user.customer)
    complete(run_tasks, order, "activate-sim")
    run_tasks(
        orchestration.sign_off_delivery,
        order,
        by=customer_user,
        test_result="failed",
        accepted=False,
        remarks="No signal",
    )
    order.refresh_from_db()
    assert order.state == OrderState.HELD

    run_tasks(fallout.resolve_fallout, order, by=supervisor, note="Mast repaired")

    order.refresh_from_db()
    assert order.state == OrderState.PENDING and order.awaiting_signoff
    assert order.tasks.get(code="start-billing").state == TaskState.WAITING


def test_the_customers_timeline_lists_billing_after_the_sign_off(agent, customer_user, manual_downstream):
    order = issued(agent, mobile_offering(signoff=True), "physical", customer=customer_user.customer)

    steps = [m.title for m in next_steps(order, open_question=None, number_of_items=1, sign_off_url="", details_url="")]

    assert steps == ["Ship SIM", "Activate SIM", "You test the service and sign off", "Start billing", "All done"]


@pytest.mark.parametrize(
    ("condition", "error"),
    [('{"sim_type": "nano"}', "SIM can't be nano: choose one of physical, esim."), ('{"sim_type": "esim"}', None)],
)
def test_the_admin_checks_a_steps_condition_against_the_offering_being_saved(client, supervisor, condition, error):
    client.force_login(supervisor)
    form = {
        "code": "mobile-plus",
        "name": "Mobile Plus",
        "category": "mobile",
        "lifecycle_status": "Launched",
        "one_off_price": "0",
        "recurring_price": "25.00",
        "currency": "GBP",
        "serviceable_technologies": "[]",
        "customer_kinds": "[]",
        "data_requirements": json.dumps([SIM]),
        "fulfilment_steps-TOTAL_FORMS": "1",
        "fulfilment_steps-INITIAL_FORMS": "0",
        "fulfilment_steps-0-sequence": "10",
        "fulfilment_steps-0-code": "download-esim",
        "fulfilment_steps-0-name": "Send the eSIM profile",
        "fulfilment_steps-0-system": "network",
        "fulfilment_steps-0-applies_when": condition,
        "fulfilment_steps-0-expected_duration_hours": "1",
    }

    response = client.post("/admin/orders/productoffering/add/", form)

    if error is None:
        assert response.status_code == 302
        step = ProductOffering.objects.get(code="mobile-plus").fulfilment_steps.get()
        assert step.applies_when == {"sim_type": "esim"}
    else:
        assert response.status_code == 200
        assert response.context["inline_admin_formsets"][0].formset.errors[0]["applies_when"] == [error]


def test_billing_held_for_the_sign_off_is_not_a_stuck_order(agent, customer_user, manual_downstream, run_tasks):
    """Another item still runs, so the order stays in progress while this item's billing waits on purpose."""
    order = issued_with(agent, customer_user, mobile_offering(signoff=True), sim_offering_without_signoff())
    complete(run_tasks, order, "activate-sim")
    held = order.tasks.get(code="start-billing", item__offering__requires_customer_signoff=True)
    assert order.state == OrderState.IN_PROGRESS and held.state == TaskState.WAITING
    long_ago = timezone.now() - dt.timedelta(hours=3)
    Order.objects.filter(pk=order.pk).update(state_entered_at=long_ago)
    order.tasks.filter(completed_at__isnull=False).update(completed_at=long_ago)

    flag_stuck_orders()

    order.refresh_from_db()
    assert (order.stuck_since, order.stuck_at) == (None, "")


def sim_offering_without_signoff():
    offering = OfferingFactory(code="router-rental", name="Router rental", requires_install_address=False)
    FulfilmentStepFactory(offering=offering, code="post-router", name="Post router", system="logistics")
    return offering


def issued_with(agent, customer_user, *offerings):
    customer = customer_user.customer
    request = record_initiating_request(customer=customer, by=agent, kind="sales_proposal")
    order = create_draft_order(customer=customer, by=agent, initiating_request=request)
    for offering in offerings:
        characteristics = {"sim_type": "esim"} if offering.code == "mobile-line" else {}
        add_item(order, by=agent, offering=offering, characteristics=characteristics)
    submit_order(order, by=agent)
    order.refresh_from_db()
    return order
