"""TMF622 events reach hub listeners at least once, with a stable id, retries and dead letters."""

import datetime as dt
import ssl

import pytest
import trustme
from django.utils import timezone

from orders import callbacks, notifications, outbox
from orders.models import ApiClient, EventDelivery, HubListener, OutboxEvent
from orders.services import add_item, create_draft_order, record_initiating_request, submit_order
from tests.factories import CustomerFactory, OfferingFactory, UserFactory
from tests.listeners import Listener

# Downstream systems hold their tasks: the listeners hear of the order, not of its fulfilment.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("manual_downstream")]


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


def submit_standard_order(customer, agent, run_tasks):
    def capture_and_submit():
        request = record_initiating_request(customer=customer, by=agent, kind="sales_proposal")
        order = create_draft_order(customer=customer, by=agent, initiating_request=request)
        add_item(order, by=agent, offering=OfferingFactory(requires_install_address=False))
        return submit_order(order, by=agent).order

    return run_tasks(capture_and_submit)


def test_each_event_reaches_a_subscribed_listener_once(customer, agent, listener, run_tasks):
    subscribe(customer, listener.url)

    order = submit_standard_order(customer, agent, run_tasks)

    types = [event["eventType"] for event in listener.received]
    assert types[:3] == ["ProductOrderCreateEvent", "ProductOrderStateChangeEvent", "ProductOrderStateChangeEvent"]
    assert listener.received[-1]["event"]["productOrder"]["id"] == order.number
    assert len({event["eventId"] for event in listener.received}) == len(listener.received)


def test_a_listener_gets_only_the_event_types_its_query_asks_for(customer, agent, listener, run_tasks):
    subscribe(customer, listener.url, query="eventType=ProductOrderStateChangeEvent")
    submit_standard_order(customer, agent, run_tasks)
    assert {event["eventType"] for event in listener.received} == {"ProductOrderStateChangeEvent"}


def test_listeners_of_other_clients_hear_nothing(customer, agent, listener, run_tasks):
    subscribe(CustomerFactory(), listener.url)
    submit_standard_order(customer, agent, run_tasks)
    assert listener.received == []


def test_a_first_failure_is_retried_later_with_the_same_event_id(customer, agent, run_tasks):
    flaky = Listener(failures=1)
    try:
        subscribe(customer, flaky.url, query="eventType=ProductOrderCreateEvent")
        submit_standard_order(customer, agent, run_tasks)
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


def test_an_unreachable_listener_ends_in_the_dead_letters(customer, agent, run_tasks):
    subscribe(customer, "http://127.0.0.1:9/nowhere", query="eventType=ProductOrderCreateEvent")
    submit_standard_order(customer, agent, run_tasks)
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


def test_listeners_hear_of_an_order_when_it_is_placed_not_while_it_is_a_draft(customer, agent, listener, run_tasks):
    subscribe(customer, listener.url)
    request = record_initiating_request(customer=customer, by=agent, kind="sales_proposal")
    order = run_tasks(lambda: create_draft_order(customer=customer, by=agent, initiating_request=request))
    run_tasks(lambda: add_item(order, by=agent, offering=OfferingFactory(requires_install_address=False)))
    assert listener.received == [] and not OutboxEvent.objects.filter(order=order).exists()

    run_tasks(lambda: submit_order(order, by=agent))

    created = [e for e in listener.received if e["eventType"] == "ProductOrderCreateEvent"]
    assert len(created) == 1
    assert created[0]["event"]["productOrder"]["state"] == "acknowledged"


def test_supervisors_see_dead_letters_and_send_them_again(client, supervisor, customer, agent, run_tasks, listener):
    target = subscribe(customer, "http://127.0.0.1:9/nowhere", query="eventType=ProductOrderCreateEvent")
    submit_standard_order(customer, agent, run_tasks)
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


def test_a_listener_on_an_internal_address_is_not_called_and_the_reason_is_kept(
    customer, agent, listener, run_tasks, settings
):
    subscribe(customer, listener.url)
    settings.HUB_CALLBACK_ALLOW_PRIVATE = False

    submit_standard_order(customer, agent, run_tasks)

    assert listener.received == []
    delivery = EventDelivery.objects.first()
    assert delivery.status == EventDelivery.Status.PENDING and delivery.attempts == 1
    assert "internal address (127.0.0.1, loopback)" in delivery.last_error


