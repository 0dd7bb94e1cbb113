"""What the API does when a client writes: each request is one transaction built from the services.

A create is the same sequence of commands as in the console (initiating request, draft, items,
submit with reject_if_incomplete=True), so what an API client sees matches the agent console.

Stopgaps until orders.services offers them (see the thin helpers at the end of this module):
recording the client on its order, keeping the client's item ids, recording an item for an
offering we do not have, and rejecting with reasons the API found (a party the client may not
order for, an unknown product or place).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from customers.models import Address, Customer, ProductStatus
from orders import services
from orders.api.errors import Conflict, Unprocessable
from orders.api.selectors import customer_for
from orders.api.serializers import relies_on
from orders.models import (
    IN_FLIGHT_STATES,
    ApiClient,
    ApiOrderSubmission,
    CancellationRequest,
    HubListener,
    InitiatingRequest,
    ItemAction,
    ItemIntent,
    LifecycleStatus,
    Order,
    OrderCategory,
    OrderItem,
    OrderPriority,
    OrderState,
    ProductOffering,
)

CUSTOMER_ROLES = {"customer", "buyer", "orderer"}
BUSINESS_WORDS = ("b2b", "business", "enterprise", "corporate", "organisation", "organization", "sme")


def body_digest(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


def submission_key(client: ApiClient, idempotency_key: str) -> str:
    """submit_order's key: the client's own key, scoped to the client (64 characters)."""
    return hashlib.sha256(f"api:{client.pk}:{idempotency_key}".encode()).hexdigest()


@dataclass
class Placed:
    order: Order
    replayed: bool = False


class _LostRace(Exception):
    """Another request with the same Idempotency-Key won: undo this one and answer with that one."""


# --- creating an order ---------------------------------------------------------------------------


def place_order(*, client: ApiClient, data: dict, raw: dict, idempotency_key: str = "") -> Placed:
    """Create, check and submit an order from a validated TMF622 ProductOrder_Create.

    Business problems give a rejected order (201), never an error. The same Idempotency-Key with the
    same body answers with the first order; with another body it is refused (422).
    """
    digest = body_digest(raw)
    if idempotency_key:
        earlier = _earlier(client, idempotency_key)
        if earlier is not None:
            return _replay(earlier, digest)
    try:
        return Placed(_place(client, data, digest, idempotency_key))
    except _LostRace:
        return _replay(_earlier(client, idempotency_key), digest)


def _earlier(client: ApiClient, idempotency_key: str) -> ApiOrderSubmission | None:
    return (
        ApiOrderSubmission.objects.select_related("order")
        .filter(client=client, idempotency_key=idempotency_key)
        .first()
    )


def _replay(earlier: ApiOrderSubmission, digest: str) -> Placed:
    if earlier.body_digest != digest:
        raise Unprocessable(
            f"Idempotency-Key already used for {earlier.order.number} with a different body; "
            "use a new key for a new order."
        )
    return Placed(earlier.order, replayed=True)


@transaction.atomic
def _place(client: ApiClient, data: dict, digest: str, idempotency_key: str) -> Order:
    by = client.user
    external_id = data.get("externalId", "").strip()
    if external_id and Order.objects.filter(created_by_client=client, external_id=external_id).exists():
        raise Conflict(f"An order with externalId {external_id!r} already exists.")

    parties = data.get("relatedParty", [])
    party = _customer_party(parties)
    customer = customer_for(client, party["id"]) if party else None
    reasons: list[str] = []
    if party is None:
        reasons.append("relatedParty: name the customer the order is for (a party with role customer)")
    elif customer is None:
        reasons.append(f"relatedParty: {party['id']!r} is not a customer this client may order for")
    owner = customer or client.holding_customer

    quotes = data.get("quote", [])
    initiating = services.record_initiating_request(
        customer=owner,
        by=by,
        kind=InitiatingRequest.Kind.SALES_PROPOSAL if quotes else InitiatingRequest.Kind.CUSTOMER_REQUEST,
        reference=(quotes[0]["id"] if quotes else external_id)[:60],
        details=f"Sent through the TMF622 API by {client.name}.",
    )
    order = services.create_draft_order(
        customer=owner, by=by, channel=client.channel, initiating_request=initiating, **_order_fields(data)
    )
    _attribute_to_client(order, client, external_id)
    try:
        with transaction.atomic():
            ApiOrderSubmission.objects.create(
                client=client,
                order=order,
                idempotency_key=idempotency_key,
                body_digest=digest,
                related_party=[_plain_party(p) for p in parties],
                party_id=party["id"] if party else "",
            )
    except IntegrityError:
        raise _LostRace from None

    for note in data.get("note", []):
        services.add_note(order, by=by, text=note["text"], customer_visible=True)

    created: dict[str, OrderItem] = {}
    flagged: set[int] = set()
    for index, item in enumerate(data["productOrderItem"]):
        problems = _add_item(order, by, item, customer, created)
        if problems:
            flagged.add(index)
            reasons.extend(f"items[{index}].{problem}" for problem in problems)

    if reasons:
        loaded = services.order_for_submission(order.pk)
        for error in services.completeness_errors(loaded):
            text = str(error)
            if _is_about_flagged_item(text, flagged):
                continue
            if customer is None and ".characteristics" not in text:
                continue  # nothing about the holding customer's (absent) addresses or products
            reasons.append(text)
        _reject(loaded, by, reasons)
    else:
        key = submission_key(client, idempotency_key) if idempotency_key else None
        outcome = services.submit_order(order, by=by, submission_key=key, reject_if_incomplete=True)
        if outcome.order.pk != order.pk:
            raise _LostRace
    return order


def _customer_party(parties: list[dict]) -> dict | None:
    for party in parties:
        if party.get("role", "").strip().lower() in CUSTOMER_ROLES:
            return party
    for party in parties:
        if party.get("@referredType", "").strip().lower() == "customer":
            return party
    return parties[0] if parties else None


def _plain_party(party: dict) -> dict:
    return {k: party[k] for k in ("id", "href", "name", "role", "@referredType") if party.get(k)}


def _order_fields(data: dict) -> dict:
    category = data.get("category", "").lower()
    fields = {
        "category": OrderCategory.BUSINESS
        if any(word in category for word in BUSINESS_WORDS)
        else OrderCategory.CONSUMER,
        "description": data.get("description", "").strip(),
        "external_id": data.get("externalId", "").strip(),
    }
    if "priority" in data:
        fields["priority"] = min(int(data["priority"]), OrderPriority.LOW)
    for source, target in (
        ("requestedStartDate", "requested_start_date"),
        ("requestedCompletionDate", "requested_completion_date"),
    ):
        if data.get(source):
            fields[target] = data[source].date()
    return fields


def _is_about_flagged_item(reason: str, flagged: set[int]) -> bool:
    return any(reason.startswith(f"items[{index}]") for index in flagged)


def _add_item(order: Order, by, item: dict, customer: Customer | None, created: dict[str, OrderItem]) -> list[str]:
    """Add one item through the services; returns the problems only the API can see (else [])."""
    problems: list[str] = []
    action = item["action"]
    offering_ref = item.get("productOffering")
    product_ref = item.get("product", {})
    code = offering_ref["id"].strip() if offering_ref else ""
    offering = (
        ProductOffering.objects.exclude(lifecycle_status=LifecycleStatus.IN_DESIGN).filter(code=code).first()
        if code
        else None
    )
    if code and offering is None:
        problems.append(f"offering: unknown product offering {code!r}")
    characteristics = {c["name"]: c["value"] for c in product_ref.get("productCharacteristic", [])}

    installed = None
    if action != ItemAction.ADD:
        product_id = product_ref.get("id", "").strip()
        if not product_id:
            problems.append("product: name the product to change (product.id)")
        elif customer is not None:
            installed = _of_customer(customer.products.select_related("offering", "install_address"), product_id)
            if installed is None:
                problems.append(f"product: {product_id!r} is not a product of this customer")
    elif not code:
        problems.append("offering: name the productOffering to add (productOffering.id)")

    intent = _intent(action, product_ref, installed, offering)
    if installed is not None:
        if intent == ItemIntent.CHANGE:
            characteristics = {**installed.characteristics, **characteristics}
        elif intent != ItemIntent.REPACKAGE:
            characteristics = dict(installed.characteristics)
        if intent != ItemIntent.REPACKAGE:
            offering = installed.offering

    address = None
    places = product_ref.get("place", [])
    if places and customer is not None:
        place_id = places[0]["id"].strip()
        address = _of_customer(customer.addresses.all(), place_id)
        if address is None:
            problems.append(f"install_address: {place_id!r} is not an address of this customer")
    elif customer is not None and offering is not None and offering.requires_install_address:
        if installed is not None and installed.install_address_id:
            address = installed.install_address
        elif intent in (ItemIntent.PROVIDE, ItemIntent.REPACKAGE):
            address = _installation_address(customer)

    relying = [created[other] for other in relies_on(item) if other in created]
    if offering is None:
        order_item = _record_unknown_item(order, item, intent, requested=code)
    else:
        order_item = services.add_item(
            order,
            by=by,
            offering=offering,
            intent=intent,
            characteristics=characteristics,
            quantity=item.get("quantity", 1),
            install_address=address,
            product=installed,
            relies_on=relying,
        )
        _keep_item_id(order_item, item["id"])
    if offering is None and relying:
        order_item.relies_on.set(relying)
    created[item["id"]] = order_item
    return problems


def _of_customer(queryset, object_id: str):
    return queryset.filter(pk=int(object_id)).first() if object_id.isdigit() and len(object_id) < 19 else None


def _intent(action: str, product_ref: dict, installed, offering) -> str:
    if action == ItemAction.ADD:
        return ItemIntent.PROVIDE
    if action == ItemAction.DELETE:
        return ItemIntent.DISCONTINUE
    if action == ItemAction.NO_CHANGE:
        return ItemIntent.CONTEXT
    status = product_ref.get("status")
    if status == ProductStatus.SUSPENDED:
        return ItemIntent.SUSPEND
    if status == ProductStatus.ACTIVE and installed is not None and installed.status == ProductStatus.SUSPENDED:
        return ItemIntent.RESUME
    if installed is not None and offering is not None and offering.pk != installed.offering_id:
        return ItemIntent.REPACKAGE
    return ItemIntent.CHANGE


def _installation_address(customer: Customer) -> Address | None:
    """The customer's validated installation address, for items that need one and name none."""
    return (
        customer.addresses.filter(purpose=Address.Purpose.INSTALLATION, reference_street__isnull=False)
        .order_by("-validated_at", "-pk")
        .first()
    )


