"""Use cases that chain several commands, each one command and one transaction: all of it or none of it.

A channel turns a request into one call of these: starting an order from what initiated it, changing
that request, saving a capture step's items (and the draft's details), sending a change to an
installed product, placing an order an API client sent whole, following up an order in flight.
They raise what the commands they are made of raise, so every channel says the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from django.db import transaction

from customers.commands import add_address
from customers.models import Address, Customer, InstalledProduct, User
from orders.models import ApiClient, ApiOrderSubmission, CancellationRequest, InitiatingRequest, Order, OrderItem
from orders.services.cancellation import request_cancellation
from orders.services.change_orders import create_change_order
from orders.services.drafts import (
    add_item,
    add_note,
    create_draft_order,
    record_initiating_request,
    update_draft_order,
    update_item,
)
from orders.services.outcomes import ActionRefused, SubmissionOutcome
from orders.services.placing import place_order
from orders.services.review import answer_information
from orders.services.submission import submit_order


class CancellationRefused(ActionRefused):
    """A cancellation asked for within a larger change was refused (an item passed its point of no return)."""

    def __init__(self, cancellation: CancellationRequest):
        self.cancellation = cancellation
        super().__init__(cancellation.refusal_reason)


def _initiating(customer: Customer, by: User, request: InitiatingRequest | Mapping) -> InitiatingRequest:
    """A request already on record, or a new one from its kind, reference and details."""
    if isinstance(request, InitiatingRequest):
        return request
    return record_initiating_request(customer=customer, by=by, **request)


@transaction.atomic
def start_order(
    customer: Customer,
    *,
    by: User,
    request: InitiatingRequest | Mapping,
    items: Iterable[Mapping] = (),
    **order_fields,
) -> Order:
    """Start a draft from what initiated it (one on record, or kind/reference/details of a new one), with items.

    Each of `items` is what add_item takes (offering, install_address, ...).
    """
    order = create_draft_order(
        customer=customer, by=by, initiating_request=_initiating(customer, by, request), **order_fields
    )
    for item in items:
        add_item(order, by=by, **item)
    return order


@transaction.atomic
def change_initiating_request(order: Order, *, by: User, request: InitiatingRequest | Mapping, **order_fields) -> Order:
    """Point a draft at another initiating request (recording it if new) and change its details with it."""
    initiating = _initiating(order.customer, by, request)
    return update_draft_order(order, by=by, initiating_request=initiating, **order_fields)


@transaction.atomic
def configure_items(order: Order, *, by: User, changes: Mapping[OrderItem, dict], **order_fields) -> Order:
    """Change several items of a draft (what update_item takes, per item) and, if given, the draft's details.

    Items with no changes are left alone; the draft is updated only when `order_fields` are given.
    The items passed in are updated in place, as update_item does.
    """
    for item, fields in changes.items():
        if fields:
            update_item(item, by=by, **fields)
    if order_fields:
        order = update_draft_order(order, by=by, **order_fields)
    return order


@transaction.atomic
def set_delivery(
    order: Order,
    *,
    by: User,
    items: list[OrderItem],
    address: Address | None = None,
    new_address: Mapping | None = None,
    **order_fields,
) -> Address | None:
    """The delivery step: where the items that need one are installed, and the draft's delivery details.

    A new install address (`new_address`, what customers.commands.add_address takes) is added to the
    customer in the same transaction, so a refusal of either keeps neither. Returns the address used.
    """
    if new_address is not None:
        address = add_address(order.customer, by=by, **{**new_address, "purpose": Address.Purpose.INSTALLATION})
    changes = {
        item: {"install_address": address}
        for item in items
        if address is not None and item.install_address_id != address.pk
    }
    configure_items(order, by=by, changes=changes, **order_fields)
    return address


@transaction.atomic
def send_change(
    product: InstalledProduct,
    *,
    by: User,
    intent: str,
    reason: str = "",
    characteristics: dict | None = None,
    submission_key: Callable[[Order], str] | None = None,
) -> SubmissionOutcome:
    """Create a change order for an installed product and submit it; nothing is kept if either is refused.

    `submission_key` gives submit_order's key from the new order (its number is known only then).
    OrderIncomplete, ActionRefused and the rest come from create_change_order and submit_order.
    """
    order = create_change_order(product, intent=intent, by=by, reason=reason, characteristics=characteristics)
    return submit_order(order, by=by, submission_key=submission_key(order) if submission_key else None)


@transaction.atomic
def place_client_order(
    *,
    client: ApiClient,
    idempotency_key: str = "",
    body_digest: str,
    related_party: list[dict] = (),
    party_id: str = "",
    **order,
) -> Order:
    """Place an order an API client sent whole (place_order) and remember what it sent, in one transaction.

    `order` is what place_order takes besides who places it. A reused Idempotency-Key raises
    IntegrityError (the submission's unique constraint) and nothing is kept.
    """
    submission = ApiOrderSubmission(
        client=client,
        idempotency_key=idempotency_key,
        body_digest=body_digest,
        related_party=list(related_party),
        party_id=party_id,
    )
    outcome = place_order(
        by=client.user, channel=client.channel, created_by_client=client, recorded_with=[submission], **order
    )
    placed = outcome.order
    placed.api_submission = submission
    return placed


@transaction.atomic
def follow_up_order(
    order: Order,
    *,
    by: User,
    notes: Iterable[str] = (),
    cancellation_reason: str | None = None,
    answer: str | None = None,
) -> Order:
    """Add customer-visible notes, then request the order's cancellation or answer its open question.

    All or nothing: a refused cancellation raises CancellationRefused and the notes are not kept.
    """
    if cancellation_reason is not None and answer is not None:
        raise ActionRefused("Either cancel the order or answer its question, not both.")
    for text in notes:
        add_note(order, by=by, text=text, customer_visible=True)
    if cancellation_reason is not None:
        cancellation = request_cancellation(order, by=by, reason=cancellation_reason)
        if cancellation.state == CancellationRequest.State.REJECTED:
            raise CancellationRefused(cancellation)
    elif answer is not None:
        answer_information(order, by=by, answer=answer)
    return order
