"""TMF622 events to hub listeners: fan the outbox out, deliver at least once, keep the dead letters.

Every order change writes an OutboxEvent in its own transaction; after it commits, publish_event
creates one EventDelivery per listener allowed to see the order and tries each once. Failures are
retried by deliver_due_events (Celery beat, every minute) with exponential backoff until
MAX_ATTEMPTS, then kept as dead letters for the admin. Listeners de-duplicate on eventId.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from orders.fulfilment.models import EventDelivery
from orders.models import HubListener, OutboxEvent

MAX_ATTEMPTS = 6
TIMEOUT_SECONDS = 5
ORDER_PATH = "/tmf-api/productOrderingManagement/v4/productOrder/"


def after_commit_publish(*events: OutboxEvent) -> None:
    """One message for the events a command wrote, however many, sent once it commits."""
    from orders import tasks

    event_ids = [event.pk for event in events]
    if event_ids:
        transaction.on_commit(lambda: tasks.publish_events.delay(event_ids))


def listeners_for(event: OutboxEvent) -> list[HubListener]:
    """Listeners whose client may see the order, and whose query asks for this event type."""
    order = event.order
    listeners = (
        HubListener.objects.filter(client__is_active=True)
        .filter(Q(client__customers=order.customer_id) | Q(client__orders=order.pk))
        .distinct()
    )
    return [listener for listener in listeners if _wants(listener, event)]


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


def publish_event(event: OutboxEvent) -> list[EventDelivery]:
    """Fan one outbox event out to its listeners and try each delivery once."""
    deliveries = [
        EventDelivery.objects.get_or_create(event=event, listener=listener)[0] for listener in listeners_for(event)
    ]
    OutboxEvent.objects.filter(pk=event.pk, published_at__isnull=True).update(published_at=timezone.now())
    for delivery in deliveries:
        if delivery.status == EventDelivery.Status.PENDING:
            attempt(delivery)
    return deliveries


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


def deliver_due_events(now: dt.datetime | None = None) -> int:
    """Publish events not yet fanned out, then retry deliveries whose backoff has passed."""
    now = now or timezone.now()
    for event in OutboxEvent.objects.filter(published_at__isnull=True).select_related("order")[:500]:
        publish_event(event)
    due = EventDelivery.objects.filter(status=EventDelivery.Status.PENDING, next_attempt_at__lte=now).select_related(
        "event__order", "listener"
    )[:500]
    return sum(attempt(delivery) for delivery in due)


def redeliver(delivery: EventDelivery) -> bool:
    """A supervisor sends a dead letter again (after the listener was fixed)."""
    delivery.status, delivery.attempts = EventDelivery.Status.PENDING, 0
    return attempt(delivery)
