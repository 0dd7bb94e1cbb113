"""Nothing committed is lost or stuck when the broker is down or a worker dies mid-task.

Real processes (gunicorn, Celery workers with beat), Redis behind a proxy the test cuts, PostgreSQL.
"""

import threading
import urllib.error
import urllib.request

import pytest
from django.db import connection

from orders import outbox
from orders.models import EventDelivery, FulfilmentTask, InitiatingRequest, Order, OrderState, OutboxEvent, TaskState
from orders.services import ItemRequest, place_order
from tests.factories import AgentFactory
from tests.outbox.conftest import ROOT, Listener, needs_real_services, until

pytestmark = [*needs_real_services, pytest.mark.django_db(transaction=True)]


def state_of(number: str) -> str:
    return Order.objects.get(pk=int(number.removeprefix("ORD-"))).state


def completed(number: str, stack) -> None:
    until(
        lambda: state_of(number) == OrderState.COMPLETED,
        90,
        message=f"{number} is {state_of(number)}:\n{stack.logs()}",
    )


def test_an_order_placed_while_the_broker_is_down_is_accepted_and_fulfilled_when_it_is_back(stack, shop):
    customer, offering, _client, token = shop
    stack.web()  # the broker (behind the proxy) is not there

    status, body = stack.place_order(token, customer, offering)

    # The order is committed, so the client hears so: a 500 here would make it send a second order.
    assert status == 201, body
    assert body["state"] == OrderState.IN_PROGRESS
    order = Order.objects.get(pk=int(body["id"].removeprefix("ORD-")))
    assert list(order.tasks.filter(handover_due=True).values_list("code", flat=True)) == ["ship"]

    stack.worker()  # starts while the broker is still down, and keeps trying
    stack.broker.start()  # the broker is back: no one does anything by hand

    completed(body["id"], stack)
    assert set(order.tasks.values_list("state", "attempts")) == {(TaskState.COMPLETED, 1)}


def test_a_worker_killed_mid_task_leaves_it_to_the_next_worker(stack, shop):
    customer, offering, _client, token = shop
    stack.broker.start()
    stack.web()
    # The downstream system takes 30 s to accept a task: the worker is killed while it waits.
    slow = stack.worker(SIMULATOR_SUBMIT_SECONDS="30")

    status, body = stack.place_order(token, customer, offering)
    assert status == 201, body
    ship = FulfilmentTask.objects.get(order__pk=int(body["id"].removeprefix("ORD-")), code="ship")
    until(
        lambda: FulfilmentTask.objects.filter(pk=ship.pk, handover_due=True, claimed_until__isnull=False).exists(),
        60,
        message="no worker took the hand-over:\n" + stack.logs(),
    )
    slow.kill()

    stack.worker()

    completed(body["id"], stack)
    ship.refresh_from_db()
    assert (ship.state, ship.attempts, ship.handover_due) == (TaskState.COMPLETED, 1, False)


def test_a_worker_killed_mid_delivery_leaves_no_listener_without_the_event(stack, shop):
    customer, offering, client, token = shop
    listeners = [Listener(), Listener(hold_first=30), Listener()]
    try:
        for listener in listeners:
            listener.subscribe(client)
        stack.broker.start()
        stack.web()
        first = stack.worker()

        status, body = stack.place_order(token, customer, offering)
        assert status == 201, body
        assert listeners[1].started.wait(60), "nothing was delivered:\n" + stack.logs()
        first.kill()  # while the second listener holds its first delivery open

        stack.worker()
        completed(body["id"], stack)
        order_events = OutboxEvent.objects.filter(order__pk=int(body["id"].removeprefix("ORD-")))
        events = {str(event_id) for event_id in order_events.values_list("event_id", flat=True)}

        def every_listener_has_every_event():
            return all(events <= set(listener.received) for listener in listeners)

        until(every_listener_has_every_event, 90, message=stack.logs())
        assert not EventDelivery.objects.exclude(status=EventDelivery.Status.DELIVERED).exists()
        # At least once: only the delivery cut off by the kill may have come twice.
        for listener in listeners:
            assert len(listener.received) - len(set(listener.received)) <= 1
    finally:
        for listener in listeners:
            listener.close()