# --- changing an order (PATCH) -------------------------------------------------------------------

PATCHABLE = {"state", "note"}
ANSWERABLE = OrderState.PENDING


@transaction.atomic
def change_order(*, client: ApiClient, order: Order, patch: dict, current: dict) -> None:
    """Apply a TMF622 merge patch: new notes, cancelling an order in flight, or answering a question.

    Everything else is refused (422) unless it leaves the value as it is; a state the order cannot
    move to now is a conflict (409). Either way nothing changes.
    """
    by = client.user
    unchangeable = sorted(k for k in patch if k not in PATCHABLE and patch[k] != current.get(k))
    if unchangeable:
        raise Unprocessable(
            f"{unchangeable[0]} cannot be changed once an order is placed; PATCH may add notes and change "
            "state (cancelled, or back from pending with a note answering the question)."
        )
    new_notes = _new_notes(order, patch.get("note"))
    target = patch.get("state", order.state)
    if target != order.state:
        _check_state_change(order, target, new_notes)
    for text in new_notes:
        services.add_note(order, by=by, text=text, customer_visible=True)
    if target == order.state:
        return
    if target == OrderState.CANCELLED:
        reason = (patch.get("cancellationReason") or (new_notes[-1] if new_notes else "")).strip()
        cancellation = services.request_cancellation(
            order, by=by, reason=reason or f"Cancelled through the API by {client.name}."
        )
        if cancellation.state == CancellationRequest.State.REJECTED:
            raise Conflict(cancellation.refusal_reason)
    else:
        services.answer_information(order, by=by, answer=new_notes[-1])


