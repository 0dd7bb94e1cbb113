"""TMF622 events reach hub listeners at least once, with a stable id, retries and dead letters."""

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils import timezone

from orders import notifications, outbox
from orders.models import ApiClient, EventDelivery, HubListener, OutboxEvent
from orders.services import add_item, create_draft_order, record_initiating_request, submit_order
from tests.factories import CustomerFactory, OfferingFactory, UserFactory

pytestmark = pytest.mark.django_db


class Listener:
    """A webhook subscriber on loopback that can be told to fail its first calls."""

    def __init__(self, failures: int = 0):
        self.received: list[dict] = []
        self.failures = failures
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if listener.failures > 0:
                    listener.failures -= 1
                    self.send_response(503)
                else:
                    listener.received.append(body)
                    self.send_response(201)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/events"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def subscribe(customer, url, query=""):
    user = UserFactory()
    client = ApiClient.objects.create(
        name=f"client-{user.pk}", token_hash=f"{user.pk:064d}", user=user, holding_customer=CustomerFactory()
    )
    client.customers.add(customer)
    return HubListener.objects.create(client=client, callback=url, query=query)


def submit_standard_order(customer, agent, run):
    def capture_and_submit():
        request = record_initiating_request(customer=customer, by=agent, kind="sales_proposal")
        order = create_draft_order(customer=customer, by=agent, initiating_request=request)
        add_item(order, by=agent, offering=OfferingFactory(requires_install_address=False))
        return submit_order(order, by=agent).order

    return run(capture_and_submit)


@pytest.fixture
def run(django_capture_on_commit_callbacks, settings):
    settings.FULFILMENT_DOWNSTREAM = "manual"

    def run_command(command, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return command(*args, **kwargs)

    return run_command


def test_each_event_reaches_a_subscribed_listener_once(customer, agent, listener, run):
    subscribe(customer, listener.url)

    order = submit_standard_order(customer, agent, run)

    types = [event["eventType"] for event in listener.received]
    assert types[:3] == ["ProductOrderCreateEvent", "ProductOrderStateChangeEvent", "ProductOrderStateChangeEvent"]
    assert listener.received[-1]["event"]["productOrder"]["id"] == order.number
    assert len({event["eventId"] for event in listener.received}) == len(listener.received)


def test_a_listener_gets_only_the_event_types_its_query_asks_for(customer, agent, listener, run):
    subscribe(customer, listener.url, query="eventType=ProductOrderStateChangeEvent")
    submit_standard_order(customer, agent, run)
    assert {event["eventType"] for event in listener.received} == {"ProductOrderStateChangeEvent"}


def test_listeners_of_other_clients_hear_nothing(customer, agent, listener, run):
    subscribe(CustomerFactory(), listener.url)
    submit_standard_order(customer, agent, run)
    assert listener.received == []


def test_a_first_failure_is_retried_later_with_the_same_event_id(customer, agent, run):
    flaky = Listener(failures=1)
    try:
        subscribe(customer, flaky.url, query="eventType=ProductOrderCreateEvent")
        submit_standard_order(customer, agent, run)
        delivery = EventDelivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 1, "HTTP 503")
        assert flaky.received == []

        assert outbox.deliver_due_events(now=timezone.now()) == 0  # not due yet: backoff
        assert outbox.deliver_due_events(now=timezone.now() + dt.timedelta(minutes=1)) == 1
        assert outbox.deliver_due_events(now=timezone.now() + dt.timedelta(hours=1)) == 0

        delivery.refresh_from_db()
        assert delivery.status == "delivered" and delivery.attempts == 2
        assert [e["eventId"] for e in flaky.received] == [str(delivery.event.event_id)]
    finally:
        flaky.close()


def test_an_unreachable_listener_ends_in_the_dead_letters(customer, agent, run):
    subscribe(customer, "http://127.0.0.1:9/nowhere", query="eventType=ProductOrderCreateEvent")
    submit_standard_order(customer, agent, run)
    later = timezone.now()
    for _ in range(notifications.MAX_ATTEMPTS):
        later += dt.timedelta(days=1)
        outbox.deliver_due_events(now=later)

    delivery = EventDelivery.objects.get()
    assert delivery.status == "dead" and delivery.attempts == notifications.MAX_ATTEMPTS
    assert delivery.last_error


