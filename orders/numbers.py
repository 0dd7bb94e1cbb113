"""The number pool: numbers offered at capture, held for an order item, assigned at activation, released.

A line's offering asks for its number with a telephone_number requirement (orders.requirements).
The customer chooses one of a few free numbers, or keeps theirs (porting it in):

- while the order is a draft, the chosen number is held for the item for HOLD_FOR_DRAFT, renewed on
  every save; an abandoned draft's hold runs out and the number is free again, no job needed;
- from submission the hold lasts as long as the order; an order that ends without delivering the
  item (cancelled, rejected, failed) frees it;
- when the product becomes active the number is assigned to it for good (a kept number at the same
  moment: its port completes with the activation); an item that never chose one gets a free number then;
- a terminated product's number rests in quarantine before it is offered again.

Taking a number is one conditional UPDATE (status free → reserved); PostgreSQL re-reads the row
after a concurrent writer commits, so of two agents choosing the same number exactly one gets it.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from customers.models import InstalledProduct, NumberStatus, ProductStatus, TelephoneNumber
from customers.number_pool import QUARANTINE
from customers.telephone import NumberKind, kind_of, national, to_e164
from orders.models import ItemIntent, Order, OrderItem, OrderState
from orders.requirements import FieldError

HOLD_FOR_DRAFT = dt.timedelta(minutes=30)
OFFERED = 5
HELD_STATUSES = (NumberStatus.RESERVED, NumberStatus.PORTING_IN)


def number_spec(requirements) -> dict | None:
    """The offering's telephone_number requirement (a line has one number), or None."""
    return next(
        (s for s in requirements or [] if isinstance(s, dict) and s.get("type") == "telephone_number"),
        None,
    )


def free_numbers(kind: str | None, now: dt.datetime | None = None) -> QuerySet[TelephoneNumber]:
    """Numbers that may be offered (of a kind, or any): available, a draft hold run out, or out of quarantine."""
    now = now or timezone.now()
    free = (
        Q(status=NumberStatus.AVAILABLE)
        | Q(status=NumberStatus.RESERVED, held_until__lt=now)
        | Q(status=NumberStatus.RESERVED, order_item__isnull=True)
        | Q(status=NumberStatus.QUARANTINED, quarantined_until__lt=now.date())
    )
    numbers = TelephoneNumber.objects.filter(free)
    return numbers.filter(kind=kind) if kind else numbers


def numbers_offered(spec: dict, *, holder: OrderItem | None = None, count: int = OFFERED) -> list[TelephoneNumber]:
    """What the capture form offers: the number this item holds first, then the first few free ones."""
    kind = spec.get("number_kind", NumberKind.MOBILE)
    offered = list(free_numbers(kind).order_by("e164")[:count])
    if holder is not None and holder.pk:
        held = TelephoneNumber.objects.filter(order_item=holder, status=NumberStatus.RESERVED).first()
        if held is not None:
            offered = [held] + [n for n in offered if n.pk != held.pk][: count - 1]
    return offered


# --- at capture ----------------------------------------------------------------------------------


def hold_chosen_number(item: OrderItem) -> TelephoneNumber | None:
    """Hold the number the item's characteristics name for it (in the caller's transaction); release any other.

    A number someone else took meanwhile is not held: pool_errors says so at the field.
    """
    spec = number_spec(item.offering.data_requirements if item.offering_id else [])
    value = (item.characteristics or {}).get(spec["name"]) if spec else None
    current = TelephoneNumber.objects.select_for_update().filter(order_item=item, status__in=HELD_STATUSES).first()
    e164 = to_e164(value.get("number")) if isinstance(value, dict) and value.get("number") else None
    kind = spec.get("number_kind", NumberKind.MOBILE) if spec else None
    if e164 is None or kind_of(e164) != kind or item.intent != ItemIntent.PROVIDE:
        _release(current)
        return None
    keep = bool(value.get("keep"))
    until = timezone.now() + HOLD_FOR_DRAFT if item.order.state == OrderState.DRAFT else None
    if current is not None and current.e164 == e164 and (current.status == NumberStatus.PORTING_IN) == keep:
        current.held_until = until
        current.ported_from = str(value.get("current_provider", ""))[:100] if keep else ""
        current.save(update_fields=["held_until", "ported_from", "updated_at"])
        return current
    _release(current)
    if keep:
        return _port_in(item, e164, kind, str(value.get("current_provider", ""))[:100], until)
    taken = (
        free_numbers(kind)
        .filter(e164=e164)
        .update(status=NumberStatus.RESERVED, order_item=item, product=None, held_until=until, ported_from="")
    )
    return TelephoneNumber.objects.get(e164=e164) if taken else None


