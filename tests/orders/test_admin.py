"""The supervisors' back office: order tracking, the review queue, fallout, decisions through the services."""

import datetime as dt
import threading

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orders.admin.queues import SpecialHandlingReview
from orders.fulfilment import orchestration
from orders.models import (
    FeasibilityAssessment,
    InformationRequest,
    Order,
    OrderEvent,
    OrderNote,
    OrderState,
    OutboxEvent,
    TaskState,
)
from orders.pagination import EstimatedCountPaginator
from orders.services import approve_special_handling, record_initiating_request, submit_order
from orders.services.submission import held_reasons
from tests.factories import (
    AgentFactory,
    CustomerFactory,
    FulfilmentStepFactory,
    OfferingFactory,
    OrderFactory,
    OrderItemFactory,
    SupervisorFactory,
)

pytestmark = pytest.mark.django_db

S = OrderState
ORDERS = "/admin/orders/order/"
QUEUE = "/admin/orders/specialhandlingreview/"
FALLOUT = "/admin/orders/fallout/"

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent connections and row locks (PostgreSQL)"
)


def held_order(**fields) -> Order:
    order = OrderFactory(
        state=S.HELD,
        needs_special_handling=True,
        special_handling_reasons=["Bespoke item 1: Managed SD-WAN", "No positive feasibility assessment on record."],
        **fields,
    )
    # The reasons shown are recomputed from the items and assessments; the stored ones are what submitting said.
    OrderItemFactory(order=order, is_bespoke=True, offering__name="Managed SD-WAN")
    return order


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def decisions_offered(client, url) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return [d["decision"].slug for d in response.context["decisions"] if not d["blocked"]]


# --- decisions -----------------------------------------------------------------------------------


def test_a_supervisor_approves_a_held_order_and_it_is_issued_with_a_history_row(client, supervisor):
    order = held_order()
    client.force_login(supervisor)

    response = client.post(f"{ORDERS}{order.pk}/approve/", {"approve-note": "Site survey fine."})

    assert response.status_code == 302
    assert response["Location"] == f"{ORDERS}{order.pk}/change/"
    order.refresh_from_db()
    assert order.state == S.IN_PROGRESS
    event = order.events.get()
    assert (event.transition, event.actor, event.note) == ("approve", supervisor, "Site survey fine.")
    assert messages_of(response) == [f"{order.number} approved and issued for fulfilment."]


def test_approving_from_the_review_queue_goes_back_to_the_queue(client, supervisor):
    order = held_order()
    client.force_login(supervisor)

    response = client.post(f"{QUEUE}{order.pk}/approve/", {"approve-note": ""})

    assert response["Location"] == QUEUE
    assert Order.objects.get(pk=order.pk).state == S.IN_PROGRESS
    assert order.events.get().note == "Special handling approved."


def test_a_supervisor_refuses_a_held_order_with_the_reason(client, supervisor):
    order = held_order()
    client.force_login(supervisor)

    response = client.post(
        f"{QUEUE}{order.pk}/refuse/", {"refuse-reason": "No fibre reaches the depot.", "confirmed": "yes"}
    )

    assert response["Location"] == QUEUE
    order.refresh_from_db()
    assert order.state == S.CANCELLED
    assert order.events.get().transition == "refuse"
    assert OrderNote.objects.get(order=order).text == "Refused: No fibre reaches the depot."


def test_refusing_without_a_reason_is_refused_and_changes_nothing(client, supervisor):
    order = held_order()
    client.force_login(supervisor)

    response = client.post(f"{QUEUE}{order.pk}/refuse/", {"refuse-reason": "  "})

    assert response["Location"] == f"{QUEUE}{order.pk}/change/"
    assert messages_of(response) == ["Refuse the order: Reason (the customer sees it): This field is required."]
    assert Order.objects.get(pk=order.pk).state == S.HELD
    assert not order.events.exists()


