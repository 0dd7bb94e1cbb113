"""Plain words on the console's and self-service's order pages: timelines, dates and outcomes agree with the state.

Each test drives a real order through the commands (and the simulated downstream systems) and reads the page
the agent or the customer gets.
"""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from customers.models import CreditClass
from orders.models import FeasibilityAssessment, OrderState, OutboxEvent
from orders.services import (
    add_item,
    create_draft_order,
    record_feasibility,
    record_initiating_request,
    submit_order,
)
from tests.factories import CustomerFactory, CustomerUserFactory, FulfilmentStepFactory, OfferingFactory

pytestmark = pytest.mark.django_db

TMF_EVENT_NAMES = re.compile(r"ProductOrder\w*Event|CancelProductOrder\w*Event")


def line_with_plan():
    """An offering fulfilled in four steps, one after the other: ship, engineer, activate, start billing."""
    offering = OfferingFactory(code="plain-line", name="Plain Line", requires_install_address=False)
    previous = None
    for sequence, (code, name) in enumerate(
        [
            ("ship", "Ship equipment"),
            ("engineer", "Book engineer"),
            ("activate", "Activate"),
            ("billing", "Start billing"),
        ]
    ):
        step = FulfilmentStepFactory(offering=offering, code=code, name=name, sequence=sequence * 10)
        if previous is not None:
            step.depends_on.set([previous])
        previous = step
    return offering


def fulfilled_order(agent, run_tasks, customer=None):
    """An order of `line_with_plan` submitted and fulfilled at once by the simulated downstream systems."""
    customer = customer or CustomerFactory(credit_class=CreditClass.A)
    request = record_initiating_request(customer=customer, by=agent, kind="sales_proposal")
    order = create_draft_order(customer=customer, by=agent, initiating_request=request)
    add_item(order, by=agent, offering=line_with_plan())
    run_tasks(submit_order, order, by=agent)
    order.refresh_from_db()
    return order


def console_page(client, order):
    response = client.get(reverse("console:order-detail", args=[order.number]))
    assert response.status_code == 200
    return response


# --- the timeline -----------------------------------------------------------------------------------


def test_consecutive_detail_changes_fold_into_one_timeline_entry(client, agent, run_tasks):
    order = fulfilled_order(agent, run_tasks)
    changes = order.outbox_events.filter(event_type=OutboxEvent.Type.ATTRIBUTE_VALUE_CHANGE).count()
    assert order.state == OrderState.COMPLETED and changes >= 4
    client.force_login(agent)

    entries = console_page(client, order).context["timeline"]

    folded = [entry for entry in entries if entry.kind == "folded"]
    assert sum(len(entry.folded) for entry in folded) == changes
    assert all(entry.title == f"Order details updated (×{len(entry.folded)})" for entry in folded)
    assert not any(entry.kind == "event" and entry.code == OutboxEvent.Type.ATTRIBUTE_VALUE_CHANGE for entry in entries)
    assert len(entries) < 12
    milestones = [change.note for entry in folded for change in entry.folded]
    assert "Start billing done" in milestones


def test_the_timeline_shows_no_event_type_names_except_as_a_tooltip(client, agent, run_tasks):
    order = fulfilled_order(agent, run_tasks)
    client.force_login(agent)

    html = console_page(client, order).content.decode()

    timeline = html[html.index('id="timeline"') : html.index('id="notes"')]
    visible = re.sub(r'title="[^"]*"', "", timeline)
    assert TMF_EVENT_NAMES.search(visible) is None
    assert 'title="ProductOrderAttributeValueChangeEvent"' in timeline
    assert "Order details updated (×" in timeline and "Order placed" in timeline


