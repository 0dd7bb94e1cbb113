"""Issued orders get done: tasks from the plan, downstream progress, fallout, sign-off, installed base."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from customers.models import CreditClass, ProductStatus
from orders import selectors
from orders.fulfilment import fallout, orchestration
from orders.models import DeliverySignOff, ItemIntent, ItemState, Order, OrderState, TaskState
from orders.services import (
    add_item,
    answer_information,
    create_change_order,
    create_draft_order,
    record_initiating_request,
    request_cancellation,
    request_information,
    submit_order,
)
from tests.factories import (
    CustomerFactory,
    FulfilmentStepFactory,
    InstalledProductFactory,
    OfferingFactory,
    OrderFactory,
)

pytestmark = pytest.mark.django_db


def offering_with_plan(code="router-line", signoff=False, **fields):
    offering = OfferingFactory(
        code=code,
        name=code.replace("-", " ").title(),
        requires_install_address=False,
        requires_customer_signoff=signoff,
        **fields,
    )
    ship = FulfilmentStepFactory(offering=offering, code="ship", name="Ship equipment", sequence=10, system="logistics")
    engineer = FulfilmentStepFactory(
        offering=offering,
        code="engineer",
        name="Book engineer",
        sequence=20,
        system="field_service",
        is_point_of_no_return=True,
        expected_duration_hours=72,
    )
    activate = FulfilmentStepFactory(offering=offering, code="activate", name="Activate", sequence=30)
    billing = FulfilmentStepFactory(
        offering=offering, code="billing", name="Start billing", sequence=40, system="billing"
    )
    activate.depends_on.set([engineer])
    billing.depends_on.set([activate, ship])
    return offering


def order_for(agent, *offerings, customer=None):
    customer = customer or CustomerFactory(credit_class=CreditClass.A)
    request = record_initiating_request(customer=customer, by=agent, kind="sales_proposal")
    order = create_draft_order(customer=customer, by=agent, initiating_request=request)
    items = [add_item(order, by=agent, offering=offering) for offering in offerings]
    return order, items


def task_states(order):
    return dict(order.tasks.values_list("code", "state"))


def test_a_standard_order_is_fulfilled_and_the_customer_has_the_product(agent, run_tasks):
    order, _ = order_for(agent, offering_with_plan())

    run_tasks(submit_order, order, by=agent)

    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED
    assert set(task_states(order).values()) == {TaskState.COMPLETED}
    product = order.customer.products.get()
    assert (product.status, product.start_date) == (ProductStatus.ACTIVE, timezone.localdate())
    assert product.last_order_item == order.items.get()
    assert order.events.last().transition == "complete"
    milestones = [e.payload.get("milestone") for e in order.outbox_events.all()]
    assert "Start billing done" in milestones


def test_issuing_decomposes_items_into_the_plan_with_dependencies(agent, manual_downstream, run_tasks):
    order, _ = order_for(agent, offering_with_plan())

    run_tasks(submit_order, order, by=agent)

    assert task_states(order) == {
        "ship": "dispatched",
        "engineer": "dispatched",
        "activate": "waiting",
        "billing": "waiting",
    }
    order.refresh_from_db()
    # The critical path: engineer (72 h), then activation (24 h), then billing (24 h).
    assert order.expected_completion_date == timezone.localdate() + dt.timedelta(days=5)
    assert order.customer.products.get().status == ProductStatus.PENDING_ACTIVE


def test_a_task_waits_until_its_dependencies_are_done(agent, manual_downstream, run_tasks):
    order, _ = order_for(agent, offering_with_plan())
    run_tasks(submit_order, order, by=agent)

    run_tasks(orchestration.record_task_result, order.tasks.get(code="engineer"), succeeded=True)
    assert task_states(order)["activate"] == "dispatched"
    assert task_states(order)["billing"] == "waiting"  # still waits for shipping

    run_tasks(orchestration.record_task_result, order.tasks.get(code="activate"), succeeded=True)
    assert task_states(order)["billing"] == "waiting"
    run_tasks(orchestration.record_task_result, order.tasks.get(code="ship"), succeeded=True)
    assert task_states(order)["billing"] == "dispatched"


def test_an_item_that_relies_on_another_waits_for_it(agent, manual_downstream, run_tasks):
    line, tv = offering_with_plan("fibre-line"), offering_with_plan("tv-box")
    order, (line_item, tv_item) = order_for(agent, line, tv)
    tv_item.relies_on.set([line_item])

    run_tasks(submit_order, order, by=agent)

    dispatched = set(order.tasks.filter(state="dispatched").values_list("item_id", flat=True))
    assert dispatched == {line_item.pk}


def test_a_repeated_downstream_report_changes_nothing(agent, manual_downstream, run_tasks):
    order, _ = order_for(agent, offering_with_plan())
    run_tasks(submit_order, order, by=agent)
    ship = order.tasks.get(code="ship")

    assert run_tasks(orchestration.record_task_result, ship, succeeded=True) is True
    assert run_tasks(orchestration.record_task_result, ship, succeeded=False) is False
    assert order.tasks.get(code="ship").state == TaskState.COMPLETED


def test_a_failed_task_puts_the_order_in_fallout_and_a_retry_completes_it(agent, supervisor, settings, run_tasks):
    settings.SIMULATOR_FAILURE_RATE = 1.0
    order, _ = order_for(agent, offering_with_plan())
    run_tasks(submit_order, order, by=agent)
    order.refresh_from_db()
    assert order.state == OrderState.HELD and not order.needs_special_handling
    assert order.events.last().note.startswith("Fallout: ")
    assert order.items.get().state == ItemState.HELD

    settings.SIMULATOR_FAILURE_RATE = 0.0
    run_tasks(fallout.retry_fallout, order, by=supervisor)

    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED
    assert order.events.filter(transition="release", actor=supervisor).exists()


def test_fallout_resolved_by_giving_up_an_item_ends_partial(agent, supervisor, manual_downstream, run_tasks):
    order, _ = order_for(agent, offering_with_plan("first"), offering_with_plan("second"))
    run_tasks(submit_order, order, by=agent)
    first_item, second_item = order.items.order_by("item_id")
    for task in order.tasks.filter(item=first_item).order_by("sequence"):
        if task.state != TaskState.DISPATCHED:
            task.refresh_from_db()
        run_tasks(orchestration.record_task_result, task, succeeded=True)
    run_tasks(
        orchestration.record_task_result,
        order.tasks.get(item=second_item, code="ship"),
        succeeded=False,
        message="Courier lost the parcel",
    )
    order.refresh_from_db()
    assert order.state == OrderState.HELD

    run_tasks(fallout.resolve_fallout, order, by=supervisor, note="Customer no longer wants it", give_up=True)

    order.refresh_from_db()
    assert order.state == OrderState.PARTIAL
    assert [i.state for i in order.items.order_by("item_id")] == [ItemState.COMPLETED, ItemState.FAILED]


def test_an_agent_cannot_retry_fallout(agent, settings, run_tasks):
    settings.SIMULATOR_FAILURE_RATE = 1.0
    order, _ = order_for(agent, offering_with_plan())
    run_tasks(submit_order, order, by=agent)
    with pytest.raises(PermissionDenied):
        fallout.retry_fallout(order, by=agent)


def test_delivery_waits_for_the_customers_sign_off_then_completes(agent, customer_user, run_tasks):
    order, _ = order_for(
        agent, offering_with_plan("hosted-voice", signoff=True, offers_training=True), customer=customer_user.customer
    )
    run_tasks(submit_order, order, by=agent)
    order.refresh_from_db()
    assert order.state == OrderState.PENDING and order.awaiting_signoff
    assert order.customer.products.get().status == ProductStatus.PENDING_ACTIVE

    run_tasks(
        orchestration.sign_off_delivery,
        order,
        by=customer_user,
        test_result="passed",
        accepted=True,
        training=DeliverySignOff.Training.SCHEDULED,
        training_date=timezone.localdate() + dt.timedelta(7),
    )

    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED and not order.awaiting_signoff
    assert order.signoffs.get().training == "scheduled"
    assert order.customer.products.get().status == ProductStatus.ACTIVE


def test_a_failed_acceptance_test_goes_back_to_us(agent, customer_user, run_tasks):
    order, _ = order_for(agent, offering_with_plan("hosted-voice", signoff=True), customer=customer_user.customer)
    run_tasks(submit_order, order, by=agent)

    run_tasks(
        orchestration.sign_off_delivery,
        order,
        by=customer_user,
        test_result="failed",
        accepted=False,
        remarks="Handsets do not ring",
    )

    order.refresh_from_db()
    assert order.state == OrderState.HELD
    assert order.notes.get().text == "Acceptance test: Handsets do not ring"


def test_someone_elses_customer_cannot_sign_off(agent, customer_user, run_tasks):
    order, _ = order_for(agent, offering_with_plan("hosted-voice", signoff=True))
    run_tasks(submit_order, order, by=agent)
    with pytest.raises(PermissionDenied):
        orchestration.sign_off_delivery(order, by=customer_user, test_result="passed", accepted=True)


def test_cancellation_before_the_point_of_no_return_stops_and_undoes_the_work(agent, manual_downstream, run_tasks):
    offering = offering_with_plan()
    offering.fulfilment_steps.filter(code="engineer").update(is_point_of_no_return=False)
    order, _ = order_for(agent, offering)
    run_tasks(submit_order, order, by=agent)
    run_tasks(orchestration.record_task_result, order.tasks.get(code="ship"), succeeded=True)

    cancellation = run_tasks(request_cancellation, order, by=agent, reason="Customer moved abroad")

    order.refresh_from_db()
    assert cancellation.state == "done" and order.state == OrderState.CANCELLED
    assert task_states(order) == {
        "ship": "compensated",
        "engineer": "cancelled",
        "activate": "cancelled",
        "billing": "cancelled",
    }
    assert order.customer.products.get().status == ProductStatus.CANCELLED


def test_cancellation_after_the_point_of_no_return_is_refused(agent, manual_downstream, run_tasks):
    order, _ = order_for(agent, offering_with_plan())
    run_tasks(submit_order, order, by=agent)  # the engineer booking (point of no return) is dispatched

    cancellation = run_tasks(request_cancellation, order, by=agent, reason="Too expensive")

    order.refresh_from_db()
    assert cancellation.state == "terminatedWithError"
    assert "Book engineer" not in cancellation.refusal_reason and "point of no return" in cancellation.refusal_reason
    assert order.state == OrderState.IN_PROGRESS
    assert "cancelled" not in task_states(order).values()


@pytest.mark.parametrize(
    ("intent", "start", "end"),
    [
        (ItemIntent.SUSPEND, ProductStatus.ACTIVE, ProductStatus.SUSPENDED),
        (ItemIntent.RESUME, ProductStatus.SUSPENDED, ProductStatus.ACTIVE),
        (ItemIntent.DISCONTINUE, ProductStatus.ACTIVE, ProductStatus.TERMINATED),
    ],
)
def test_change_orders_update_the_installed_base_on_completion(agent, run_tasks, intent, start, end):
    product = InstalledProductFactory(
        customer=CustomerFactory(credit_class=CreditClass.A),
        status=start,
        offering=OfferingFactory(requires_install_address=False),
    )
    order = create_change_order(product, intent=intent, by=agent)

    run_tasks(submit_order, order, by=agent)

    product.refresh_from_db()
    assert product.status == end
    assert product.last_order_item.order == order


def test_a_transfer_moves_the_product_to_the_new_owner(agent, run_tasks):
    product = InstalledProductFactory(
        customer=CustomerFactory(credit_class=CreditClass.A), offering=OfferingFactory(requires_install_address=False)
    )
    new_owner = CustomerFactory()
    run_tasks(
        submit_order, create_change_order(product, intent="change_ownership", by=agent, new_owner=new_owner), by=agent
    )
    product.refresh_from_db()
    assert product.customer == new_owner


def test_repackaging_replaces_the_old_product_with_the_new_one(agent, run_tasks):
    old = InstalledProductFactory(
        customer=CustomerFactory(credit_class=CreditClass.A),
        offering=OfferingFactory(code="old-plan", requires_install_address=False),
    )
    new_offering = offering_with_plan("new-plan")
    order = create_change_order(old, intent="repackage", by=agent, new_offering=new_offering)

    run_tasks(submit_order, order, by=agent)

    old.refresh_from_db()
    assert old.status == ProductStatus.TERMINATED
    assert old.customer.products.get(offering=new_offering).status == ProductStatus.ACTIVE
    assert "cease-old-product" in task_states(order)


def test_a_change_applies_the_new_characteristics(agent, run_tasks):
    offering = OfferingFactory(requires_install_address=False, data_requirements=[{"name": "cap", "type": "number"}])
    product = InstalledProductFactory(
        customer=CustomerFactory(credit_class=CreditClass.A), offering=offering, characteristics={"cap": 10}
    )
    run_tasks(
        submit_order, create_change_order(product, intent="change", by=agent, characteristics={"cap": 30}), by=agent
    )
    product.refresh_from_db()
    assert product.characteristics == {"cap": 30}


def test_orders_that_will_miss_their_date_are_flagged_in_jeopardy(agent, manual_downstream, run_tasks):
    order, _ = order_for(agent, offering_with_plan())
    run_tasks(submit_order, order, by=agent)
    order.refresh_from_db()

    assert orchestration.flag_orders_in_jeopardy(today=order.expected_completion_date - dt.timedelta(days=3)) == 0
    assert orchestration.flag_orders_in_jeopardy(today=order.expected_completion_date) == 1
    order.refresh_from_db()
    assert order.in_jeopardy


def test_waiting_for_the_customer_moves_the_expected_date_and_is_counted_apart(
    agent, supervisor, manual_downstream, run_tasks
):
    order, _ = order_for(agent, offering_with_plan())
    run_tasks(submit_order, order, by=agent)
    order.refresh_from_db()
    due = order.expected_completion_date
    request_information(order, by=supervisor, question="Which door?", deadline=timezone.localdate())
    Order.objects.filter(pk=order.pk).update(state_entered_at=timezone.now() - dt.timedelta(days=2))

    run_tasks(answer_information, order, by=agent, answer="The back door")

    order.refresh_from_db()
    assert order.customer_wait_seconds >= 2 * 86400 and order.provider_wait_seconds == 0
    assert order.expected_completion_date == due + dt.timedelta(days=2)


def test_the_jeopardy_flag_and_the_back_office_filter_agree(db):
    today = dt.date(2026, 11, 23)
    due = {
        days: OrderFactory(state=OrderState.IN_PROGRESS, expected_completion_date=today + dt.timedelta(days=days))
        for days in (-3, 0, 2, 3)
    }
    OrderFactory(state=OrderState.COMPLETED, expected_completion_date=today - dt.timedelta(days=9))  # done, not late

    orchestration.flag_orders_in_jeopardy(today=today)

    flagged = set(Order.objects.filter(in_jeopardy=True).values_list("pk", flat=True))
    filtered = set(Order.objects.filter(selectors.in_jeopardy(today)).values_list("pk", flat=True))
    assert flagged == filtered == {due[-3].pk, due[0].pk, due[2].pk}