def _port_in(item: OrderItem, e164: str, kind: str, provider: str, until) -> TelephoneNumber | None:
    """A kept number joins the pool as porting in, held for this item; never one we already have."""
    try:
        with transaction.atomic():
            return TelephoneNumber.objects.create(
                e164=e164,
                kind=kind,
                status=NumberStatus.PORTING_IN,
                order_item=item,
                held_until=until,
                ported_from=provider,
            )
    except IntegrityError:
        return None


def _release(number: TelephoneNumber | None) -> None:
    if number is None:
        return
    if number.status == NumberStatus.PORTING_IN:
        number.delete()  # never ours: it stays with the other provider
        return
    TelephoneNumber.objects.filter(pk=number.pk, status=NumberStatus.RESERVED).update(
        status=NumberStatus.AVAILABLE, order_item=None, held_until=None
    )


def release_held_number(item: OrderItem) -> None:
    """An item leaves its draft: its number goes back to the pool."""
    _release(TelephoneNumber.objects.filter(order_item=item, status__in=HELD_STATUSES).first())


def pool_errors(requirements, document: dict, holder: OrderItem | None) -> list[FieldError]:
    """The chosen or kept number is not held for this item (taken by another order, or ours already)."""
    spec = number_spec(requirements)
    value = (document or {}).get(spec["name"]) if spec else None
    if holder is None or not holder.pk or not isinstance(value, dict) or not value.get("number"):
        return []
    e164 = to_e164(value["number"])
    if e164 is None:
        return []  # the requirement's own rule says what is wrong
    if holder.intent != ItemIntent.PROVIDE:
        # A change leaves the line's number as it is.
        if TelephoneNumber.objects.filter(product_id=holder.product_id, e164=e164).exists():
            return []
        return [FieldError(spec["name"], "a line keeps its number: changing it is not offered")]
    if TelephoneNumber.objects.filter(order_item=holder, e164=e164, status__in=HELD_STATUSES).exists():
        return []
    if value.get("keep"):
        return [FieldError(f"{spec['name']}.number", f"{national(e164)} is already one of our numbers")]
    return [FieldError(spec["name"], f"{national(e164)} has just been taken by another order: choose another")]


# --- orders that arrive whole (the API) ----------------------------------------------------------------


def _numbers_asked(lines: list[OrderItem]) -> list[tuple[int, OrderItem, dict, str]]:
    """(index, line, spec, E.164) of every line whose characteristics name a number."""
    asked = []
    for index, line in enumerate(lines):
        spec = number_spec(line.offering.data_requirements) if line.offering is not None else None
        value = (line.characteristics or {}).get(spec["name"]) if spec else None
        e164 = to_e164(value.get("number")) if isinstance(value, dict) and value.get("number") else None
        if e164 is not None and line.intent == ItemIntent.PROVIDE:
            asked.append((index, line, spec, e164))
    return asked


def numbers_not_to_be_had(lines: list[OrderItem]) -> list[FieldError]:
    """The numbers an order arriving whole asks for that the pool cannot give; no query when it asks for none."""
    asked = _numbers_asked(lines)
    if not asked:
        return []
    wanted = [e164 for *_, e164 in asked]
    free = set(free_numbers(None).filter(e164__in=wanted).values_list("e164", flat=True))
    known = set(TelephoneNumber.objects.filter(e164__in=wanted).values_list("e164", flat=True))
    errors = []
    for index, line, spec, e164 in asked:
        path = f"items[{index}].characteristics.{spec['name']}"
        if line.characteristics[spec["name"]].get("keep"):
            if e164 in known:
                errors.append(FieldError(f"{path}.number", f"{national(e164)} is already one of our numbers"))
        elif e164 not in free:
            errors.append(FieldError(path, f"{national(e164)} is not free: choose another, or leave it out"))
    return errors


def hold_numbers_of(lines: list[OrderItem]) -> None:
    """The numbers an accepted order arriving whole asked for are held for it (written lines only)."""
    for _index, line, _spec, _e164 in _numbers_asked(lines):
        hold_chosen_number(line)


def renew_holds_for_order(order: Order) -> int:
    """On submission: the order's numbers stay held as long as the order does (no draft expiry)."""
    return TelephoneNumber.objects.filter(order_item__order=order, status__in=HELD_STATUSES).update(held_until=None)


