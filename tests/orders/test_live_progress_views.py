"""Order pages follow an order while it moves by itself: what the htmx poll answers, to whom, and at what cost.

The agent's page (/agent/orders/<number>/) and the customer's (/my/orders/<number>/) poll their own URL
with htmx while the order is in a state fulfilment moves on by itself (ordersite.presentation.live.POLLING_STATES).
tests/browser/test_live_progress.py watches the same in Chromium.
"""

import datetime as dt
import html
import re

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from orders.fulfilment import orchestration
from orders.models import Order, OrderState, OutboxEvent
from orders.services import (
    add_item,
    create_draft_order,
    record_initiating_request,
    request_information,
    submit_order,
)
from ordersite.middleware import SESSION_REFRESH_SECONDS, SESSION_REFRESHED_AT
from tests.factories import (
    CustomerUserFactory,
    FulfilmentStepFactory,
    OfferingFactory,
    SupervisorFactory,
)

# Nothing moves unless a test reports it: the tasks wait for the (signed) downstream callback.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("manual_downstream")]

# What htmx sends with a poll: HX-Request, and the marker the poller adds with hx-headers.
POLL = {"HTTP_HX_REQUEST": "true", "HTTP_X_POLL": "1"}
STEPS = ("Ship router", "Activate line", "Start billing")


def three_step_offering(code="live-fibre"):
    """An offering whose plan is three steps, one after the other."""
    offering = OfferingFactory(
        code=code, name="Fibre Broadband 900", requires_install_address=False, recurring_price="45.00"
    )
    previous = None
    for sequence, (step_code, name, system) in enumerate(
        [("ship", STEPS[0], "logistics"), ("activate", STEPS[1], "network"), ("billing", STEPS[2], "billing")],
        start=1,
    ):
        step = FulfilmentStepFactory(
            offering=offering, code=step_code, name=name, sequence=sequence * 10, system=system
        )
        if previous is not None:
            step.depends_on.set([previous])
        previous = step
    return offering


def place(by, customer, offering, *, items=1) -> Order:
    """An order placed through the real commands; with the manual downstream it stays in progress."""
    request = record_initiating_request(customer=customer, by=by, kind="sales_proposal", reference="Q-LIVE")
    order = create_draft_order(customer=customer, by=by, initiating_request=request)
    for _ in range(items):
        add_item(order, by=by, offering=offering)
    submit_order(order, by=by)
    order.refresh_from_db()
    return order


def report_done(order: Order, name: str) -> None:
    """Downstream reports a step done (what the signed callback does)."""
    orchestration.record_task_result(order.tasks.get(name=name), succeeded=True)


@pytest.fixture
def in_progress(agent, customer, run_tasks):
    order = run_tasks(place, agent, customer, three_step_offering())
    assert order.state == OrderState.IN_PROGRESS
    return order


def poll_url(response) -> str:
    """The URL the page's poller asks (its hx-get), as the browser reads it."""
    found = re.search(r'hx-get="([^"]+)"', response.content.decode())
    assert found, "the page does not poll"
    return html.unescape(found.group(1))