@pytest.fixture
def lost_nudges():
    """Commands in this process commit with no relay after them, as when every nudge is lost.

    Nudges go to an in-process broker nobody reads; yields a function that turns eager relaying back on.
    """
    from ordersite.celery import app

    app.conf.task_always_eager = False
    yield lambda: setattr(app.conf, "task_always_eager", True)
    app.conf.task_always_eager = True


def test_two_relays_at_once_send_nothing_twice(shop, settings, lost_nudges):
    """Two relays race over the same rows: every delivery and hand-over is made by exactly one."""
    settings.FULFILMENT_DOWNSTREAM = "simulated"
    settings.SIMULATOR_DELAY_SECONDS = 3600  # hand-overs only: the simulator does not answer here
    customer, offering, client, _token = shop
    listener = Listener()
    listener.subscribe(client)
    agent = AgentFactory()
    try:
        for _ in range(20):
            place_order(
                customer=customer,
                by=agent,
                items=[ItemRequest(item_id="1", offering=offering)],
                initiating_request=InitiatingRequest(kind=InitiatingRequest.Kind.SALES_PROPOSAL),
            )
        events = OutboxEvent.objects.filter(published_at__isnull=True).count()
        assert events >= 20 * 3 and FulfilmentTask.objects.filter(handover_due=True).count() == 20
        lost_nudges()  # from here on, deliveries run in the relay's own thread

        reports, barrier = [], threading.Barrier(2)

        def relay():
            barrier.wait()
            try:
                reports.append(outbox.relay())
            finally:
                connection.close()

        racers = [threading.Thread(target=relay) for _ in range(2)]
        for racer in racers:
            racer.start()
        for racer in racers:
            racer.join(60)

        assert len(reports) == 2
        assert sum(report.events for report in reports) == events
        assert sum(report.handovers for report in reports) == 20
        assert sum(report.deliveries for report in reports) == events
        assert len(listener.received) == len(set(listener.received)) == events
        assert not FulfilmentTask.objects.filter(handover_due=True).exists()
        assert not OutboxEvent.objects.filter(published_at__isnull=True).exists()
    finally:
        listener.close()


def test_readiness_follows_the_broker(stack):
    stack.web()
    url = stack.web_url + "/health/ready"

    def status() -> int:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    assert status() == 503  # the broker is not there
    stack.broker.start()
    until(lambda: status() == 200, 30, message=stack.logs())
    stack.broker.stop()
    until(lambda: status() == 503, 30, message=stack.logs())


SEED_AND_REPORT = """
import collections, json, django
django.setup()
from orders.demo import seed_demo
from orders.models import Order
seed_demo()
print(json.dumps(sorted(collections.Counter(Order.objects.values_list("state", flat=True)).items())))
"""


def test_the_demo_seeds_on_the_production_topology(stack):
    """seed_demo with Redis as the broker and no worker running: the same demo as everywhere else."""
    import json
    import subprocess
    import sys

    stack.broker.start()
    seeded = subprocess.run(
        [sys.executable, "-c", SEED_AND_REPORT],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert seeded.returncode == 0, seeded.stderr[-3000:]
    states = dict(json.loads(seeded.stdout.strip().splitlines()[-1]))
    lifecycle = {"draft", "inProgress", "held", "pending", "completed", "cancelled", "rejected"}
    assert lifecycle <= set(states), states
    # The seed reports progress itself: nothing it dispatched waits for a worker to be handed over.
    assert not FulfilmentTask.objects.filter(handover_due=True).exists()


def test_with_redis_as_the_cache_every_web_process_counts_one_throttle(stack, shop):
    """Two gunicorn processes, 20 calls a minute allowed: the client gets 20, not 20 from each."""
    import redis

    _customer, _offering, _client, token = shop
    shared = "redis://127.0.0.1:6379/13"
    redis.Redis.from_url(shared).flushdb()
    stack.web(workers=2, CACHE_URL=shared, API_THROTTLE_RATE="20/min")
    request = urllib.request.Request(
        stack.web_url + "/tmf-api/productCatalogManagement/v4/productOffering?limit=1",
        headers={"Authorization": f"Bearer {token}"},
    )
    answers = []
    for _ in range(40):
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                answers.append(response.status)
        except urllib.error.HTTPError as error:
            answers.append(error.code)

    assert answers.count(200) == 20 and answers.count(429) == 20, answers