def release_for_order(order: Order) -> int:
    """An order ended: numbers it held but did not assign return to the pool; kept numbers stay with their provider."""
    TelephoneNumber.objects.filter(order_item__order=order, status=NumberStatus.PORTING_IN).delete()
    return TelephoneNumber.objects.filter(order_item__order=order, status=NumberStatus.RESERVED).update(
        status=NumberStatus.AVAILABLE, order_item=None, held_until=None
    )


# --- at activation and termination -----------------------------------------------------------------


def assign_numbers(items: list[OrderItem]) -> None:
    """Delivered lines: the held number (or a kept one, its port now complete) becomes the product's for certain.

    An item that never chose a number (an API order) gets the first free one now.
    """
    for item in items:
        if item.intent == ItemIntent.REPACKAGE and item.product_id:
            _move_to_repackaged_product(item)
        if item.intent != ItemIntent.PROVIDE or not item.product_id or not item.offering_id:
            continue
        spec = number_spec(item.offering.data_requirements)
        if spec is None:
            continue
        number = TelephoneNumber.objects.select_for_update().filter(order_item=item, status__in=HELD_STATUSES).first()
        if number is None:
            number = _first_free(spec, item)
        if number is None:
            continue  # an empty pool: the line works without a shown number until one is loaded
        number.status, number.product, number.held_until = NumberStatus.ASSIGNED, item.product, None
        number.order_item = item
        number.save(update_fields=["status", "product", "order_item", "held_until", "updated_at"])
        value = {"number": number.e164}  # a kept number's porting data is spent once its port completes
        characteristics = {**(item.product.characteristics or {}), spec["name"]: value}
        InstalledProduct.objects.filter(pk=item.product_id).update(characteristics=characteristics)
        item.product.characteristics = characteristics


def _move_to_repackaged_product(item: OrderItem) -> None:
    """A line repackaged into another offering keeps its number, when the new offering has one."""
    spec = number_spec(item.offering.data_requirements) if item.offering_id else None
    number = TelephoneNumber.objects.select_for_update().filter(product_id=item.product_id).first()
    successor = InstalledProduct.objects.filter(last_order_item=item).exclude(pk=item.product_id).first()
    if spec is None or number is None or successor is None:
        return
    number.product, number.status, number.order_item = successor, NumberStatus.ASSIGNED, item
    number.save(update_fields=["product", "status", "order_item", "updated_at"])
    characteristics = {**(successor.characteristics or {}), spec["name"]: {"number": number.e164}}
    InstalledProduct.objects.filter(pk=successor.pk).update(characteristics=characteristics)


def _first_free(spec: dict, item: OrderItem) -> TelephoneNumber | None:
    kind = spec.get("number_kind", NumberKind.MOBILE)
    asked = (item.characteristics or {}).get(spec["name"])
    asked = to_e164(asked.get("number")) if isinstance(asked, dict) and asked.get("number") else None
    free = free_numbers(kind).select_for_update(skip_locked=True)
    return (free.filter(e164=asked).first() if asked else None) or free.order_by("e164").first()


def quarantine_numbers_of(products: list[InstalledProduct], today: dt.date | None = None) -> int:
    """Terminated products' numbers rest before they are offered to someone else."""
    today = today or timezone.localdate()
    return TelephoneNumber.objects.filter(product__in=products, status=NumberStatus.ASSIGNED).update(
        status=NumberStatus.QUARANTINED, quarantined_until=today + QUARANTINE
    )


# --- the back office -------------------------------------------------------------------------------


@transaction.atomic
def assign_demo_number(product: InstalledProduct, e164: str) -> TelephoneNumber | None:
    """Record the number an existing line already has (lines older than the pool); None if another line has it."""
    spec = number_spec(product.offering.data_requirements)
    if spec is None:
        return None
    ended = product.status in (ProductStatus.TERMINATED, ProductStatus.CANCELLED)
    status = NumberStatus.QUARANTINED if ended else NumberStatus.ASSIGNED
    number, _ = TelephoneNumber.objects.select_for_update().get_or_create(
        e164=e164, defaults={"kind": spec.get("number_kind", NumberKind.MOBILE)}
    )
    if number.product_id not in (None, product.pk) or number.order_item_id:
        return None
    number.status, number.product = status, product
    number.quarantined_until = (product.termination_date or timezone.localdate()) + QUARANTINE if ended else None
    number.save()
    product.characteristics = {**(product.characteristics or {}), spec["name"]: {"number": e164}}
    product.save(update_fields=["characteristics", "updated_at"])
    return number
