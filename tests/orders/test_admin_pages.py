"""The back office reads like a product: labels not JSON, no empty sections, one date format, people's names,
transitions in words, refusing confirmed first, feasibility never preselected, queue counts on the index, and
order pages whose queries do not grow with what they show."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from orders.models import (
    FeasibilityAssessment,
    FulfilmentTask,
    InformationRequest,
    Order,
    OrderEvent,
    OrderNote,
    OrderState,
    OutboxEvent,
)
from tests.factories import CustomerFactory, OfferingFactory, OrderFactory, OrderItemFactory, SupervisorFactory

pytestmark = pytest.mark.django_db

S = OrderState
QUEUE = "/admin/orders/specialhandlingreview/"
HANDSETS = {
    "name": "handsets",
    "label": "Handsets",
    "type": "group",
    "fields": [{"name": "extension", "label": "Extension", "type": "text"}],
}
ROUTER = {
    "name": "router",
    "label": "Router model",
    "type": "choice",
    "choices": [{"value": "hub-6", "label": "Home Hub 6"}, {"value": "mesh", "label": "Mesh pack"}],
}


def held_order(**fields) -> Order:
    offering = OfferingFactory(name="Business phone system", data_requirements=[ROUTER, HANDSETS])
    order = OrderFactory(
        state=S.HELD,
        needs_special_handling=True,
        special_handling_reasons=["Bespoke item 1: Business phone system"],
        **fields,
    )
    OrderItemFactory(
        order=order,
        offering=offering,
        is_bespoke=True,
        characteristics={"router": "hub-6", "handsets": [{"extension": "201"}, {"extension": "202"}]},
    )
    return order


@pytest.fixture
def jo(db):
    return SupervisorFactory(username="jo.s", first_name="Jo", last_name="Supervisor")


def page(client, user, order):
    client.force_login(user)
    response = client.get(f"{QUEUE}{order.pk}/change/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_configuration_shows_the_requirement_labels_not_json(client, jo):
    html = page(client, jo, held_order())

    assert "Router model:" in html and "Home Hub 6" in html
    assert "Handsets" in html and "2 handsets" in html and "Handset 1" in html and "Extension: 201" in html
    assert '"router"' not in html and "hub-6" not in html


def test_sections_with_nothing_in_them_are_left_out(client, jo):
    html = page(client, jo, held_order())

    # This order has items and a history; no tasks, notes, questions, cancellations, documents, sign-offs,
    # assessments or revisions: those sections are not on the page, nor are empty fields.
    assert "Items" in html or "items" in html
    for absent in (
        "fulfilment tasks",
        "questions to the customer",
        "cancellation requests",
        "documents",
        "delivery sign-offs",
        "feasibility assessments",
        "revisions of this order",
        "Special requirements",
        "Requested start",
    ):
        assert absent not in html, absent


def test_every_date_on_the_order_page_has_one_format(client, jo):
    order = held_order(requested_start_date=dt.date(2026, 3, 9))
    moment = timezone.make_aware(dt.datetime(2026, 2, 3, 14, 5))
    Order.objects.filter(pk=order.pk).update(created_at=moment, submitted_at=moment)
    OrderNote.objects.create(order=order, author=jo, text="Checked the site plan.")
    OrderNote.objects.filter(order=order).update(created_at=moment)

    html = page(client, jo, order)

    assert html.count("3 Feb 2026 14:05") >= 3  # created, submitted, the note
    assert "9 Mar 2026" in html
    # No other way of writing a date in what a person reads (a date input's value is ISO, for the browser):
    # "Feb. 3, 2026", "03/02/2026", "2026-02-03", "2 p.m.".
    text = re.sub(r"<[^>]+>", " ", html)
    assert not re.search(r"\b\w{3}\. \d{1,2}, \d{4}|\d{2}/\d{2}/\d{4}|\d{4}-\d{2}-\d{2}\b|[ap]\.m\.", text)


def test_people_are_named_and_transitions_said_in_words(client, jo):
    order = held_order(captured_by=SupervisorFactory(username="sam.t", first_name="Sam", last_name="Taylor"))
    OrderEvent.objects.create(
        order=order, transition="hold_for_special_handling", from_state=S.ACKNOWLEDGED, to_state=S.HELD, actor=jo
    )
    OrderNote.objects.create(order=order, author=SupervisorFactory(username="nameless"), text="A note.")

    html = page(client, jo, order)

    assert "Held for special handling" in html and "hold_for_special_handling" not in html
    assert "Sam Taylor" in html and "sam.t" not in html
    assert "Jo Supervisor" in html
    assert "nameless" in html  # no name recorded: the username stands in


def test_refusing_asks_for_confirmation_showing_what_the_customer_reads_and_changes_nothing(client, jo):
    order = held_order()
    client.force_login(jo)

    response = client.post(f"{QUEUE}{order.pk}/refuse/", {"refuse-reason": "No second path reaches the site."})

    assert response.status_code == 200
    html = response.content.decode()
    assert f"Refuse {order.number} and cancel it?" in html
    assert "What the customer will read" in html
    assert "Refused: No second path reaches the site." in html
    assert 'name="confirmed" value="yes"' in html and 'name="refuse-reason"' in html
    order.refresh_from_db()
    assert order.state == S.HELD
    assert not order.events.exists() and not order.notes.exists()


def test_confirming_the_refusal_cancels_the_order_and_tells_the_customer(client, jo):
    order = held_order()
    client.force_login(jo)

    response = client.post(
        f"{QUEUE}{order.pk}/refuse/", {"refuse-reason": "No second path reaches the site.", "confirmed": "yes"}
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == S.CANCELLED
    note = order.notes.get()
    assert (note.text, note.customer_visible) == ("Refused: No second path reaches the site.", True)


def test_the_feasibility_result_is_not_preselected_and_is_required(client, jo):
    order = held_order()
    html = page(client, jo, order)

    select = re.search(r'<select name="feasibility-result"[^>]*>(.*?)</select>', html, re.S)
    assert select and "required" in select.group(0)
    assert re.search(r'<option value="" selected>', select.group(1))
    assert select.group(1).count("selected") == 1

    response = client.post(f"{QUEUE}{order.pk}/feasibility/", {"feasibility-notes": "no result"})
    assert response.status_code == 302
    assert not FeasibilityAssessment.objects.filter(order=order).exists()


def test_the_index_shows_each_queue_count_in_constant_queries(client, jo, django_assert_num_queries):
    client.force_login(jo)
    held_order()
    client.get("/admin/")

    # Every page's 3 (session, user, groups; no session write right after another request), one count
    # per queue, the hand-off panel's 5.
    with django_assert_num_queries(3 + 3 + 5) as captured:
        response = client.get("/admin/")
    html = response.content.decode()
    assert re.search(r"Special-handling review</dt>\s*<dd><a href=\"/admin/orders/specialhandlingreview/\">1</a>", html)
    assert re.search(r"Fallout</dt>\s*<dd><a href=\"/admin/orders/fallout/\">0</a>", html)
    assert re.search(r"Stuck orders</dt>\s*<dd><a href=\"/admin/orders/stuckorder/\">0</a>", html)
    queries = len(captured)

    for _ in range(4):
        held_order(customer=CustomerFactory())
    with django_assert_num_queries(queries):
        response = client.get("/admin/")
    assert '<a href="/admin/orders/specialhandlingreview/">5</a>' in response.content.decode()


@pytest.mark.parametrize("queue", ["specialhandlingreview", "order"])
def test_the_order_page_costs_the_same_queries_with_more_to_show(client, jo, django_assert_max_num_queries, queue):
    order = held_order()
    client.force_login(jo)
    url = f"/admin/orders/{queue}/{order.pk}/change/"
    client.get(url)
    with django_assert_max_num_queries(30) as captured:
        client.get(url)
    few = len(captured)

    for index in range(20):
        OrderItemFactory(order=order, characteristics={"handsets": [{"extension": str(300 + index)}]})
        OrderNote.objects.create(order=order, author=SupervisorFactory(), text=f"note {index}")
        FeasibilityAssessment.objects.create(order=order, result="feasible", assessed_by=SupervisorFactory())
        OrderEvent.objects.create(
            order=order, transition="hold", from_state=S.IN_PROGRESS, to_state=S.HELD, actor=SupervisorFactory()
        )
    with django_assert_max_num_queries(few):
        client.get(url)


def test_the_lists_and_the_customer_pages_write_dates_the_same_way(client, jo):
    moment = timezone.make_aware(dt.datetime(2026, 2, 3, 14, 5))
    customer = CustomerFactory()
    type(customer).objects.filter(pk=customer.pk).update(created_at=moment)
    OrderFactory(customer=customer, state=S.IN_PROGRESS, expected_completion_date=dt.date(2026, 3, 9))
    client.force_login(jo)

    customer_page = client.get(f"/admin/customers/customer/{customer.pk}/change/").content.decode()
    order_list = client.get("/admin/orders/order/").content.decode()

    assert "3 Feb 2026 14:05" in customer_page
    assert "9 Mar 2026" in order_list
    for html in (customer_page, order_list):
        text = re.sub(r"<[^>]+>", " ", html)
        assert not re.search(r"\b\w{3}\. \d{1,2}, \d{4}|\d{2}/\d{2}/\d{4}|[ap]\.m\.", text)


def test_a_finished_order_says_when_it_ended_instead_of_when_it_was_expected(client, jo):
    ended = timezone.now() - dt.timedelta(days=3)
    order = OrderFactory(
        state=S.COMPLETED,
        completed_at=ended,
        state_entered_at=ended,
        expected_completion_date=timezone.localdate() + dt.timedelta(days=4),
    )
    client.force_login(jo)

    html = client.get(f"/admin/orders/order/{order.pk}/change/").content.decode()

    assert "Expected completion" not in html
    assert re.search(rf"<dt>Completed</dt><dd>{timezone.localtime(ended):%-d %b %Y}</dd>", html)

    Order.objects.filter(pk=order.pk).update(state=S.IN_PROGRESS)
    assert "Expected completion" in client.get(f"/admin/orders/order/{order.pk}/change/").content.decode()


@pytest.mark.parametrize(
    ("queue", "needs_special_handling"),
    [("order", True), ("specialhandlingreview", True), ("fallout", False)],
)
def test_each_back_office_order_page_costs_the_same_queries_however_long_its_record(
    client, jo, django_assert_max_num_queries, queue, needs_special_handling
):
    """Tasks, published events and questions too: each read-only section is one query, never one a row."""
    order = OrderFactory(state=S.HELD, needs_special_handling=needs_special_handling)
    first = OrderItemFactory(order=order)
    client.force_login(jo)
    url = f"/admin/orders/{queue}/{order.pk}/change/"
    assert client.get(url).status_code == 200
    with django_assert_max_num_queries(30) as captured:
        client.get(url)
    few = len(captured)

    for index in range(15):
        item = OrderItemFactory(order=order, characteristics={"handsets": [{"extension": str(300 + index)}]})
        FulfilmentTask.objects.create(order=order, item=item, code=f"step-{index}", name=f"Step {index}", system="crm")
        OutboxEvent.objects.create(order=order, event_type=OutboxEvent.Type.STATE_CHANGE, payload={"n": index})
        InformationRequest.objects.create(
            order=order, question=f"Question {index}?", deadline=dt.date(2030, 1, 1), asked_by=SupervisorFactory()
        )
        OrderNote.objects.create(order=order, author=SupervisorFactory(), text=f"note {index}")
        OrderEvent.objects.create(
            order=order, item=first, transition="hold", from_state=S.IN_PROGRESS, to_state=S.HELD, actor=jo
        )
    with django_assert_max_num_queries(few):
        response = client.get(url)
    html = response.content.decode()
    assert html.count('class="field-question"') == 15
    assert "Step 14" in html and "note 14" in html