def _new_notes(order: Order, notes) -> list[str]:
    if notes is None:
        return []
    if not isinstance(notes, list) or not all(isinstance(n, dict) for n in notes):
        raise Unprocessable("note must be a list of notes.")
    existing = {str(pk) for pk in order.notes.filter(customer_visible=True).values_list("pk", flat=True)}
    texts = []
    for note in notes:
        note_id = note.get("id")
        if note_id is not None:
            if str(note_id) not in existing:
                raise Unprocessable(f"note {note_id!r} is not a note of this order; send new notes without an id.")
            continue
        text = note.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > 4000:
            raise Unprocessable("A new note needs its text (up to 4000 characters).")
        texts.append(text.strip())
    return texts


def _check_state_change(order: Order, target, new_notes: list[str]) -> None:
    if target == OrderState.CANCELLED:
        if order.state not in IN_FLIGHT_STATES:
            raise Conflict(
                f"{order.number} is {order.state}; only orders in progress, pending or held can be cancelled."
            )
        too_late = [i for i in order.items.all() if i.past_point_of_no_return]
        if too_late:
            names = ", ".join(i.item_id for i in too_late)
            raise Conflict(f"Too late to cancel {order.number}: item {names} passed the point of no return.")
        return
    if order.state == ANSWERABLE and target == (order.return_state or OrderState.IN_PROGRESS):
        if not new_notes:
            raise Unprocessable("Answer the open question with a new note when moving the order back from pending.")
        if not order.information_requests.filter(answered_at__isnull=True).exists():
            raise Conflict(f"{order.number} has no open question to answer.")
        return
    if target in {OrderState.CANCELLED, OrderState.IN_PROGRESS, OrderState.HELD}:
        raise Conflict(f"{order.number} is {order.state}; it cannot move to {target} now.")
    raise Unprocessable(
        f"API clients cannot set state {target}: cancel an order in flight (cancelled), or answer the question "
        "of a pending order with a note."
    )


