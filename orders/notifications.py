"""TMF622 events to hub listeners: who hears what, delivery at least once, the dead letters.

Every order change writes an OutboxEvent in its own transaction; the outbox relay (orders.outbox)
fans it out into one EventDelivery per listener allowed to see the order and sends the due ones
here. Failures are retried with exponential backoff until MAX_ATTEMPTS, then kept as dead letters
for the admin. Listeners de-duplicate on eventId.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from orders.models import ApiClient, EventDelivery, HubListener, OutboxEvent

MAX_ATTEMPTS = 6
TIMEOUT_SECONDS = 5
ORDER_PATH = "/tmf-api/productOrderingManagement/v4/productOrder/"


def listeners_for_events(events: list[OutboxEvent]) -> dict[OutboxEvent, list[HubListener]]:
    """For each event, the listeners whose client may see its order and whose query asks for its type.

    Two queries for a whole batch of events, none when nobody listens.
    """
    listeners = list(HubListener.objects.filter(client__is_active=True).order_by("pk"))
    if not listeners:
        return {}
    clients = {listener.client_id for listener in listeners}
    allowed = set(
        ApiClient.customers.through.objects.filter(
            apiclient_id__in=clients, customer_id__in={event.order.customer_id for event in events}
        ).values_list("apiclient_id", "customer_id")
    )
    return {
        event: [
            listener
            for listener in listeners
            if (
                (listener.client_id, event.order.customer_id) in allowed
                or event.order.created_by_client_id == listener.client_id
            )
            and _wants(listener, event)
        ]
        for event in events
    }


def _wants(listener: HubListener, event: OutboxEvent) -> bool:
    for condition in filter(None, listener.query.split("&")):
        name, _, value = condition.partition("=")
        if name.strip() == "eventType" and event.event_type not in {v.strip() for v in value.split(",")}:
            return False
    return True


def event_body(event: OutboxEvent) -> dict:
    """The TMF622 event resource; eventId is stable across retries so listeners can de-duplicate."""
    order = event.order
    resource = {
        "id": order.number,
        "href": f"{ORDER_PATH}{order.number}",
        "state": event.payload.get("state", order.state),
        "@type": "ProductOrder",
    }
    extras = {k: v for k, v in event.payload.items() if k not in ("id", "state")}
    body = {
        "eventId": str(event.event_id),
        "eventTime": event.created_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "eventType": event.event_type,
        "event": {"productOrder": resource},
    }
    if extras:
        body["description"] = "; ".join(f"{k}: {v}" for k, v in extras.items())
    return body


def callback_refusal(url: str) -> str:
    """Why events may not go to this URL, or "" if they may.

    Only http(s) to a host whose every address is public: a listener must not make us post to our own
    network (the database, the admin, a cloud metadata service). HUB_CALLBACK_ALLOW_PRIVATE lifts the
    address rule for the demo and the tests, whose listeners run on this machine.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an http or https URL"
    if settings.HUB_CALLBACK_ALLOW_PRIVATE:
        return ""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError):
        return f"{parts.hostname} cannot be resolved"
    for *_, address in found:
        ip = ipaddress.ip_address(address[0].split("%")[0])
        if not ip.is_global:
            return f"{parts.hostname} is an internal address ({ip}); events go only to public hosts"
    return ""


def attempt(delivery: EventDelivery) -> bool:
    """POST the event to the listener; on failure schedule the next try, or give up into the dead letters."""
    refusal = callback_refusal(delivery.listener.callback)
    if refusal:
        return _record(delivery, ok=False, error=f"Not sent: the callback {refusal}.")
    body = json.dumps(event_body(delivery.event)).encode()
    request = urllib.request.Request(
        delivery.listener.callback,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "X-Event-Id": str(delivery.event.event_id)},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (listener URL)
            ok = 200 <= response.status < 300
            error = "" if ok else f"HTTP {response.status}"
    except urllib.error.HTTPError as failure:
        ok, error = False, f"HTTP {failure.code}"
    except (urllib.error.URLError, TimeoutError, OSError) as failure:
        ok, error = False, str(getattr(failure, "reason", failure))
    return _record(delivery, ok=ok, error=error)


def _record(delivery: EventDelivery, *, ok: bool, error: str) -> bool:
    delivery.attempts += 1
    now = timezone.now()
    if ok:
        delivery.status, delivery.delivered_at, delivery.last_error, delivery.next_attempt_at = (
            EventDelivery.Status.DELIVERED,
            now,
            "",
            None,
        )
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status, delivery.last_error, delivery.next_attempt_at = EventDelivery.Status.DEAD, error, None
    else:
        delivery.last_error = error
        delivery.next_attempt_at = now + dt.timedelta(seconds=30 * 2 ** (delivery.attempts - 1))
    delivery.save()
    return ok


def deliver_claimed(delivery_ids: list[int], claimed_until: dt.datetime, budget_seconds: float = 30) -> int:
    """Send deliveries the relay claimed until `claimed_until`; returns how many got through.

    A delivery no longer under that claim (sent meanwhile, or claimed again after the claim ran out)
    is left alone. What the time budget does not reach waits for its claim to run out.
    """
    deadline = time.monotonic() + budget_seconds
    claimed = EventDelivery.objects.filter(
        pk__in=delivery_ids, status=EventDelivery.Status.PENDING, next_attempt_at=claimed_until
    ).select_related("event__order", "listener")
    delivered = 0
    for delivery in claimed.order_by("pk"):
        if time.monotonic() > deadline:
            break
        delivered += attempt(delivery)
    return delivered


def redeliver(delivery: EventDelivery) -> bool:
    """A supervisor sends a dead letter again (after the listener was fixed)."""
    delivery.status, delivery.attempts = EventDelivery.Status.PENDING, 0
    return attempt(delivery)