def test_a_supervisor_asks_the_customer_and_the_order_waits_in_pending(client, supervisor):
    order = held_order()
    deadline = timezone.localdate() + dt.timedelta(days=5)
    client.force_login(supervisor)

    response = client.post(
        f"{QUEUE}{order.pk}/ask/", {"ask-question": "Which floor is the comms room on?", "ask-deadline": deadline}
    )

    assert response["Location"] == QUEUE
    order.refresh_from_db()
    assert order.state == S.PENDING
    asked = InformationRequest.objects.get(order=order)
    assert (asked.question, asked.deadline, asked.asked_by) == (
        "Which floor is the comms room on?",
        deadline,
        supervisor,
    )
    assert order.outbox_events.filter(event_type=OutboxEvent.Type.INFORMATION_REQUIRED).exists()


def test_a_question_with_a_deadline_in_the_past_is_refused(client, supervisor):
    order = held_order()
    client.force_login(supervisor)

    response = client.post(
        f"{ORDERS}{order.pk}/ask/",
        {"ask-question": "Which floor?", "ask-deadline": timezone.localdate() - dt.timedelta(days=1)},
    )

    assert messages_of(response) == ["Ask the customer: Answer by: The deadline cannot be in the past."]
    assert Order.objects.get(pk=order.pk).state == S.HELD
    assert not InformationRequest.objects.exists()


def test_a_supervisor_records_feasibility_and_the_order_stays_in_the_queue(client, supervisor):
    order = held_order()
    client.force_login(supervisor)

    response = client.post(
        f"{QUEUE}{order.pk}/feasibility/", {"feasibility-result": "feasible", "feasibility-notes": "Duct is free."}
    )

    assert response["Location"] == f"{QUEUE}{order.pk}/change/"
    assessment = FeasibilityAssessment.objects.get(order=order)
    assert (assessment.result, assessment.notes, assessment.assessed_by) == ("feasible", "Duct is free.", supervisor)
    assert Order.objects.get(pk=order.pk).state == S.HELD
    assert client.get(QUEUE).context["cl"].result_list[0].latest_feasibility == "feasible"


def test_a_supervisor_adds_a_note_the_customer_can_see(client, supervisor):
    order = held_order()
    client.force_login(supervisor)

    client.post(f"{ORDERS}{order.pk}/note/", {"note-text": "Called the site manager.", "note-customer_visible": "on"})

    note = OrderNote.objects.get(order=order)
    assert (note.text, note.author, note.customer_visible) == ("Called the site manager.", supervisor, True)


def test_the_order_page_offers_exactly_what_the_state_and_permissions_allow(client, supervisor):
    client.force_login(supervisor)
    held = held_order()
    in_progress = OrderFactory(state=S.IN_PROGRESS)
    completed = OrderFactory(state=S.COMPLETED)

    assert decisions_offered(client, f"{ORDERS}{held.pk}/change/") == [
        "feasibility",
        "approve",
        "refuse",
        "ask",
        "note",
    ]
    assert decisions_offered(client, f"{ORDERS}{in_progress.pk}/change/") == ["ask", "note"]
    assert decisions_offered(client, f"{ORDERS}{completed.pk}/change/") == ["note"]


def test_the_order_page_shows_the_special_handling_reasons_and_the_order_read_only(client, supervisor):
    order = held_order()
    client.force_login(supervisor)

    response = client.get(f"{QUEUE}{order.pk}/change/")

    content = response.content.decode()
    assert "Held for special handling because" in content
    assert "Bespoke item 1: Managed SD-WAN" in content
    assert 'name="_save"' not in content  # nothing on the page edits the order itself
    assert not response.context["adminform"].form.fields


