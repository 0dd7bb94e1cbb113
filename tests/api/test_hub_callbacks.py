"""TMF622 hub: a listener cannot aim our event deliveries at our own network (SSRF), at registration or later."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from orders import callbacks, outbox
from orders.models import EventDelivery, HubListener
from tests.api.conftest import HUB, ORDERS, add, assert_error, order_body, post_json
from tests.listeners import Listener

pytestmark = pytest.mark.django_db


@pytest.fixture
def deployment(settings):
    settings.HUB_CALLBACK_ALLOW_PRIVATE = False


@pytest.mark.parametrize(
    "callback",
    [
        "http://[64:ff9b::a9fe:a9fe]/hook",  # NAT64 of the cloud metadata service
        "http://[64:ff9b:1::a00:1]/hook",  # local-use NAT64
        "http://[2002:7f00:1::]/hook",  # 6to4 of 127.0.0.1
        "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook",  # Teredo
        "http://[::ffff:127.0.0.1]/hook",  # IPv4-mapped
        "http://[::7f00:1]/hook",  # IPv4-compatible
        "http://[::1]/hook",
        "http://[fe80::1]/hook",
        "http://[fc00::1]/hook",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://[::]/hook",
        "http://[ff02::1]/hook",
        "http://127.0.0.1/hook",
        "http://10.0.0.1/hook",
        "http://172.31.255.255/hook",
        "http://192.168.0.10/hook",
        "http://100.64.1.1/hook",  # carrier-grade NAT
        "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0/hook",
        "http://224.0.0.251/hook",
        "http://240.0.0.1/hook",
        "http://localhost:8000/admin/",
    ],
)
def test_registration_refuses_a_callback_into_our_network(api, deployment, callback):
    body = assert_error(post_json(api, HUB, {"callback": callback}), 422)

    assert "internal address" in json.dumps(body)
    assert not HubListener.objects.exists()


def test_registration_accepts_a_public_listener(api, deployment):
    assert post_json(api, HUB, {"callback": "https://[2606:4700::1111]/hook"}).status_code == 201


def test_a_name_that_rebinds_to_loopback_after_registration_reaches_nothing(
    api, customer, fibre, deployment, monkeypatch
):
    # A rebinding DNS (TTL 0): public when asked, then our loopback, where a listener waits; and so on.
    listener = Listener()
    answers = iter(["93.184.215.14", "127.0.0.1", "93.184.215.14", "127.0.0.1"])
    monkeypatch.setattr(callbacks, "resolve", lambda host, port: [next(answers)])
    try:
        registered = post_json(
            api,
            HUB,
            {"callback": f"http://rebind.test:{listener.port}/events", "query": "eventType=ProductOrderCreateEvent"},
        )
        assert registered.status_code == 201  # checked: the name said 93.184.215.14
        post_json(api, ORDERS, order_body(customer, add(fibre, router="hub-6")))

        outbox.deliver_due_events()  # the name says 127.0.0.1: refused
        delivery = EventDelivery.objects.get()
        assert "internal address (127.0.0.1, loopback)" in delivery.last_error
        # The name says 93.184.215.14 (unreachable from here) and would say 127.0.0.1 to a second lookup.
        outbox.deliver_due_events(now=timezone.now() + dt.timedelta(minutes=1))

        delivery.refresh_from_db()
        assert listener.requests == []
        assert (delivery.status, delivery.attempts, delivery.delivered_at) == ("pending", 2, None)
        assert next(answers) == "127.0.0.1"  # three lookups in all: one per registration and attempt
    finally:
        listener.close()