# --- cancellation and listeners ------------------------------------------------------------------


def cancel_order(*, client: ApiClient, order: Order, reason: str) -> CancellationRequest:
    """TMF622 CancelProductOrder: the same command as in the console; refused when too late."""
    try:
        return services.request_cancellation(
            order, by=client.user, reason=reason.strip() or f"Cancelled through the API by {client.name}."
        )
    except (services.ActionRefused, services.TransitionNotAllowed, services.ConcurrentTransition) as refusal:
        raise Conflict(str(refusal) or "The order cannot be cancelled now.") from None


def register_listener(*, client: ApiClient, callback: str, query: str = "") -> HubListener:
    return HubListener.objects.create(client=client, callback=callback, query=query)


def unregister_listener(*, client: ApiClient, listener_id: str) -> bool:
    if not listener_id.isdigit() or len(listener_id) > 18:
        return False
    deleted, _ = HubListener.objects.filter(client=client, pk=int(listener_id)).delete()
    return bool(deleted)


# --- thin helpers: writes orders.services does not offer yet -------------------------------------


def _attribute_to_client(order: Order, client: ApiClient, external_id: str) -> None:
    # Wanted: create_draft_order(created_by_client=...). externalId is unique per client.
    try:
        with transaction.atomic():
            Order.objects.filter(pk=order.pk).update(created_by_client=client)
    except IntegrityError:
        raise Conflict(f"An order with externalId {external_id!r} already exists.") from None
    order.created_by_client = client


def _keep_item_id(item: OrderItem, item_id: str) -> None:
    # Wanted: add_item(item_id=...): TMF622 item ids are the client's, and relationships use them.
    if item.item_id != item_id:
        OrderItem.objects.filter(pk=item.pk).update(item_id=item_id)
        item.item_id = item_id


def _record_unknown_item(order: Order, item: dict, intent: str, *, requested: str) -> OrderItem:
    # Wanted: add_item(offering=None, requested_offering=...) for a draft that will be rejected.
    return OrderItem.objects.create(
        order=order,
        item_id=item["id"],
        action=item["action"],
        intent=intent,
        offering=None,
        requested_offering=requested[:100],
        quantity=item.get("quantity", 1),
    )


def _reject(order: Order, by, reasons: list[str]) -> None:
    # Wanted: a public reject_order(order, *, by, reasons) in services, for reasons the channel found.
    if order.state != OrderState.DRAFT:
        raise services.ActionRefused(f"{order.number} has already been submitted.")
    services._reject(order, by, list(dict.fromkeys(reasons)))