def test_whoever_captured_an_order_cannot_approve_it(client, supervisor):
    order = held_order(captured_by=supervisor)
    client.force_login(supervisor)

    response = client.get(f"{ORDERS}{order.pk}/change/")
    approve = next(d for d in response.context["decisions"] if d["decision"].slug == "approve")
    assert "four eyes" in approve["blocked"]

    response = client.post(f"{ORDERS}{order.pk}/approve/", {"approve-note": ""})
    assert messages_of(response) == ["Whoever captured an order cannot approve it (four eyes)."]
    assert Order.objects.get(pk=order.pk).state == S.HELD
    assert not order.events.exists()


# --- who may ---------------------------------------------------------------------------------------


def test_an_agent_is_offered_no_review_decision(client, staff_agent):
    order = held_order()
    client.force_login(staff_agent)

    assert decisions_offered(client, f"{ORDERS}{order.pk}/change/") == ["feasibility", "note"]


@pytest.mark.parametrize(
    ("slug", "data"),
    [
        ("approve", {"approve-note": "forged"}),
        ("refuse", {"refuse-reason": "forged"}),
        ("ask", {"ask-question": "forged?", "ask-deadline": "2099-01-01"}),
    ],
)
def test_a_forged_decision_from_an_agent_is_refused_and_changes_nothing(client, staff_agent, slug, data):
    order = held_order()
    client.force_login(staff_agent)

    response = client.post(f"{ORDERS}{order.pk}/{slug}/", data)

    assert response.status_code == 403
    assert Order.objects.get(pk=order.pk).state == S.HELD
    assert not order.events.exists()
    assert not order.outbox_events.exists()


def test_a_decision_from_someone_without_back_office_access_goes_to_the_login(client, agent):
    order = held_order()
    client.force_login(agent)

    response = client.post(f"{ORDERS}{order.pk}/approve/", {"approve-note": "forged"})

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert Order.objects.get(pk=order.pk).state == S.HELD


def test_agents_cannot_open_the_queues(client, staff_agent):
    client.force_login(staff_agent)
    assert client.get(QUEUE).status_code == 403
    assert client.get(FALLOUT).status_code == 403
    assert client.get(ORDERS).status_code == 200  # agents follow orders; they just cannot decide


def test_decisions_are_post_only(client, supervisor):
    order = held_order()
    client.force_login(supervisor)
    assert client.get(f"{ORDERS}{order.pk}/approve/").status_code == 405
    assert Order.objects.get(pk=order.pk).state == S.HELD