def test_the_customers_timeline_speaks_in_their_words(client, agent, run_tasks):
    user = CustomerUserFactory()
    order = fulfilled_order(agent, run_tasks, customer=user.customer)
    client.force_login(user)

    html = client.get(reverse("selfservice:my-order", args=[order.number])).content.decode()

    assert TMF_EVENT_NAMES.search(html) is None
    assert "All done" in html
    assert "4 steps done" in html  # one moment, not four
    assert "Ship equipment; Book engineer; Activate; Start billing." in html


# --- dates --------------------------------------------------------------------------------------------


def test_a_completed_order_shows_when_it_completed_and_no_expectation(client, agent, run_tasks):
    order = fulfilled_order(agent, run_tasks)
    assert order.expected_completion_date is not None
    client.force_login(agent)

    html = console_page(client, order).content.decode()

    assert "Expected completion" not in html and "Expected " not in html
    completed = timezone.localtime(order.completed_at)
    assert f"<dt>Completed</dt><dd>{completed:%-d %b %Y %H:%M}</dd>" in html
    assert f"Completed {completed:%-d %b %Y}</span>" in html  # the fulfilment plan's heading


def test_an_order_in_flight_still_shows_its_expected_completion(client, agent, manual_downstream, run_tasks):
    customer = CustomerFactory(credit_class=CreditClass.A)
    request = record_initiating_request(customer=customer, by=agent, kind="sales_proposal")
    order = create_draft_order(customer=customer, by=agent, initiating_request=request)
    add_item(order, by=agent, offering=line_with_plan())
    run_tasks(submit_order, order, by=agent)
    order.refresh_from_db()
    client.force_login(agent)

    html = console_page(client, order).content.decode()

    assert order.state == OrderState.IN_PROGRESS
    assert f"<dt>Expected completion</dt><dd>{order.expected_completion_date:%-d %b %Y}</dd>" in html


# --- outcomes agree with the state --------------------------------------------------------------------


def outcome_page(client, order) -> str:
    response = client.get(reverse("console:outcome", args=[order.number]))
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('class="card card-section outcome') : html.index('id="outcome-items-title"')]


def held_order(agent, special_requirements="Ring the bell twice"):
    """A standard product with a harmless note in special requirements: held for special handling."""
    customer = CustomerFactory(credit_class=CreditClass.A)
    request = record_initiating_request(customer=customer, by=agent, kind="sales_proposal")
    order = create_draft_order(
        customer=customer, by=agent, initiating_request=request, special_requirements=special_requirements
    )
    add_item(order, by=agent, offering=line_with_plan())
    submit_order(order, by=agent)
    order.refresh_from_db()
    return order


def test_an_order_completed_at_once_says_completed_not_issued(client, agent, run_tasks):
    order = fulfilled_order(agent, run_tasks)
    client.force_login(agent)

    panel = outcome_page(client, order)

    assert '<h2 id="outcome-title" class="outcome-title">Completed</h2>' in panel
    assert "Issued" not in panel and "tone-panel-success" in panel
    assert "badge-tone-success" in panel and ">Completed</span>" in panel


def test_an_order_in_progress_says_issued(client, agent, manual_downstream, run_tasks):
    customer = CustomerFactory(credit_class=CreditClass.A)
    request = record_initiating_request(customer=customer, by=agent, kind="sales_proposal")
    order = create_draft_order(customer=customer, by=agent, initiating_request=request)
    add_item(order, by=agent, offering=line_with_plan())
    run_tasks(submit_order, order, by=agent)
    client.force_login(agent)

    panel = outcome_page(client, order)

    assert '<h2 id="outcome-title" class="outcome-title">Issued</h2>' in panel
    assert "tone-panel-info" in panel and "badge-tone-info" in panel


def test_a_held_order_says_so_in_the_held_tone_never_green(client, agent):
    order = held_order(agent)
    client.force_login(agent)

    panel = outcome_page(client, order)

    assert '<h2 id="outcome-title" class="outcome-title">Held for special handling</h2>' in panel
    assert "Special requirements: Ring the bell twice" in panel
    assert "tone-panel-warning" in panel and "tone-panel-success" not in panel


