"""What TMF622 does when a client writes: each request is one transaction built from the services.

A create is services.place_order, the same rules as capturing and submitting in the console (with
reject_if_incomplete), taken in one go: what an API client sees matches the agent console, and an
order costs the same number of statements whatever its number of items. Problems only the API can
see (a party the client may not order for, an unknown offering, product or place) reject the order
with the reasons.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db import IntegrityError

from customers.models import Address, Customer, ProductStatus
from orders import services
from orders.catalog import orderable_offerings
from orders.models import (
    IN_FLIGHT_STATES,
    ApiClient,
    ApiOrderSubmission,
    CancellationRequest,
    HubListener,
    InitiatingRequest,
    ItemAction,
    ItemIntent,
    Order,
    OrderCategory,
    OrderPriority,
    OrderState,
)
from orders.pricing import CHARGED_INTENTS
from orders.requirements import FieldError
from ordersite.tmf.tmf622.qualifications import check_reference, qualifications_named, reference_in
from ordersite.tmf.tmf622.serializers import relies_on
from ordersite.tmf.tmf629.selectors import customer_for, installation_address
from ordersite.tmf.tmf630.errors import Conflict, Unprocessable

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


# --- creating an order ---------------------------------------------------------------------------


def place_order(*, client: ApiClient, data: dict, raw: dict, idempotency_key: str = "") -> Placed:
    """Create, check and submit an order from a validated TMF622 ProductOrder_Create.

    Business problems give a rejected order (201), never an error. The same Idempotency-Key with the
    same body answers with the first order; with another body it is refused (422).
    """
    digest = body_digest(raw)
    try:
        return Placed(_place(client, data, digest, idempotency_key))
    except IntegrityError:
        # A unique constraint met a twin: the same Idempotency-Key or externalId, sent before or by a
        # request that won the race (PostgreSQL holds our insert until the twin commits, so the twin
        # is there to read now). Ours is undone. The key is looked at before the externalId: a retry
        # of the README's example carries both and must be replayed, not called a duplicate. Twins
        # are rare, so a new order looks nothing up beforehand.
        earlier = _earlier(client, idempotency_key) if idempotency_key else None
        if earlier is not None:
            return _replay(earlier, digest)
        external_id = data.get("externalId", "").strip()
        if external_id and Order.objects.filter(created_by_client=client, external_id=external_id).exists():
            raise Conflict(f"An order with externalId {external_id!r} already exists.") from None
        raise


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


def _place(client: ApiClient, data: dict, digest: str, idempotency_key: str) -> Order:
    """Read what the order names, then one command (one transaction) with a fixed number of statements.

    A reused externalId is left to its unique constraint (see place_order), not looked up here.
    """
    external_id = data.get("externalId", "").strip()
    parties = data.get("relatedParty", [])
    party = _customer_party(parties)
    customer = customer_for(client, party["id"]) if party else None
    refusals: list[FieldError] = []
    if party is None:
        refusals.append(FieldError("relatedParty", "name the customer the order is for (a party with role customer)"))
    elif customer is None:
        refusals.append(FieldError("relatedParty", f"{party['id']!r} is not a customer this client may order for"))

    catalog = _Catalog(customer, data["productOrderItem"], client)
    requests = []
    for index, item in enumerate(data["productOrderItem"]):
        request, problems = catalog.request_for(item)
        # An item relies only on items before it, so dependencies can never go round in a circle.
        request.relies_on = [other for other in request.relies_on if other in {r.item_id for r in requests}]
        requests.append(request)
        refusals += [FieldError(f"items[{index}].{problem.path}", problem.message) for problem in problems]

    quotes = data.get("quote", [])
    return services.place_client_order(
        client=client,
        idempotency_key=idempotency_key,
        body_digest=digest,
        related_party=[_plain_party(p) for p in parties],
        party_id=party["id"] if party else "",
        customer=customer or client.holding_customer,
        items=requests,
        initiating_request=InitiatingRequest(
            kind=InitiatingRequest.Kind.SALES_PROPOSAL if quotes else InitiatingRequest.Kind.CUSTOMER_REQUEST,
            reference=(quotes[0]["id"] if quotes else external_id)[:60],
            details=f"Sent through the TMF622 API by {client.name}.",
        ),
        notes=[note["text"] for note in data.get("note", [])],
        refusals=refusals,
        # Without a customer we know, only the product configuration can be judged.
        keep_error=None if customer is not None else lambda error: ".characteristics" in error.path,
        **_order_fields(data),
    )


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


class _Catalog:
    """Everything the order's items name, each kind loaded in one query, so items cost no statements."""

    def __init__(self, customer: Customer | None, items: list[dict], client: ApiClient):
        self.customer = customer
        self.qualifications = qualifications_named(client, items)
        codes = {item["productOffering"]["id"].strip() for item in items if item.get("productOffering")}
        self.offerings = orderable_offerings(codes)
        self.products = {}
        self.addresses = {}
        if customer is not None:
            product_ids = [_key(item.get("product", {}).get("id", "")) for item in items if item["action"] != "add"]
            if any(product_ids):
                self.products = {
                    str(p.pk): p
                    for p in customer.products.filter(pk__in=[i for i in product_ids if i]).select_related(
                        "offering", "install_address__reference_street__district"
                    )
                }
            place_ids = [_key(place["id"]) for item in items for place in item.get("product", {}).get("place", [])[:1]]
            if any(place_ids):
                self.addresses = {
                    str(a.pk): a
                    for a in customer.addresses.filter(pk__in=[i for i in place_ids if i]).select_related(
                        "reference_street__district"
                    )
                }
        self._installation_address = None

    def installation_address(self) -> Address | None:
        """The customer's validated installation address, for items that need one and name none."""
        if self._installation_address is None:
            self._installation_address = installation_address(self.customer) or False
        return self._installation_address or None

    def request_for(self, item: dict) -> tuple[services.ItemRequest, list[FieldError]]:
        """The item as the services take it, and the problems only the API can see."""
        problems: list[FieldError] = []
        action = item["action"]
        offering_ref = item.get("productOffering")
        product_ref = item.get("product", {})
        code = offering_ref["id"].strip() if offering_ref else ""
        offering = self.offerings.get(code)
        if code and offering is None:
            problems.append(FieldError("offering", f"unknown product offering {code!r}"))
        characteristics = {c["name"]: c["value"] for c in product_ref.get("productCharacteristic", [])}

        installed = None
        if action != ItemAction.ADD:
            product_id = product_ref.get("id", "").strip()
            if not product_id:
                problems.append(FieldError("product", "name the product to change (product.id)"))
            elif self.customer is not None:
                installed = self.products.get(_key(product_id))
                if installed is None:
                    problems.append(FieldError("product", f"{product_id!r} is not a product of this customer"))
        elif not code:
            problems.append(FieldError("offering", "name the productOffering to add (productOffering.id)"))

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
        if places and self.customer is not None:
            place_id = places[0]["id"].strip()
            address = self.addresses.get(_key(place_id))
            if address is None:
                problems.append(FieldError("install_address", f"{place_id!r} is not an address of this customer"))
        elif self.customer is not None and offering is not None and offering.requires_install_address:
            if installed is not None and installed.install_address_id:
                address = installed.install_address
            elif intent in CHARGED_INTENTS:
                address = self.installation_address()

        qualification, qualification_item_id = None, ""
        reference = reference_in(item)
        if reference is not None:
            qualification, qualification_item_id, problem = check_reference(
                reference, self.qualifications, self.customer, code or (offering.code if offering else "")
            )
            problems += [problem] if problem else []

        request = services.ItemRequest(
            item_id=item["id"],
            offering=offering,
            intent=intent,
            requested_offering=code,
            characteristics=characteristics,
            quantity=item.get("quantity", 1),
            install_address=address,
            product=installed,
            relies_on=relies_on(item),
            qualification=qualification,
            qualification_item_id=qualification_item_id,
        )
        return request, problems