def test_orders_cannot_be_added_edited_or_deleted_in_the_admin(client, supervisor):
    order = held_order()
    client.force_login(supervisor)
    assert client.get(f"{ORDERS}add/").status_code == 403
    assert client.post(f"{ORDERS}{order.pk}/change/", {"state": S.IN_PROGRESS}).status_code == 403
    assert client.post(f"{ORDERS}{order.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Order.objects.get(pk=order.pk).state == S.HELD


# --- two supervisors at once -------------------------------------------------------------------------


def test_approving_an_order_another_supervisor_already_approved_shows_a_conflict(client, supervisor):
    order = held_order()
    client.force_login(supervisor)
    assert "approve" in decisions_offered(client, f"{QUEUE}{order.pk}/change/")  # the page is open...
    approve_special_handling(order, by=SupervisorFactory(), note="Mine.")  # ...when someone else decides

    response = client.post(f"{QUEUE}{order.pk}/approve/", {"approve-note": "Also mine."})

    assert messages_of(response) == [
        f"{order.number} has moved on since you opened it: it is now in progress. Nothing was changed."
    ]
    assert response["Location"] == f"{ORDERS}{order.pk}/change/"  # it left the queue: its tracking page
    assert list(order.events.values_list("transition", "note")) == [("approve", "Mine.")]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_supervisors_approving_at_once_issue_the_order_once_and_one_sees_a_conflict():
    order = held_order()
    clients = []
    for _ in range(2):
        browser = Client()
        browser.force_login(SupervisorFactory())
        clients.append(browser)
    barrier = threading.Barrier(2)
    outcomes: list = [None, None]

    def approve(index):
        try:
            barrier.wait(timeout=10)
            response = clients[index].post(f"{QUEUE}{order.pk}/approve/", {"approve-note": f"Supervisor {index}"})
            outcomes[index] = (response.status_code, messages_of(response))
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert [status for status, _ in outcomes] == [302, 302]
    texts = sorted(text for _, messages in outcomes for text in messages)
    assert texts == [
        f"{order.number} approved and issued for fulfilment.",
        f"{order.number} has moved on since you opened it: it is now in progress. Nothing was changed.",
    ]
    assert Order.objects.get(pk=order.pk).state == S.IN_PROGRESS
    assert OrderEvent.objects.filter(order=order, transition="approve").count() == 1


# --- the lists -----------------------------------------------------------------------------------------


def test_the_review_queue_lists_held_orders_oldest_first_with_their_reasons(client, supervisor):
    newer, older = held_order(), held_order()
    Order.objects.filter(pk=older.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    OrderFactory(state=S.HELD, needs_special_handling=False)  # fallout, not review
    OrderFactory(state=S.IN_PROGRESS)
    client.force_login(supervisor)

    response = client.get(QUEUE)

    assert [o.pk for o in response.context["cl"].result_list] == [older.pk, newer.pk]
    assert "Bespoke item 1: Managed SD-WAN" in response.content.decode()


def test_the_review_queue_gives_the_reasons_the_order_page_gives_whatever_the_facts(client, supervisor):
    """The queue reads the facts as plain values (with_held_reasons), the order page as models: same rules."""
    plain = held_order()
    needing_feasibility = held_order(special_requirements="Ring the bell twice")
    OrderItemFactory(order=needing_feasibility, offering__name="Leased line", offering__requires_feasibility=True)
    OrderItemFactory(order=needing_feasibility, offering__name="Handset")
    assessed = held_order()
    FeasibilityAssessment.objects.create(
        order=assessed, result="feasible_with_conditions", assessed_by=supervisor, assessed_at=timezone.now()
    )
    refused_since = held_order()
    FeasibilityAssessment.objects.create(
        order=refused_since, result="feasible", assessed_by=supervisor, assessed_at=timezone.now() - dt.timedelta(1)
    )
    FeasibilityAssessment.objects.create(
        order=refused_since, result="not_feasible", assessed_by=supervisor, assessed_at=timezone.now()
    )
    unknown_offering = held_order()
    OrderItemFactory(order=unknown_offering, offering=None, requested_offering="retired-pbx", is_bespoke=True)
    client.force_login(supervisor)

    listed = {order.pk: order.held_reasons for order in client.get(QUEUE).context["cl"].result_list}

    for order in (plain, needing_feasibility, assessed, refused_since, unknown_offering):
        assert listed[order.pk] == held_reasons(Order.objects.get(pk=order.pk)), order
    assert listed[needing_feasibility.pk] == [
        "Special requirements: Ring the bell twice",
        "Bespoke item 1: Managed SD-WAN",
        "Item needing feasibility 2: Leased line",
        "No positive feasibility assessment on record.",
    ]
    assert listed[assessed.pk][-1].startswith("Feasibility assessed positively on")
    assert listed[refused_since.pk][-1] == "No positive feasibility assessment on record."
    assert listed[unknown_offering.pk][1] == "Bespoke item 2: retired-pbx"


def test_the_fallout_queue_lists_orders_held_by_fulfilment_with_what_failed(client, supervisor, settings):
    order = fallout_order(settings)
    held_order()  # special handling, not fallout
    client.force_login(supervisor)

    response = client.get(FALLOUT)

    assert [o.pk for o in response.context["cl"].result_list] == [order.pk]
    assert "Courier lost the parcel" in response.content.decode()
    assert "Fallout: fulfilment stopped" in client.get(f"{FALLOUT}{order.pk}/change/").content.decode()


def test_a_supervisor_retries_fallout_from_the_admin(client, supervisor, settings):
    order = fallout_order(settings)
    client.force_login(supervisor)
    assert decisions_offered(client, f"{FALLOUT}{order.pk}/change/") == ["retry", "resolve", "ask", "note"]

    response = client.post(f"{FALLOUT}{order.pk}/retry/", {"retry-note": ""})

    assert response["Location"] == FALLOUT
    order.refresh_from_db()
    assert order.state == S.IN_PROGRESS
    assert order.events.filter(transition="release", actor=supervisor).exists()
    assert not order.tasks.filter(state=TaskState.FAILED).exists()


def test_resolving_fallout_needs_to_say_how(client, supervisor, settings):
    order = fallout_order(settings)
    client.force_login(supervisor)

    response = client.post(f"{FALLOUT}{order.pk}/resolve/", {"resolve-note": ""})

    assert messages_of(response) == ["Resolve by hand: How it was resolved: This field is required."]
    assert Order.objects.get(pk=order.pk).state == S.HELD


def test_an_agent_cannot_retry_fallout_from_the_admin(client, staff_agent, settings):
    order = fallout_order(settings)
    client.force_login(staff_agent)
    assert client.post(f"{ORDERS}{order.pk}/retry/", {"retry-note": ""}).status_code == 403
    assert Order.objects.get(pk=order.pk).state == S.HELD


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("ORD-{pk:06d}", "target"),
        ("ord-{pk:06d}", "target"),
        ("{pk}", "target"),
        ("{customer}", "target"),
        ("EXT-77", "target"),
        ("zebed", "target"),
        ("ZEBEDEE", "target"),
        ("ORD-999999", None),
    ],
)
def test_search_finds_orders_by_number_customer_number_external_id_and_name(client, supervisor, term, expected):
    target = OrderFactory(customer=CustomerFactory(name="Zebedee Quill"), external_id="EXT-77")
    OrderFactory(customer=CustomerFactory(name="Other Person"))
    client.force_login(supervisor)

    query = term.format(pk=target.pk, customer=target.customer.number)
    results = list(client.get(ORDERS, {"q": query}).context["cl"].result_list)

    assert [o.pk for o in results] == ([target.pk] if expected else [])