def test_events_written_while_no_listener_was_reachable_are_published_later(customer, agent, listener):
    # Without on-commit execution (a crash between commit and publish), the outbox still holds them.
    subscribe(customer, listener.url, query="eventType=ProductOrderCreateEvent")
    request = record_initiating_request(customer=customer, by=agent, kind="sales_proposal")
    order = create_draft_order(customer=customer, by=agent, initiating_request=request)
    add_item(order, by=agent, offering=OfferingFactory(requires_install_address=False))
    submit_order(order, by=agent)
    assert OutboxEvent.objects.filter(published_at__isnull=True, event_type="ProductOrderCreateEvent").count() == 1

    outbox.deliver_due_events()

    assert [e["eventType"] for e in listener.received] == ["ProductOrderCreateEvent"]
    assert not OutboxEvent.objects.filter(published_at__isnull=True).exists()


def test_listeners_hear_of_an_order_when_it_is_placed_not_while_it_is_a_draft(customer, agent, listener, run):
    subscribe(customer, listener.url)
    request = record_initiating_request(customer=customer, by=agent, kind="sales_proposal")
    order = run(lambda: create_draft_order(customer=customer, by=agent, initiating_request=request))
    run(lambda: add_item(order, by=agent, offering=OfferingFactory(requires_install_address=False)))
    assert listener.received == [] and not OutboxEvent.objects.filter(order=order).exists()

    run(lambda: submit_order(order, by=agent))

    created = [e for e in listener.received if e["eventType"] == "ProductOrderCreateEvent"]
    assert len(created) == 1
    assert created[0]["event"]["productOrder"]["state"] == "acknowledged"


def test_supervisors_see_dead_letters_and_send_them_again(client, supervisor, customer, agent, run, listener):
    target = subscribe(customer, "http://127.0.0.1:9/nowhere", query="eventType=ProductOrderCreateEvent")
    submit_standard_order(customer, agent, run)
    delivery = EventDelivery.objects.get()
    EventDelivery.objects.filter(pk=delivery.pk).update(status="dead")
    client.force_login(supervisor)

    page = client.get("/admin/orders/eventdelivery/?status__exact=dead")
    assert page.status_code == 200 and "nowhere" in page.content.decode()

    target.callback = listener.url  # the listener was fixed
    target.save()
    client.post("/admin/orders/eventdelivery/", {"action": "deliver_again", "_selected_action": [delivery.pk]})
    delivery.refresh_from_db()
    assert delivery.status == "delivered"
    assert [e["eventType"] for e in listener.received] == ["ProductOrderCreateEvent"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/admin/",
        "http://localhost/events",
        "http://10.1.2.3/events",
        "http://169.254.169.254/latest/meta-data/",  # a cloud's metadata service
        "http://[::1]/events",
        "ftp://partner.example/events",
    ],
)
def test_events_never_go_to_our_own_network(url, settings):
    settings.HUB_CALLBACK_ALLOW_PRIVATE = False

    assert notifications.callback_refusal(url)


def test_a_public_address_is_a_fine_callback(settings):
    settings.HUB_CALLBACK_ALLOW_PRIVATE = False

    assert notifications.callback_refusal("https://93.184.215.14/events") == ""


def test_a_listener_on_an_internal_address_is_not_called_and_the_reason_is_kept(
    customer, agent, listener, run, settings
):
    subscribe(customer, listener.url)
    settings.HUB_CALLBACK_ALLOW_PRIVATE = False

    submit_standard_order(customer, agent, run)

    assert listener.received == []
    delivery = EventDelivery.objects.first()
    assert delivery.status == EventDelivery.Status.PENDING and delivery.attempts == 1
    assert "internal address (127.0.0.1)" in delivery.last_error
