"""Capturing an order: drafts, their items and notes, and the request that initiated them."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from customers.models import Address, Customer, InstalledProduct, User
from orders import lifecycle
from orders.models import (
    ACTION_FOR_INTENT,
    InitiatingRequest,
    ItemIntent,
    Order,
    OrderItem,
    OrderNote,
    OrderState,
    ProductOffering,
)
from orders.numbers import hold_chosen_number, number_spec, release_held_number
from orders.pricing import configured_prices, repriced
from orders.qualification import qualify
from orders.services.outcomes import ActionRefused

# --- drafts --------------------------------------------------------------------------------------

ORDER_FIELDS = {
    "category",
    "priority",
    "description",
    "external_id",
    "requested_start_date",
    "requested_completion_date",
    "special_requirements",
    "appointment_preference",
    "initiating_request",
}


@transaction.atomic
def create_draft_order(*, customer: Customer, by: User, channel: str | None = None, **fields) -> Order:
    """Start an order for a customer in the channel of whoever captures it."""
    if not lifecycle.may_act_for(by, customer):
        raise PermissionDenied
    unknown = set(fields) - ORDER_FIELDS
    if unknown:
        raise TypeError(f"Unknown order fields: {', '.join(sorted(unknown))}")
    # No event yet: listeners hear of an order when it is placed (submit_order), as a draft is
    # nobody's business but its author's and they could not fetch it.
    return Order.objects.create(
        customer=customer, channel=channel or lifecycle.channel_of(by), captured_by=by, **fields
    )


def _editable_draft(order: Order, by: User) -> Order:
    order = lifecycle.lock(order)
    if order.state != OrderState.DRAFT:
        raise ActionRefused(f"{order.number} is {order.get_state_display().lower()}; only drafts can be edited.")
    if not lifecycle.may_act_for(by, order.customer):
        raise PermissionDenied
    return order


@transaction.atomic
def discard_draft(order: Order, *, by: User, reason: str = "") -> Order:
    """Give up a draft nobody will submit: it is cancelled, with who and why in its history.

    No event is published: listeners never heard of the draft (they hear of an order when it is
    placed). An order already submitted is refused; it needs a cancellation request instead.
    """
    order = lifecycle.lock(order)
    if order.state != OrderState.DRAFT:
        raise ActionRefused(
            f"{order.number} has been submitted, so it cannot be discarded; request its cancellation instead."
        )
    lifecycle.record(order, "discard", by=by, note=reason.strip() or "Draft discarded.")
    lifecycle.move_items(order, "cancel")
    return order


@transaction.atomic
def update_draft_order(order: Order, *, by: User, **fields) -> Order:
    """Change order-level details of a draft."""
    order = _editable_draft(order, by)
    unknown = set(fields) - ORDER_FIELDS
    if unknown:
        raise TypeError(f"Unknown order fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(order, name, value)
    order.save()
    return order


@transaction.atomic
def record_initiating_request(
    *, customer: Customer, by: User, kind: str, reference: str = "", details: str = ""
) -> InitiatingRequest:
    """Record what led to one or more orders (a quote, a trouble ticket, a performance complaint)."""
    if not lifecycle.may_act_for(by, customer):
        raise PermissionDenied
    request = InitiatingRequest(customer=customer, kind=kind, reference=reference, details=details, recorded_by=by)
    request.full_clean()
    request.save()
    return request


@transaction.atomic
def add_item(
    order: Order,
    *,
    by: User,
    offering: ProductOffering,
    intent: str = ItemIntent.PROVIDE,
    characteristics: dict | None = None,
    quantity: int = 1,
    install_address: Address | None = None,
    product: InstalledProduct | None = None,
    new_owner: Customer | None = None,
    relies_on: list[OrderItem] | None = None,
) -> OrderItem:
    """Add an item to a draft; prices are taken from the catalog now, so later price changes don't move it."""
    order = _editable_draft(order, by)
    prices = configured_prices(offering, characteristics)
    next_id = str(max((int(i) for i in order.items.values_list("item_id", flat=True) if i.isdigit()), default=0) + 1)
    item = OrderItem.objects.create(
        order=order,
        item_id=next_id,
        action=ACTION_FOR_INTENT[intent],
        intent=intent,
        offering=offering,
        characteristics=characteristics or {},
        quantity=quantity,
        install_address=install_address,
        product=product,
        new_owner=new_owner,
        one_off_price=prices.one_off,
        recurring_price=prices.recurring,
        is_bespoke=offering.is_bespoke,
    )
    if relies_on:
        item.relies_on.set(relies_on)
    if number_spec(offering.data_requirements):
        hold_chosen_number(item)
    return item


@transaction.atomic
def add_offering(order: Order, *, by: User, offering: ProductOffering, place: Address | None = None) -> OrderItem:
    """Add a new product to a draft if the customer can have it (at `place`, when one is chosen); else refuse why.

    The same qualification the products step shows, so what it did not offer can't be added by hand.
    """
    ordering = {item.offering_id for item in order.items.all() if item.intent == ItemIntent.PROVIDE}
    answer = qualify(offering, order.customer, place, ordering=ordering)
    if not answer.eligible:
        raise ActionRefused(answer.explanation)
    return add_item(order, by=by, offering=offering)


@transaction.atomic
def update_item(item: OrderItem, *, by: User, **fields) -> OrderItem:
    """Change an item of a draft (characteristics, address, quantity, offering)."""
    _editable_draft(item.order, by)
    allowed = {"characteristics", "quantity", "install_address", "offering", "new_owner"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Unknown item fields: {', '.join(sorted(unknown))}")
    configured_before = item.characteristics
    for name, value in fields.items():
        setattr(item, name, value)
    if "offering" in fields:
        item.is_bespoke = item.offering.is_bespoke
        prices = configured_prices(item.offering, item.characteristics)
        item.one_off_price, item.recurring_price = prices.one_off, prices.recurring
    elif "characteristics" in fields:
        # Entries charged per row (handsets) move the price by what they add or take away; the price
        # taken when the item was added stays, so a later catalog change still does not move it.
        prices = repriced(item, item.offering, configured_before, item.characteristics)
        item.one_off_price, item.recurring_price = prices.one_off, prices.recurring
    item.save()
    if "offering" in fields or (item.offering_id and number_spec(item.offering.data_requirements)):
        # The line's number is held for the draft as soon as it is chosen (and let go when it changes).
        hold_chosen_number(item)
    return item


@transaction.atomic
def remove_item(item: OrderItem, *, by: User) -> None:
    _editable_draft(item.order, by)
    release_held_number(item)
    item.delete()


@transaction.atomic
def add_note(order: Order, *, by: User, text: str, customer_visible: bool = False) -> OrderNote:
    if not lifecycle.may_act_for(by, order.customer) and not by.has_perm("orders.view_order"):
        raise PermissionDenied
    if not text.strip():
        raise ActionRefused("A note needs some text.")
    return OrderNote.objects.create(
        order=order, author=by, text=text.strip(), customer_visible=customer_visible or bool(by.customer_id)
    )