def test_the_jeopardy_filter_lists_open_orders_late_or_due_within_two_days(client, supervisor):
    today = timezone.localdate()
    late = OrderFactory(state=S.IN_PROGRESS, expected_completion_date=today - dt.timedelta(days=1))
    soon = OrderFactory(state=S.HELD, expected_completion_date=today + dt.timedelta(days=2))
    OrderFactory(state=S.IN_PROGRESS, expected_completion_date=today + dt.timedelta(days=3))
    OrderFactory(state=S.COMPLETED, expected_completion_date=today - dt.timedelta(days=1))
    OrderFactory(state=S.IN_PROGRESS)
    client.force_login(supervisor)

    results = client.get(ORDERS, {"jeopardy": "yes"}).context["cl"].result_list

    assert {o.pk for o in results} == {late.pk, soon.pk}


def test_the_state_and_special_handling_filters_combine(client, supervisor):
    held = held_order()
    OrderFactory(state=S.HELD, needs_special_handling=False)
    OrderFactory(state=S.IN_PROGRESS)
    client.force_login(supervisor)

    results = client.get(ORDERS, {"state__exact": S.HELD, "needs_special_handling__exact": "1"}).context["cl"]

    assert [o.pk for o in results.result_list] == [held.pk]


def test_a_filtered_list_counts_only_up_to_a_cap(client, supervisor, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "CAP", 3)
    monkeypatch.setattr("orders.admin.OrderAdmin.list_per_page", 2)
    for _ in range(5):
        OrderFactory(state=S.IN_PROGRESS)
    client.force_login(supervisor)

    response = client.get(ORDERS, {"state__exact": S.IN_PROGRESS})

    assert response.context["cl"].result_count == 3
    assert response.context["cl"].paginator.capped
    assert "more than 3 orders" in " ".join(response.content.decode().split())