def _key(object_id: str) -> str:
    """An id that can be one of our keys, as text; "" for anything else."""
    object_id = object_id.strip()
    return object_id if object_id.isdigit() and len(object_id) < 19 else ""


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


# --- changing an order (PATCH) -------------------------------------------------------------------

PATCHABLE = {"state", "note"}
ANSWERABLE = OrderState.PENDING


def change_order(*, client: ApiClient, order: Order, patch: dict, current: dict) -> None:
    """Apply a TMF622 merge patch: new notes, cancelling an order in flight, or answering a question.

    Everything else is refused (422) unless it leaves the value as it is; a state the order cannot
    move to now is a conflict (409). Either way nothing changes: the checks come first, then one
    command (services.follow_up_order) does it all or nothing.
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
    if target == order.state and not new_notes:
        return
    cancellation_reason = answer = None
    if target == OrderState.CANCELLED and target != order.state:
        reason = (patch.get("cancellationReason") or (new_notes[-1] if new_notes else "")).strip()
        cancellation_reason = reason or f"Cancelled through the API by {client.name}."
    elif target != order.state:
        answer = new_notes[-1]
    try:
        services.follow_up_order(order, by=by, notes=new_notes, cancellation_reason=cancellation_reason, answer=answer)
    except services.CancellationRefused as refused:
        raise Conflict(refused.cancellation.refusal_reason) from None


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
        if order.why_not_cancellable:
            raise Conflict(order.why_not_cancellable)
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
