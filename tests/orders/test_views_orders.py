"""The console's order list and order page: what they show, the actions offered, and what they refuse."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from customers.models import CreditClass
from orders.models import Order, OrderDocument, OrderState
from orders.pagination import EstimatedCountPaginator
from orders.services import (
    add_item,
    create_draft_order,
    record_initiating_request,
    request_information,
    submit_order,
    update_draft_order,
)
from tests.factories import (
    AgentFactory,
    CustomerFactory,
    CustomerUserFactory,
    OrderFactory,
    OrderItemFactory,
    SupervisorFactory,
)
from tests.selfservice_helpers import awaiting_signoff

pytestmark = pytest.mark.usefixtures("manual_downstream")


def submitted(customer, by, catalog, address, *, router="hub-6", items=1, special_requirements=""):
    request = record_initiating_request(customer=customer, by=by, kind="sales_proposal", reference="Q-9")
    order = create_draft_order(
        customer=customer, by=by, initiating_request=request, special_requirements=special_requirements
    )
    add_item(order, by=by, offering=catalog["fibre-500"], characteristics={"router": router}, install_address=address)
    for _ in range(items - 1):
        add_item(order, by=by, offering=catalog["mobile-unlimited"], characteristics={"sim_type": "esim"})
    submit_order(order, by=by)
    order.refresh_from_db()
    return order


@pytest.fixture
def in_flight(customer, agent, catalog, address):
    return submitted(customer, agent, catalog, address)


@pytest.fixture
def held(customer, agent, catalog, address):
    return submitted(customer, agent, catalog, address, special_requirements="Fit in the loft")


def detail(client, order):
    return client.get(reverse("console:order-detail", args=[order.number]))


def post(client, order, action, **data):
    return client.post(reverse(f"console:{action}", args=[order.number]), data)


def page(response) -> str:
    return response.content.decode()


# --- the order page --------------------------------------------------------------------------------


def test_the_order_page_shows_items_request_timeline_and_special_handling(client, agent, held):
    client.force_login(agent)

    response = detail(client, held)

    text = page(response)
    assert held.state == OrderState.HELD
    assert "Fibre Broadband 500" in text and "Home Hub 6 (Wi-Fi 6)" in text
    assert "Held for special handling" in text and "Special requirements: Fit in the loft" in text
    assert "Sales proposal / quote" in text and "Q-9" in text
    assert [entry.title for entry in response.context["timeline"]] == [
        "Order created",
        "Order placed",
        "Draft → Acknowledged",
        "Acknowledged → Held (waiting for us)",
    ]


def test_an_agent_is_offered_exactly_the_actions_an_agent_may_take(client, agent, held):
    client.force_login(agent)

    actions = detail(client, held).context["actions"]

    assert (actions.amend, actions.cancel, actions.feasibility, actions.note, actions.attach) == (
        True,
        True,
        True,
        True,
        True,
    )
    assert (actions.approve, actions.refuse, actions.answer, actions.continue_capture) == (False, False, False, False)
    assert "Approve" not in page(detail(client, held))


def test_a_forged_approval_by_an_agent_is_refused_and_changes_nothing(client, held):
    client.force_login(AgentFactory())

    assert post(client, held, "approve", note="looks fine").status_code == 403
    assert post(client, held, "refuse", reason="no").status_code == 403

    held.refresh_from_db()
    assert held.state == OrderState.HELD
    assert not held.events.filter(transition__in=["approve", "refuse"]).exists()


def test_a_supervisor_approves_an_order_held_for_special_handling(client, held):
    supervisor = SupervisorFactory()
    client.force_login(supervisor)
    assert detail(client, held).context["actions"].approve

    response = post(client, held, "approve", note="Loft access confirmed")

    assert response.status_code == 302
    held.refresh_from_db()
    assert held.state == OrderState.IN_PROGRESS
    assert held.events.get(transition="approve").actor == supervisor


def test_whoever_captured_an_order_is_not_offered_its_approval(client, customer, catalog, address):
    supervisor = SupervisorFactory()
    order = submitted(customer, supervisor, catalog, address, special_requirements="Loft")
    client.force_login(supervisor)

    actions = detail(client, order).context["actions"]

    assert (actions.approve, actions.four_eyes) == (False, True)
    assert post(client, order, "approve").status_code == 403


def test_a_note_is_added_and_an_empty_one_is_explained_at_the_form(client, agent, in_flight):
    client.force_login(agent)

    post(client, in_flight, "add-note", text="Customer prefers email")
    response = post(client, in_flight, "add-note", text="  ")

    assert in_flight.notes.get().text == "Customer prefers email"
    assert response.status_code == 200
    assert response.context["note_form"].errors["text"] == ["This field is required."]
    assert response.context["open_form"] == "note_form"


def test_a_cancellation_request_cancels_an_order_before_its_point_of_no_return(client, agent, in_flight):
    client.force_login(agent)

    response = post(client, in_flight, "request-cancellation", reason="Moving house")

    in_flight.refresh_from_db()
    assert in_flight.state == OrderState.CANCELLED
    assert "is cancelled" in page(client.get(response.url))


def test_a_cancellation_after_the_point_of_no_return_is_refused_with_the_reason(client, agent, in_flight):
    in_flight.items.update(point_of_no_return_at=timezone.now())
    client.force_login(agent)

    response = post(client, in_flight, "request-cancellation", reason="Moving house")

    in_flight.refresh_from_db()
    assert in_flight.state == OrderState.IN_PROGRESS
    assert "Cancellation refused: Too late to cancel" in page(client.get(response.url))
    assert not detail(client, in_flight).context["actions"].amend


def test_an_order_delivered_and_awaiting_sign_off_offers_no_cancellation_and_says_why(client, agent, customer):
    order = awaiting_signoff(customer)
    client.force_login(agent)

    response = detail(client, order)

    assert not response.context["actions"].cancel
    text = page(response)
    assert "Request cancellation" not in text
    assert "is delivered and waits for the customer" in text and "sign-off: too late to cancel it" in text
    # Posted anyway (an old page, a second tab): refused with the reason, nothing stored.
    refused = post(client, order, "request-cancellation", reason="Changed my mind")
    assert "too late to cancel it" in page(client.get(refused.url))
    order.refresh_from_db()
    assert (order.state, order.awaiting_signoff) == (OrderState.PENDING, True)
    assert not order.cancellation_requests.exists()


def test_an_order_delivered_and_awaiting_sign_off_cannot_be_amended_and_says_why(client, agent, customer):
    order = awaiting_signoff(customer)
    client.force_login(agent)

    response = detail(client, order)

    assert not response.context["actions"].amend
    text = page(response)
    assert "Amend order" not in text
    assert "Too late to amend this order: it is delivered and waits for the customer" in text
    # Posted anyway: refused with the reason, and no revision is opened.
    refused = post(client, order, "amend")
    assert "it is delivered and waits for the customer" in page(client.get(refused.url))
    assert not order.revisions.exists()


def test_a_refused_command_is_explained_instead_of_failing(client, agent, customer):
    draft = OrderFactory(customer=customer)
    client.force_login(agent)

    response = post(client, draft, "request-cancellation", reason="Changed my mind")

    assert "it cannot be cancelled now" in page(client.get(response.url))


def test_feasibility_results_are_recorded_for_the_order_or_one_item(client, agent, held):
    item = held.items.get()
    client.force_login(agent)

    post(client, held, "record-feasibility", result="feasible_with_conditions", item=item.pk, notes="Ladder needed")

    assessment = held.feasibility_assessments.get()
    assert (assessment.result, assessment.item, assessment.assessed_by) == ("feasible_with_conditions", item, agent)


def test_an_agent_answers_the_customers_question_and_the_order_carries_on(client, agent, held):
    request_information(held, by=SupervisorFactory(), question="Loft hatch size?", deadline=dt.date(2099, 1, 1))
    client.force_login(agent)
    assert detail(client, held).context["actions"].answer

    post(client, held, "answer-information", answer="60 by 60 cm")

    held.refresh_from_db()
    assert held.state == OrderState.HELD
    assert held.information_requests.get().answer == "60 by 60 cm"


def test_amending_opens_a_revision_whose_differences_are_shown_once_submitted(client, agent, in_flight):
    client.force_login(agent)

    response = post(client, in_flight, "amend")
    revision = Order.objects.get(revision_of=in_flight)
    assert response.url == reverse("console:capture", args=[revision.number, "configure"])
    item = revision.items.get()
    client.post(reverse("console:capture", args=[revision.number, "configure"]), {f"i{item.pk}-c-router": "mesh-pack"})
    client.post(reverse("console:capture", args=[revision.number, "review"]))

    in_flight.refresh_from_db()
    assert in_flight.state == OrderState.CANCELLED and in_flight.superseded_by == revision
    changes = detail(client, revision).context["differences"]
    assert [(c.label, c.before, c.after) for c in changes] == [
        ("Item 1 · Router", "Home Hub 6 (Wi-Fi 6)", "Home Hub 6 + 2 mesh discs")
    ]
    assert "Superseded by revision 2" in page(detail(client, in_flight))


def test_an_open_amendment_is_continued_rather_than_started_twice(client, agent, in_flight):
    client.force_login(agent)
    post(client, in_flight, "amend")

    actions = detail(client, in_flight).context["actions"]

    assert actions.amendment_draft is not None and not actions.amend
    assert "Continue amendment" in page(detail(client, in_flight))


def test_the_order_page_costs_the_same_queries_for_one_item_or_ten(
    client, agent, customer, catalog, address, django_assert_num_queries
):
    small = submitted(customer, agent, catalog, address)
    large = submitted(customer, agent, catalog, address, items=10)
    client.force_login(agent)
    detail(client, small)  # warm up: content types and permissions are cached per process

    # session, user, groups; the order and its items, events, outbox, feasibility, notes, questions,
    # cancellations, documents and revisions (no session write: the warm-up pushed its expiry on).
    # The permissions come from the cache.
    with django_assert_num_queries(14):
        detail(client, small)
    with django_assert_num_queries(14):
        detail(client, large)


# --- documents ----------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_signed_contract_is_attached_and_opened_again_through_the_console(client, agent, in_flight, media):
    client.force_login(agent)
    upload = SimpleUploadedFile("contract.pdf", b"%PDF-1.4 signed", content_type="application/pdf")

    post(client, in_flight, "attach-document", kind="signed_contract", file=upload, description="Signed today")

    document = in_flight.documents.get()
    assert (document.kind, document.uploaded_by, document.description) == ("signed_contract", agent, "Signed today")
    response = client.get(reverse("console:document", args=[in_flight.number, document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 signed"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/pdf"


def test_documents_are_never_served_publicly_nor_to_customers(client, agent, in_flight, media):
    document = OrderDocument.objects.create(
        order=in_flight,
        kind="other",
        file=SimpleUploadedFile("notes.txt", b"private"),
        uploaded_by=agent,
    )
    url = reverse("console:document", args=[in_flight.number, document.pk])

    assert client.get(f"/media/{document.file.name}").status_code == 404
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(CustomerUserFactory(customer=in_flight.customer))
    assert client.get(url).status_code == 403


def test_an_unsupported_file_is_refused_with_the_reason(client, agent, in_flight, media):
    client.force_login(agent)
    upload = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")

    response = post(client, in_flight, "attach-document", kind="other", file=upload)

    assert not in_flight.documents.exists()
    assert "Attach a PDF" in page(client.get(response.url))


# --- the order list ------------------------------------------------------------------------------


def list_orders(client, **filters):
    return client.get(reverse("console:order-list"), filters)


def numbers(response):
    return [order.number for order in response.context["orders"]]


def test_the_list_filters_by_state_channel_special_handling_date_and_customer(client, agent, customer):
    bob = CustomerFactory(name="Bob Hughes")
    held = OrderFactory(customer=customer, state=OrderState.HELD, needs_special_handling=True)
    retail = OrderFactory(customer=bob, channel="retail", state=OrderState.IN_PROGRESS)
    old = OrderFactory(customer=bob, state=OrderState.COMPLETED)
    Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    client.force_login(agent)

    assert numbers(list_orders(client, state="held")) == [held.number]
    assert numbers(list_orders(client, channel="retail")) == [retail.number]
    assert numbers(list_orders(client, special_handling="yes")) == [held.number]
    assert numbers(list_orders(client, special_handling="no")) == [retail.number, old.number]
    since = (timezone.now() - dt.timedelta(days=7)).date().isoformat()
    assert numbers(list_orders(client, created_from=since)) == [retail.number, held.number]
    assert numbers(list_orders(client, customer="bob")) == [retail.number, old.number]
    assert numbers(list_orders(client, customer=held.number)) == [held.number]


def test_the_list_is_paginated(client, agent, customer):
    OrderFactory.create_batch(27, customer=customer)
    client.force_login(agent)

    first, last = list_orders(client), list_orders(client, page=2)

    assert (len(first.context["orders"]), len(last.context["orders"])) == (25, 2)
    assert "page=2" in page(first)


def test_the_list_links_a_few_pages_around_the_current_one_not_every_page(client, agent, customer, monkeypatch):
    monkeypatch.setattr("ordersite.console.views.orders.ORDERS_PER_PAGE", 1)
    OrderFactory.create_batch(12, customer=customer)
    client.force_login(agent)

    html = page(list_orders(client, page=6))

    assert all(f"page={n}" in html for n in (1, 4, 5, 7, 8, 12))
    assert "page=2" not in html and "page=10" not in html and "…" in html


def test_the_list_never_counts_beyond_a_cap(client, agent, customer, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "CAP", 3)
    OrderFactory.create_batch(5, customer=customer)
    client.force_login(agent)

    response = list_orders(client, state="draft")

    assert response.context["page"].paginator.capped
    assert "more than 3 orders" in page(response)


def test_the_list_costs_the_same_queries_for_three_orders_or_thirty(client, agent, django_assert_num_queries):
    for _ in range(3):
        OrderItemFactory(order__state=OrderState.IN_PROGRESS)
    client.force_login(agent)
    list_orders(client)

    # session, user, groups, count, page (no session write: the request before pushed its expiry on)
    with django_assert_num_queries(5):
        list_orders(client, state="inProgress")
    for _ in range(27):
        OrderItemFactory(order__state=OrderState.IN_PROGRESS)
    with django_assert_num_queries(5):
        list_orders(client, state="inProgress")


# --- the console home ----------------------------------------------------------------------------


def test_the_home_shows_my_drafts_orders_waiting_on_customers_and_my_recent_orders(client, agent, held):
    draft = create_draft_order(customer=held.customer, by=agent)
    update_draft_order(draft, by=agent, description="Quote for a second line")
    request_information(held, by=SupervisorFactory(), question="Loft hatch size?", deadline=dt.date(2099, 1, 1))
    someone_elses = create_draft_order(customer=held.customer, by=AgentFactory())
    client.force_login(agent)

    response = client.get(reverse("console:agent-home"))

    assert response.context["drafts"] == [draft]
    assert someone_elses not in response.context["drafts"]
    assert [(o, o.open_question) for o in response.context["waiting"]] == [(held, "Loft hatch size?")]
    assert response.context["recent_orders"] == [held]


def test_the_home_search_finds_an_order_by_number_and_customers_by_address(client, agent, held, address):
    client.force_login(agent)

    by_number = client.get(reverse("console:agent-home"), {"q": held.number.lower()})
    by_address = client.get(reverse("console:agent-home"), {"q": "12 mill lane"})

    assert by_number.context["found_order"] == held
    assert by_address.context["recent_customers"] == [held.customer]


def test_the_home_costs_the_same_queries_however_many_orders_there_are(
    client, agent, customer, django_assert_num_queries
):
    client.force_login(agent)
    client.get(reverse("console:agent-home"))

    # session, user, groups, drafts, waiting, recent orders, customers, offerings (no session write)
    with django_assert_num_queries(8):
        client.get(reverse("console:agent-home"))
    for _ in range(10):
        OrderItemFactory(order__customer=customer, order__captured_by=agent)
        OrderItemFactory(order__customer=customer, order__captured_by=agent, order__state=OrderState.IN_PROGRESS)
    with django_assert_num_queries(8):
        client.get(reverse("console:agent-home"))


def test_the_order_page_shows_the_fulfilment_plan_and_its_progress(
    client, agent, settings, django_capture_on_commit_callbacks
):
    from orders.services import add_item, create_draft_order, record_initiating_request, submit_order
    from tests.factories import CustomerFactory, FulfilmentStepFactory, OfferingFactory

    settings.FULFILMENT_DOWNSTREAM = "manual"
    offering = OfferingFactory(requires_install_address=False)
    FulfilmentStepFactory(offering=offering, code="ship", name="Ship the router", sequence=10)
    FulfilmentStepFactory(offering=offering, code="bill", name="Start billing", sequence=20)
    customer = CustomerFactory(credit_class=CreditClass.A)
    request = record_initiating_request(customer=customer, by=agent, kind="sales_proposal")
    order = create_draft_order(customer=customer, by=agent, initiating_request=request)
    add_item(order, by=agent, offering=offering)
    with django_capture_on_commit_callbacks(execute=True):
        submit_order(order, by=agent)
    client.force_login(agent)

    page = client.get(f"/agent/orders/{order.number}/").content.decode()

    assert "Fulfilment plan" in page and "Ship the router" in page and "Sent downstream" in page
