"""Completing an order (eTOM 1.3.3.4): the customer's sign-off, then the installed base and the order's end."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from customers.models import InstalledProduct, ProductStatus, User
from orders import lifecycle
from orders.models import (
    DeliverySignOff,
    ItemIntent,
    ItemState,
    Order,
    OrderItem,
    OrderNote,
    OrderState,
)


def finish(order: Order, items: list[OrderItem]) -> None:
    """Update the installed base from the delivered items, then complete the order."""
    today = timezone.localdate()
    delivered = [item for item in items if item.state == ItemState.COMPLETED]
    for item in delivered:
        _apply_to_installed_base(item, today)
    for item in items:
        if item.state != ItemState.COMPLETED and item.intent == ItemIntent.PROVIDE and item.product_id:
            InstalledProduct.objects.filter(pk=item.product_id).update(status=ProductStatus.CANCELLED)
    if not delivered:
        lifecycle.move(order, "fail", by=None, note="No item could be delivered.")
    elif len(delivered) < len(items):
        lifecycle.move(order, "complete_partially", by=None, note=f"{len(delivered)} of {len(items)} items delivered.")
    else:
        lifecycle.move(order, "complete", by=None, note="Every item delivered; the customer record is updated.")


def _apply_to_installed_base(item: OrderItem, today: dt.date) -> None:
    product = item.product
    if item.intent == ItemIntent.PROVIDE:
        product.status, product.start_date = ProductStatus.ACTIVE, today
    elif item.intent == ItemIntent.CHANGE:
        product.characteristics = item.characteristics
    elif item.intent == ItemIntent.SUSPEND:
        product.status = ProductStatus.SUSPENDED
    elif item.intent == ItemIntent.RESUME:
        product.status = ProductStatus.ACTIVE
    elif item.intent == ItemIntent.CHANGE_OWNERSHIP:
        # The old owner's address means nothing to the new owner.
        product.customer, product.install_address = item.new_owner, None
    elif item.intent == ItemIntent.DISCONTINUE:
        product.status, product.termination_date = ProductStatus.TERMINATED, today
    elif item.intent == ItemIntent.REPACKAGE:
        product.status, product.termination_date = ProductStatus.TERMINATED, today
        product.last_order_item = item
        product.save()
        InstalledProduct.objects.create(
            customer=product.customer,
            offering=item.offering,
            name=item.offering.name,
            status=ProductStatus.ACTIVE,
            characteristics=item.characteristics,
            install_address=item.install_address or product.install_address,
            start_date=today,
            last_order_item=item,
        )
        return
    product.last_order_item = item
    product.save()


# --- the customer's sign-off (eTOM 1.3.3.4) ------------------------------------------------------


@transaction.atomic
def sign_off_delivery(
    order: Order,
    *,
    by: User,
    test_result: str,
    accepted: bool,
    remarks: str = "",
    training: str = DeliverySignOff.Training.NOT_OFFERED,
    training_date: dt.date | None = None,
) -> DeliverySignOff:
    """Record the commissioning test and the customer's acceptance; accepted delivery completes the order."""
    order = lifecycle.lock(order)
    if not lifecycle.may_act_for(by, order.customer) and not by.has_perm("orders.answer_information"):
        raise PermissionDenied
    if order.state != OrderState.PENDING or not order.awaiting_signoff:
        raise lifecycle.ActionRefused(f"{order.number} is not waiting for a sign-off.")
    if training == DeliverySignOff.Training.SCHEDULED and training_date is None:
        raise lifecycle.ActionRefused("Give the date of the training session.")
    signoff = DeliverySignOff.objects.create(
        order=order,
        test_result=test_result,
        accepted=accepted,
        remarks=remarks.strip(),
        training=training,
        training_date=training_date,
        signed_by=by,
    )
    order.awaiting_signoff = False
    passed = accepted and test_result != DeliverySignOff.TestResult.FAILED
    lifecycle.move(
        order,
        "resume_from_customer",
        by=by,
        note="Customer signed off delivery." if passed else f"Customer did not accept: {remarks}",
    )
    if passed:
        finish(order, list(order.items.select_related("offering", "product", "new_owner")))
    else:
        lifecycle.move(order, "hold", by=None, note="Fallout: the customer's acceptance test did not pass.")
        OrderNote.objects.create(
            order=order, author=by, text=f"Acceptance test: {remarks or test_result}", customer_visible=True
        )
    return signoff
