"""Orders that change what a customer already has: change, suspend, resume, transfer, repackage, discontinue."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from customers.models import Customer, InstalledProduct, ProductStatus, User
from orders import lifecycle
from orders.models import (
    InitiatingRequest,
    ItemIntent,
    Order,
    OrderItem,
    OrderState,
    ProductOffering,
)
from orders.requirements import validate_characteristics
from orders.services.drafts import add_item, create_draft_order, record_initiating_request
from orders.services.outcomes import ActionRefused

# --- change orders from the installed base -------------------------------------------------------


def carried_over_characteristics(current: dict | None, offering: ProductOffering) -> dict:
    """What of a product's configuration still applies to `offering`, the one it is repackaged into.

    A value is kept when the new offering asks for a field of the same name and the value is valid
    there (a router the new offering also offers; not a speed it does not have), so the agent or the
    customer is asked again only for what is new or no longer valid. A repeatable group is kept whole
    or not at all: half a list of handsets would be harder to check than an empty one.
    """
    wanted = {spec["name"] for spec in offering.data_requirements or []}
    kept = {name: value for name, value in (current or {}).items() if name in wanted}
    # Dropping one value can invalidate another that refers to it (choices_from), hence the loop.
    while True:
        invalid = {
            _top_level_name(error.path) for error in validate_characteristics(offering.data_requirements, kept)
        } & set(kept)
        if not invalid:
            return kept
        kept = {name: value for name, value in kept.items() if name not in invalid}


def _top_level_name(path: str) -> str:
    """ "handsets[2].extension" -> "handsets"."""
    return path.split(".", 1)[0].split("[", 1)[0]


ALLOWED_FROM = {
    ItemIntent.CHANGE: {ProductStatus.ACTIVE},
    ItemIntent.SUSPEND: {ProductStatus.ACTIVE},
    ItemIntent.RESUME: {ProductStatus.SUSPENDED},
    ItemIntent.CHANGE_OWNERSHIP: {ProductStatus.ACTIVE, ProductStatus.SUSPENDED},
    ItemIntent.REPACKAGE: {ProductStatus.ACTIVE},
    ItemIntent.DISCONTINUE: {ProductStatus.ACTIVE, ProductStatus.SUSPENDED},
}


def check_change_makes_sense(
    product: InstalledProduct | None,
    intent: str,
    *,
    customer: Customer,
    new_owner: Customer | None = None,
    new_offering: ProductOffering | None = None,
    ignore_order: Order | None = None,
) -> None:
    if product is None:
        raise ActionRefused("Choose the product to change.")
    if product.customer_id != customer.pk:
        raise ActionRefused("That product belongs to another customer.")
    allowed = ALLOWED_FROM[intent]
    if product.status not in allowed:
        wanted = " or ".join(ProductStatus(s).label.lower() for s in sorted(allowed))
        raise ActionRefused(
            f"Cannot {ItemIntent(intent).label.lower()} {product.name}: it is "
            f"{product.get_status_display().lower()}, and must be {wanted}."
        )
    if intent == ItemIntent.CHANGE_OWNERSHIP:
        if new_owner is None:
            raise ActionRefused("Choose the customer who takes the product over.")
        if new_owner.pk == customer.pk:
            raise ActionRefused("The product already belongs to this customer.")
    if intent == ItemIntent.REPACKAGE and (new_offering is None or new_offering.pk == product.offering_id):
        raise ActionRefused("Choose a different offering to repackage into.")
    open_items = OrderItem.objects.filter(product=product).exclude(
        order__state__in=[
            OrderState.REJECTED,
            OrderState.CANCELLED,
            OrderState.COMPLETED,
            OrderState.PARTIAL,
            OrderState.FAILED,
        ]
    )
    if ignore_order is not None and ignore_order.pk is not None:
        open_items = open_items.exclude(order=ignore_order)
    busy = open_items.select_related("order").first()
    if busy is not None:
        raise ActionRefused(f"{product.name} already has an open order: {busy.order.number}.")


@transaction.atomic
def create_change_order(
    product: InstalledProduct,
    *,
    intent: str,
    by: User,
    reason: str = "",
    characteristics: dict | None = None,
    new_owner: Customer | None = None,
    new_offering: ProductOffering | None = None,
) -> Order:
    """A draft order that changes, suspends, resumes, transfers, repackages or ends an installed product."""
    if intent in (ItemIntent.PROVIDE, ItemIntent.CONTEXT):
        raise ActionRefused("Use a new order to provide products.")
    customer = product.customer
    if not lifecycle.may_act_for(by, customer):
        raise PermissionDenied
    check_change_makes_sense(product, intent, customer=customer, new_owner=new_owner, new_offering=new_offering)
    offering = new_offering if intent == ItemIntent.REPACKAGE else product.offering
    if characteristics is None:
        characteristics = (
            carried_over_characteristics(product.characteristics, offering)
            if intent == ItemIntent.REPACKAGE
            else dict(product.characteristics)
        )
    initiating = record_initiating_request(
        customer=customer,
        by=by,
        kind=InitiatingRequest.Kind.CUSTOMER_REQUEST,
        details=reason or f"{ItemIntent(intent).label}: {product.name}",
    )
    order = create_draft_order(
        customer=customer,
        by=by,
        initiating_request=initiating,
        description=f"{ItemIntent(intent).label}: {product.name}",
    )
    add_item(
        order,
        by=by,
        offering=offering,
        intent=intent,
        characteristics=characteristics,
        product=product,
        new_owner=new_owner,
        install_address=product.install_address,
    )
    return order