def test_a_redirect_is_not_followed_and_counts_as_a_failed_attempt(customer, agent, run_tasks):
    # Internal listeners are allowed here (HUB_CALLBACK_ALLOW_PRIVATE, as in the tests): even so a
    # listener cannot send us on to another address, vetted or not.
    inside = Listener()
    redirecting = Listener(status=302, headers={"Location": inside.url})
    try:
        subscribe(customer, redirecting.url, query="eventType=ProductOrderCreateEvent")
        submit_standard_order(customer, agent, run_tasks)

        delivery = EventDelivery.objects.get()
        assert (delivery.status, delivery.attempts) == ("pending", 1)
        assert delivery.last_error == f"HTTP 302: redirect to {inside.url} not followed"
        assert delivery.next_attempt_at > timezone.now() + dt.timedelta(seconds=20)  # the usual backoff
        assert outbox.deliver_due_events(now=timezone.now() + dt.timedelta(minutes=1)) == 0  # retried, same answer
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.delivered_at) == ("pending", 2, None)

        assert len(redirecting.requests) == 2 and redirecting.received == []
        assert inside.requests == []
    finally:
        redirecting.close()
        inside.close()


def test_a_delivery_connects_to_the_address_it_vetted_not_to_a_second_lookup(
    customer, agent, listener, run_tasks, settings, monkeypatch
):
    # DNS rebinding: the name answers a public address, then (TTL 0) our loopback, where a listener waits.
    settings.HUB_CALLBACK_ALLOW_PRIVATE = False
    answers = iter(["93.184.215.14", "127.0.0.1", "127.0.0.1"])
    lookups = []

    def rebinding_dns(host, port):
        lookups.append(host)
        return [next(answers)]

    monkeypatch.setattr(callbacks, "resolve", rebinding_dns)
    subscribe(customer, f"http://rebind.test:{listener.port}/events", query="eventType=ProductOrderCreateEvent")

    submit_standard_order(customer, agent, run_tasks)

    assert listener.requests == []
    assert lookups == ["rebind.test"]  # looked up once; the POST went to 93.184.215.14, which is not there
    delivery = EventDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 1) and delivery.last_error

    outbox.deliver_due_events(now=timezone.now() + dt.timedelta(minutes=1))  # now the name says 127.0.0.1

    delivery.refresh_from_db()
    assert listener.requests == [] and delivery.status == "pending" and delivery.attempts == 2
    assert "internal address (127.0.0.1, loopback)" in delivery.last_error


@pytest.fixture
def tls_listener_for(monkeypatch, tmp_path):
    """An HTTPS listener on loopback whose certificate names a host; its name resolves to loopback."""
    authority = trustme.CA()
    authority.cert_pem.write_to_path(str(tmp_path / "authority.pem"))
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "authority.pem"))  # trusted by our default context
    monkeypatch.setattr(callbacks, "resolve", lambda host, port: ["127.0.0.1"])
    started = []

    def start(certified_name):
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        authority.issue_cert(certified_name).configure_cert(context)
        context.sni_callback = lambda connection, name, context: listener.server_names.append(name)
        listener = Listener(tls=context)
        listener.server_names = []
        started.append(listener)
        return listener

    yield start
    for listener in started:
        listener.close()


def test_an_https_listener_is_reached_at_the_vetted_address_under_its_own_name(
    customer, agent, run_tasks, tls_listener_for
):
    listener = tls_listener_for("hooks.partner.test")
    subscribe(customer, f"https://hooks.partner.test:{listener.port}/events", query="eventType=ProductOrderCreateEvent")

    submit_standard_order(customer, agent, run_tasks)

    assert EventDelivery.objects.get().status == "delivered"
    assert [event["eventType"] for event in listener.received] == ["ProductOrderCreateEvent"]
    assert listener.server_names == ["hooks.partner.test"]  # TLS SNI
    assert listener.requests[0][1]["Host"] == f"hooks.partner.test:{listener.port}"


def test_an_https_listener_whose_certificate_names_another_host_is_not_trusted(
    customer, agent, run_tasks, tls_listener_for
):
    listener = tls_listener_for("someone-else.test")
    subscribe(customer, f"https://hooks.partner.test:{listener.port}/events", query="eventType=ProductOrderCreateEvent")

    submit_standard_order(customer, agent, run_tasks)

    delivery = EventDelivery.objects.get()
    assert listener.received == [] and delivery.status == "pending"
    assert "certificate" in delivery.last_error.lower()