def test_the_date_drill_down_never_reads_distinct_dates_from_the_table(client, supervisor):
    OrderFactory()
    client.force_login(supervisor)
    year = timezone.localdate().year

    for params in ({}, {"created_at__year": year}, {"created_at__year": year, "created_at__month": 1}):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(ORDERS, params)
        assert response.status_code == 200
        assert not [q["sql"] for q in queries if "DISTINCT" in q["sql"].upper()]
    assert response.context["cl"].date_hierarchy_links["choices"][0]["title"] == "1 January"


def test_no_page_counts_the_whole_orders_table(client, supervisor):
    for _ in range(3):
        held_order()
    client.force_login(supervisor)

    for url in (ORDERS, QUEUE, FALLOUT, f"{ORDERS}?state__exact=held"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts = [q["sql"] for q in queries if q["sql"].startswith(("SELECT COUNT(", "SELECT c.reltuples"))]
        # One count per page: PostgreSQL's estimate, or a count of at most CAP + 1 rows.
        assert len(counts) == 1 and ("LIMIT" in counts[0] or "reltuples" in counts[0]), counts


# --- a constant number of queries, whatever the page shows -------------------------------------------


def orders_with_items(count: int, **fields) -> list[Order]:
    orders = []
    for _ in range(count):
        order = OrderFactory(**fields) if "needs_special_handling" not in fields else held_order()
        OrderItemFactory(order=order)
        orders.append(order)
    return orders


# Every page: session, user and the user's groups (the role in the page context) = 3; then the page's
# own. The user's permissions come from the cache (customers.backends) once a page has read them, and
# the session is not written again right after the request before pushed its expiry on.
SHARED = 3


@pytest.mark.parametrize(
    ("url", "fields", "own"),
    [
        (ORDERS, {}, 3),  # count, rows (customer joined, items counted), first order date for the drill-down
        # count, rows (latest feasibility, held since), the items' facts for the reasons recomputed
        (QUEUE, {"needs_special_handling": True}, 3),
    ],
)
def test_the_lists_cost_the_same_queries_for_3_or_30_orders(
    client, supervisor, django_assert_num_queries, url, fields, own
):
    client.force_login(supervisor)
    orders_with_items(3, **fields)
    client.get(url)  # warm the session and content types

    with django_assert_num_queries(SHARED + own):
        assert client.get(url).status_code == 200
    orders_with_items(27, **fields)
    with django_assert_num_queries(SHARED + own):
        response = client.get(url)
    assert len(response.context["cl"].result_list) == 30


def test_each_page_of_a_longer_review_queue_costs_the_same_queries(
    client, supervisor, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr(admin.site.get_model_admin(SpecialHandlingReview), "list_per_page", 4)
    client.force_login(supervisor)
    orders = orders_with_items(10, needs_special_handling=True)
    client.get(QUEUE)

    pages = []
    for page in (1, 2, 3):
        # count, the page's keys (read first: see EstimatedCountPaginator.page), rows, the items' facts
        with django_assert_num_queries(SHARED + 4):
            response = client.get(f"{QUEUE}?p={page}")
        pages.append([order.pk for order in response.context["cl"].result_list])
    assert pages == [[o.pk for o in orders][i : i + 4] for i in (0, 4, 8)]  # oldest first, as created
    assert [order.held_reasons[0] for order in response.context["cl"].result_list] == [
        "Bespoke item 1: Managed SD-WAN"
    ] * 2


def test_the_fallout_list_costs_the_same_queries_for_1_or_3_orders(
    client, supervisor, settings, django_assert_num_queries
):
    client.force_login(supervisor)
    fallout_order(settings)
    client.get(FALLOUT)
    with django_assert_num_queries(SHARED + 2):
        client.get(FALLOUT)
    fallout_order(settings, code="second")
    fallout_order(settings, code="third")
    with django_assert_num_queries(SHARED + 2):
        response = client.get(FALLOUT)
    assert len(response.context["cl"].result_list) == 3


def test_the_order_page_costs_the_same_queries_for_3_or_30_rows_per_inline(
    client, supervisor, django_assert_num_queries
):
    client.force_login(supervisor)
    order = held_order()

    def add_rows(count):
        for index in range(order.notes.count(), order.notes.count() + count):
            OrderItemFactory(order=order)
            FeasibilityAssessment.objects.create(order=order, result="feasible", assessed_by=supervisor)
            OrderNote.objects.create(order=order, author=supervisor, text=f"note {index}")
            InformationRequest.objects.create(
                order=order, question="?", deadline=timezone.localdate(), asked_by=supervisor
            )
            OrderEvent.objects.create(
                order=order, transition="hold", from_state=S.IN_PROGRESS, to_state=S.HELD, actor=supervisor
            )
            OutboxEvent.objects.create(order=order, event_type=OutboxEvent.Type.STATE_CHANGE, payload={"i": index})
            order.cancellation_requests.create(reason="r", requested_by=supervisor, channel="call_centre")

    # The order (customer, initiating request, captured by and revisions joined), then one query per
    # inline: items, tasks, feasibility, questions, notes, cancellations, documents, sign-offs,
    # revisions, history, outbox; and the items with their offerings and the assessments, for the held
    # reasons recomputed from the facts.
    own = 1 + 11 + 2
    url = f"{QUEUE}{order.pk}/change/"
    add_rows(3)
    client.get(url)
    with django_assert_num_queries(SHARED + own):
        client.get(url)
    add_rows(27)
    with django_assert_num_queries(SHARED + own):
        response = client.get(url)
    rows = {f.opts.model._meta.model_name: len(f.formset.rows) for f in response.context["inline_admin_formsets"]}
    assert rows["ordernote"] == rows["orderevent"] == rows["outboxevent"] == rows["cancellationrequest"] == 30
    assert rows["orderitem"] == 31  # the one held_order() made, and 30 more


# --- helpers -------------------------------------------------------------------------------------------


def fallout_order(settings, code="router") -> Order:
    """An order whose shipping step failed downstream: held, not for special handling."""
    settings.FULFILMENT_DOWNSTREAM = "manual"
    agent = AgentFactory()
    offering = OfferingFactory(code=code, requires_install_address=False)
    FulfilmentStepFactory(offering=offering, code="ship", name="Ship equipment", system="logistics")
    customer = CustomerFactory(credit_class="A")
    request = record_initiating_request(customer=customer, by=agent, kind="sales_proposal")
    order = OrderFactory(customer=customer, initiating_request=request, captured_by=agent)
    OrderItemFactory(order=order, offering=offering)
    submit_order(order, by=agent)
    orchestration.dispatch_ready_tasks(order)  # what the after-commit hook does
    task = order.tasks.get()
    orchestration.record_task_result(task, succeeded=False, message="Courier lost the parcel")
    order.refresh_from_db()
    assert order.state == S.HELD and not order.needs_special_handling
    return order


def test_paging_through_the_list_shows_every_order_once_newest_first(client, supervisor, monkeypatch):
    monkeypatch.setattr("orders.admin.OrderAdmin.list_per_page", 2)
    orders = [OrderFactory() for _ in range(5)]
    for age, order in enumerate(orders):
        Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - dt.timedelta(hours=age))
    client.force_login(supervisor)

    pages = [[o.pk for o in client.get(ORDERS, {"p": p}).context["cl"].result_list] for p in (1, 2, 3)]

    assert pages == [[orders[0].pk, orders[1].pk], [orders[2].pk, orders[3].pk], [orders[4].pk]]
