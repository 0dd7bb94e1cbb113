"""Completing an order (eTOM 1.3.3.4): the installed base and the order's end (the sign-off: orchestration)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from customers.models import InstalledProduct, ProductStatus
from orders import lifecycle, numbers
from orders.models import (
    ItemIntent,
    ItemState,
    Order,
    OrderItem,
)


def finish(order: Order, items: list[OrderItem]) -> None:
    """Update the installed base from the delivered items, then complete the order."""
    today = timezone.localdate()
    delivered = [item for item in items if item.state == ItemState.COMPLETED]
    for item in delivered:
        _apply_to_installed_base(item, today)
    numbers.assign_numbers(delivered)
    numbers.quarantine_numbers_of(
        [item.product for item in delivered if item.intent == ItemIntent.DISCONTINUE and item.product_id], today
    )
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