def test_the_review_panel_announcing_a_hold_is_in_the_held_tone(client, agent):
    customer = CustomerFactory(credit_class=CreditClass.A)
    request = record_initiating_request(customer=customer, by=agent, kind="sales_proposal")
    order = create_draft_order(
        customer=customer, by=agent, initiating_request=request, special_requirements="Ring the bell twice"
    )
    add_item(order, by=agent, offering=line_with_plan())
    client.force_login(agent)

    html = client.get(reverse("console:capture", args=[order.number, "review"])).content.decode()

    assert "tone-panel-warning" in html and "tone-panel-success" not in html and "tone-panel-info" not in html
    assert "Ready to submit: it will be held for review" in html
    assert "No positive feasibility assessment on record." in html


def test_the_review_panel_of_a_standard_order_is_in_the_issued_tone(client, agent):
    customer = CustomerFactory(credit_class=CreditClass.A)
    request = record_initiating_request(customer=customer, by=agent, kind="sales_proposal")
    order = create_draft_order(customer=customer, by=agent, initiating_request=request)
    add_item(order, by=agent, offering=line_with_plan())
    client.force_login(agent)

    html = client.get(reverse("console:capture", args=[order.number, "review"])).content.decode()

    assert "tone-panel-info" in html and "issued at once" in html and "held" not in html.lower().split("<main")[-1]


# --- held reasons recomputed from the facts ------------------------------------------------------------


def test_after_feasibility_is_recorded_the_held_reason_no_longer_asks_for_it(client, agent):
    order = held_order(agent)
    client.force_login(agent)
    assert "No positive feasibility assessment on record." in console_page(client, order).content.decode()

    record_feasibility(order, by=agent, result=FeasibilityAssessment.Result.FEASIBLE, notes="Bell works.")

    order.refresh_from_db()
    assert order.state == OrderState.HELD and order.needs_special_handling
    assert "No positive feasibility assessment on record." in order.special_handling_reasons  # stored, stale
    html = console_page(client, order).content.decode()
    assert "No positive feasibility assessment on record." not in html
    assert "Special requirements: Ring the bell twice" in html
    assert f"Feasibility assessed positively on {timezone.localdate():%-d %b %Y}" in html


def test_the_review_queue_recomputes_the_reasons_too(client, agent, supervisor):
    order = held_order(agent)
    record_feasibility(order, by=agent, result=FeasibilityAssessment.Result.FEASIBLE)
    supervisor.is_staff = True
    supervisor.save()
    client.force_login(supervisor)

    queue = client.get(reverse("admin:orders_specialhandlingreview_changelist")).content.decode()
    change = client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()

    assert "Special requirements: Ring the bell twice" in queue
    assert "No positive feasibility assessment on record." not in queue
    assert "Feasibility assessed positively on" in queue
    assert "No positive feasibility assessment on record." not in change


# --- searching an order number -------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["console:agent-home", "console:capture-start"])
def test_searching_an_order_number_finds_its_customer_and_offers_no_new_customer(client, agent, url):
    order = held_order(agent)
    client.force_login(agent)

    html = client.get(reverse(url), {"q": order.number}).content.decode()

    # escape: generated names such as "Seán O'Neill" are written as HTML entities
    assert escape(order.customer.name) in html and order.customer.number in html
    assert "No customer matches" not in html and "empty-state" not in html


@pytest.mark.parametrize("url", ["console:agent-home", "console:capture-start"])
def test_creating_a_customer_is_offered_when_nothing_matched(client, agent, url):
    client.force_login(agent)

    html = client.get(reverse(url), {"q": "Zebedee Quux"}).content.decode()

    empty = html[html.index("empty-state") :]
    assert "No customer matches “Zebedee Quux”" in empty
    assert f'href="{reverse("console:customer-create")}"' in empty[: empty.index("</div>")]