def text_of(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


# --- the agent's page ----------------------------------------------------------------------------


def test_an_in_flight_orders_page_polls_from_the_state_it_shows(client, agent, in_progress):
    client.force_login(agent)

    page = client.get(reverse("console:order-detail", args=[in_progress.number]))

    url = poll_url(page)
    assert url.startswith(reverse("console:order-detail", args=[in_progress.number]) + "?since=inProgress&v=")
    content = page.content.decode()
    assert 'hx-trigger="every 3s"' in content and "X-Poll" in content
    assert 'id="order-live-announce"' in content and 'aria-live="polite"' in content


def test_a_poll_answers_no_content_while_nothing_changed_then_what_changed(client, agent, in_progress, run_tasks):
    client.force_login(agent)
    url = poll_url(client.get(reverse("console:order-detail", args=[in_progress.number])))

    assert client.get(url, **POLL).status_code == 204  # htmx swaps nothing; the poller keeps polling

    run_tasks(report_done, in_progress, STEPS[0])
    response = client.get(url, **POLL)

    assert response.status_code == 200
    content = response.content.decode()
    assert 'hx-trigger="every 3s"' in content  # still in progress: polling carries on
    for region in ("order-summary", "order-plan", "timeline", "order-moved-on"):
        assert re.search(rf'id="{region}"[^>]* hx-swap-oob="true"', content), region
    assert 'id="order-live-announce" hx-swap-oob="innerHTML"' in content
    # The items table keeps its state (an opened configuration): only each item's state badge is sent.
    assert 'hx-swap-oob="innerHTML:#order-items tbody > tr:nth-child(1) > td:has(> .badge-state)"' in content
    text = text_of(response)
    assert f"{in_progress.number} is in progress, 1 of 3 steps done." in text
    assert "has moved on" not in text  # same state as the page: its actions still apply
    assert "<html" not in content and "Log out" not in content  # a fragment, not a page
    # The fragment's own poller asks from the new version: asked again, nothing changed.
    assert client.get(poll_url(response), **POLL).status_code == 204


def test_a_completed_orders_fragment_stops_polling_and_says_the_page_moved_on(client, agent, in_progress, run_tasks):
    client.force_login(agent)
    url = poll_url(client.get(reverse("console:order-detail", args=[in_progress.number])))
    for name in STEPS:
        run_tasks(report_done, in_progress, name)
    in_progress.refresh_from_db()
    assert in_progress.state == OrderState.COMPLETED

    response = client.get(url, **POLL)

    content = response.content.decode()
    assert response.status_code == 200
    assert "hx-trigger" not in content and "hx-get" not in content  # polling stops
    assert 'badge-state-completed">Completed<' in content
    text = text_of(response)
    assert "This order has moved on to completed since you opened the page" in text
    assert "3 of 3 steps done" in text
    assert text.count("Done") >= 3  # every step of the plan
    # A completed order's page does not poll at all.
    assert "hx-get" not in client.get(reverse("console:order-detail", args=[in_progress.number])).content.decode()


def test_a_change_that_does_not_move_the_order_on_is_shown_but_not_announced_again(client, agent, in_progress):
    client.force_login(agent)
    url = poll_url(client.get(reverse("console:order-detail", args=[in_progress.number])))
    event = in_progress.outbox_events.order_by("id").first()
    published = None if event.published_at else timezone.now()
    OutboxEvent.objects.filter(pk=event.pk).update(published_at=published)  # the relay got to it, or not

    response = client.get(url, **POLL)

    assert response.status_code == 200
    assert 'id="timeline"' in response.content.decode()
    assert "order-live-announce" not in response.content.decode()  # a screen reader hears nothing new


@pytest.mark.parametrize("state", [OrderState.HELD, OrderState.PENDING, OrderState.CANCELLED, OrderState.FAILED])
def test_orders_only_a_person_moves_on_are_not_polled(client, agent, in_progress, state):
    Order.objects.filter(pk=in_progress.pk).update(state=state)
    client.force_login(agent)

    page = client.get(reverse("console:order-detail", args=[in_progress.number]))
    poll = client.get(reverse("console:order-detail", args=[in_progress.number]) + "?since=inProgress&v=x", **POLL)

    assert "hx-get" not in page.content.decode()
    assert poll.status_code == 200 and "hx-trigger" not in poll.content.decode()


def test_an_unknown_since_is_taken_as_the_current_state(client, agent, in_progress):
    client.force_login(agent)
    url = reverse("console:order-detail", args=[in_progress.number])

    response = client.get(url + "?since=%3Cscript%3E&v=", **POLL)

    assert response.status_code == 200
    assert "moved on" not in text_of(response)
    assert "since=inProgress" in poll_url(response) and "script" not in response.content.decode().lower()


def test_customers_cannot_poll_the_agent_page(client, in_progress):
    client.force_login(CustomerUserFactory(customer=in_progress.customer))
    response = client.get(reverse("console:order-detail", args=[in_progress.number]), **POLL)
    assert response.status_code == 403


# --- the customer's page -------------------------------------------------------------------------


@pytest.fixture
def order_owner(in_progress):
    """The in-progress order's customer, signed up for self-service."""
    return CustomerUserFactory(customer=in_progress.customer)


def test_the_customers_page_polls_and_follows_the_steps(client, order_owner, in_progress, run_tasks):
    client.force_login(order_owner)
    page = client.get(reverse("selfservice:my-order", args=[in_progress.number]))
    url = poll_url(page)
    assert url.startswith(f"/my/orders/{in_progress.number}/?since=inProgress&v=")
    assert "This page updates by itself" in text_of(page)
    assert client.get(url, **POLL).status_code == 204

    run_tasks(report_done, in_progress, STEPS[0])
    response = client.get(url, **POLL)

    content = response.content.decode()
    assert 'id="my-order-status"' in content and 'hx-trigger="every 3s"' in content
    for region in ("my-order-actions", "my-order-progress", "my-order-facts", "my-order-too-late", "order-moved-on"):
        assert re.search(rf'id="{region}"[^>]* hx-swap-oob="true"', content), region
    assert "Your order: In progress, 1 of 3 steps done." in text_of(response)


def test_the_customers_fragment_stops_polling_once_done(client, order_owner, in_progress, run_tasks):
    client.force_login(order_owner)
    url = poll_url(client.get(reverse("selfservice:my-order", args=[in_progress.number])))
    for name in STEPS:
        run_tasks(report_done, in_progress, name)

    response = client.get(url, **POLL)

    content = response.content.decode()
    assert "hx-trigger" not in content
    assert 'badge-state-completed">Done<' in content
    # The header's links come with it (no more "Cancel this order"): nothing asks for a reload.
    actions = re.search(r'<div id="my-order-actions".*?</div>', content, flags=re.S).group(0)
    assert "Cancel this order" not in actions
    assert "reload" not in text_of(response).lower()
    assert "Your order: Done, 3 of 3 steps done." in text_of(response)


def test_a_question_for_the_customer_asks_for_a_reload(client, order_owner, in_progress):
    client.force_login(order_owner)
    url = poll_url(client.get(reverse("selfservice:my-order", args=[in_progress.number])))
    request_information(
        in_progress, by=SupervisorFactory(), question="Which floor?", deadline=timezone.localdate() + dt.timedelta(7)
    )

    response = client.get(url, **POLL)

    # Its answer form does not come with a poll (nor does the polling carry on): the page says so.
    assert "hx-trigger" not in response.content.decode()
    text = text_of(response)
    assert "We have a question for you about this order. Reload the page to answer it" in text
    assert "Waiting for you" in text


def test_a_customer_gets_404_for_another_customers_order_fragment(client, in_progress):
    bob = CustomerUserFactory(customer__name="Bob Hughes")
    client.force_login(bob)

    response = client.get(reverse("selfservice:my-order", args=[in_progress.number]) + "?since=inProgress", **POLL)

    assert response.status_code == 404
    assert in_progress.number.encode() not in response.content


# --- signed out ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["console:order-detail", "selfservice:my-order"])
def test_a_signed_out_poll_sends_the_page_to_the_login_page(client, in_progress, name):
    page = reverse(name, args=[in_progress.number])
    login = reverse("login")

    plain = client.get(page + "?since=inProgress")
    poll = client.get(page + "?since=inProgress", HTTP_HX_CURRENT_URL=f"http://testserver{page}", **POLL)

    # A page visit is redirected as ever; a poll tells htmx to take the whole page there, never
    # answering the login form itself, which htmx would put where the order's state was.
    assert plain.status_code == 302 and plain.url.startswith(f"{login}?next=")
    assert poll.status_code == 200 and poll.content == b""
    assert poll["HX-Redirect"] == f"{login}?next={page}"


# --- cost ----------------------------------------------------------------------------------------


def test_a_poll_costs_the_same_queries_for_one_item_or_three(
    client, agent, customer, run_tasks, django_assert_num_queries
):
    offering = three_step_offering()
    small = run_tasks(place, agent, customer, offering)
    large = run_tasks(place, agent, customer, offering, items=3)
    client.force_login(agent)
    client.get(reverse("console:order-detail", args=[small.number]), **POLL)  # warm up per-process caches

    # session, user, groups; the order and what its page prefetches (items, events, outbox,
    # feasibility, notes, questions, cancellations, documents, revisions, tasks): the page's own
    # selector. No permissions (the fragment offers no actions), and the session is not saved for a
    # poll (no savepoint, update, release): 4 fewer than the page.
    with django_assert_num_queries(14):
        client.get(reverse("console:order-detail", args=[small.number]) + "?since=inProgress&v=x", **POLL)
    with django_assert_num_queries(14):
        client.get(reverse("console:order-detail", args=[large.number]) + "?since=inProgress&v=x", **POLL)


def test_a_customers_poll_costs_the_same_queries_for_one_item_or_three(
    client, agent, customer, run_tasks, django_assert_num_queries
):
    offering = three_step_offering()
    small = run_tasks(place, agent, customer, offering)
    large = run_tasks(place, agent, customer, offering, items=3)
    client.force_login(CustomerUserFactory(customer=customer))
    client.get(reverse("selfservice:my-order", args=[small.number]), **POLL)

    # session, user, customer; the order and what its page prefetches (items, events, questions,
    # cancellations, customer-visible notes, tasks, sign-offs); the plans' steps and the customer's
    # addresses (where equipment is posted); no session save.
    for order in (small, large):
        with django_assert_num_queries(13):
            client.get(reverse("selfservice:my-order", args=[order.number]) + "?since=inProgress&v=x", **POLL)


# --- the session's idle timeout -------------------------------------------------------------------


def session_expiry(client):
    return Session.objects.get(pk=client.session.session_key).expire_date


def test_polling_does_not_keep_an_idle_session_alive(client, agent, in_progress):
    client.force_login(agent)
    page = reverse("console:order-detail", args=[in_progress.number])
    # The agent last did something 25 minutes ago: 5 of the 30 idle minutes are left.
    soon = timezone.now() + dt.timedelta(minutes=5)
    Session.objects.filter(pk=client.session.session_key).update(expire_date=soon)

    for _ in range(3):
        poll = client.get(page + "?since=inProgress&v=x", **POLL)
        assert poll.status_code == 200
        assert "sessionid" not in poll.cookies  # the cookie's expiry is not pushed on either
        assert "Cookie" in poll["Vary"]

    assert session_expiry(client) == soon
    # An htmx request without the poll marker, and any ordinary request, is the user: it counts.
    client.get(page, HTTP_HX_REQUEST="true")
    assert session_expiry(client) > soon + dt.timedelta(minutes=20)


def test_the_users_own_requests_push_the_expiry_on_at_most_once_a_minute(client, agent, in_progress):
    client.force_login(agent)
    page = reverse("console:order-detail", args=[in_progress.number])
    client.get(page)  # pushes the expiry on and notes when
    soon = timezone.now() + dt.timedelta(minutes=29, seconds=30)
    Session.objects.filter(pk=client.session.session_key).update(expire_date=soon)

    again = client.get(page)

    # Within the minute: no session write, no new cookie; the session ends at most a minute early.
    assert again.status_code == 200 and "sessionid" not in again.cookies
    assert session_expiry(client) == soon
    # A minute after the last push, the next request pushes the expiry on again.
    session = client.session
    session[SESSION_REFRESHED_AT] -= SESSION_REFRESH_SECONDS
    session.save()
    Session.objects.filter(pk=client.session.session_key).update(expire_date=soon)
    later = client.get(page)
    assert "sessionid" in later.cookies
    assert session_expiry(client) > soon


def test_an_expired_session_ends_the_polling(client, agent, in_progress):
    client.force_login(agent)
    page = reverse("console:order-detail", args=[in_progress.number])
    Session.objects.filter(pk=client.session.session_key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))

    poll = client.get(page + "?since=inProgress&v=x", HTTP_HX_CURRENT_URL=f"http://testserver{page}", **POLL)

    assert poll["HX-Redirect"] == f"{reverse('login')}?next={page}"
