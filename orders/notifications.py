"""TMF622 events to hub listeners: who hears what, delivery at least once, the dead letters.

Every order change writes an OutboxEvent in its own transaction; the outbox relay (orders.outbox)
fans it out into one EventDelivery per listener allowed to see the order and sends the due ones
here. Failures are retried with exponential backoff until MAX_ATTEMPTS, then kept as dead letters
for the admin. Listeners de-duplicate on eventId.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import time

from django.utils import timezone

from orders.callbacks import CallbackRefused, post, vet_callback
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


def attempt(delivery: EventDelivery) -> bool:
    """POST the event to the listener; on failure schedule the next try, or give up into the dead letters.

    The callback is vetted again on every attempt and the POST goes to the addresses vetted (see
    orders.callbacks); a redirect is a failed attempt, with where it pointed as the reason.
    """
    try:
        callback = vet_callback(delivery.listener.callback)
    except CallbackRefused as refusal:
        return _record(delivery, ok=False, error=f"Not sent: the callback {refusal}.")
    body = json.dumps(event_body(delivery.event)).encode()
    headers = {"Content-Type": "application/json", "X-Event-Id": str(delivery.event.event_id)}
    try:
        answer = post(callback, body, headers, timeout=TIMEOUT_SECONDS)
    except (OSError, http.client.HTTPException) as failure:
        return _record(delivery, ok=False, error=str(failure) or type(failure).__name__)
    if 300 <= answer.status < 400:
        error = f"HTTP {answer.status}: redirect to {answer.location[:500] or '(no Location)'} not followed"
    else:
        error = "" if 200 <= answer.status < 300 else f"HTTP {answer.status}"
    return _record(delivery, ok=not error, error=error)


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
