"""Commands that change the catalog for catalog managers (the TMF620 API): create, change, price and
delete offerings, one transaction each.

Each goes through the admin's validation (`full_clean`: the model's fields and `clean`, which checks
the data requirements with `requirement_schema_errors`) and raises Django's ValidationError keyed
by model field. Saving moves the offering's `updated_at` and deleting changes the number of
offerings: that is what invalidates the in-memory catalog orders are placed against
(orders/catalog.py) in every process, so the next order uses the change.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.text import slugify

from customers.models import User
from orders.clients import CATALOG_MANAGEMENT_PERMISSION
from orders.models import ProductOffering

ONE_OFF, RECURRING = "one_off", "recurring"


class OfferingInUse(Exception):
    """An offering that orders, products or add-ons name, which is kept (retire it instead)."""


class PriceExists(Exception):
    """The offering has this price already (change its amount instead)."""


def _require_catalog_management(by: User) -> None:
    if not by.has_perm(CATALOG_MANAGEMENT_PERMISSION):
        raise PermissionDenied("This client may read the catalog but not change it (no catalog-management permission).")


@transaction.atomic
def create_offering(*, by: User, fields: dict) -> ProductOffering:
    """A new offering with these model fields; its code is made from its name (hosted-pbx-plus, -2, ...)."""
    _require_catalog_management(by)
    offering = ProductOffering(**fields)
    offering.code = _free_code(offering.name)
    _save(offering)
    return offering


@transaction.atomic
def change_offering(*, by: User, offering: ProductOffering, changes: dict) -> ProductOffering:
    """Set these model fields (name, description, lifecycle_status, category, data_requirements, ...)."""
    _require_catalog_management(by)
    offering = ProductOffering.objects.select_for_update().get(pk=offering.pk)
    for field, value in changes.items():
        setattr(offering, field, value)
    _save(offering)
    return offering


@transaction.atomic
def set_price(
    *, by: User, offering: ProductOffering, kind: str, amount: Decimal, group: str = "", new: bool = False
) -> ProductOffering:
    """An offering's one-off or monthly price, or a group's charge per entry (group: its path), set to
    `amount` (0 takes it away). A `new` price is refused (PriceExists) where there is one already."""
    _require_catalog_management(by)
    offering = ProductOffering.objects.select_for_update().get(pk=offering.pk)
    if new and current_price(offering, kind, group):
        raise PriceExists
    if group:
        offering.data_requirements = _with_charge(offering.data_requirements, group.split("."), kind, amount)
    elif kind == ONE_OFF:
        offering.one_off_price = amount
    else:
        offering.recurring_price = amount
    _save(offering)
    return offering


@transaction.atomic
def delete_offering(*, by: User, offering: ProductOffering) -> None:
    """Delete an offering nothing names; one that orders, products or add-ons name is kept (OfferingInUse,
    saying why), since order history is never lost: retire it instead (lifecycle_status Retired)."""
    _require_catalog_management(by)
    offering = ProductOffering.objects.select_for_update().get(pk=offering.pk)
    reasons = []
    if offering.order_items.exists():
        reasons.append("orders name it")
    if offering.installed_products.exists():
        reasons.append("customers hold it")
    addons = list(offering.addons.values_list("code", flat=True)[:3])
    if addons:
        reasons.append(f"add-ons need it ({', '.join(addons)})")
    if reasons:
        raise OfferingInUse(f"{offering.code} is kept because {' and '.join(reasons)}")
    try:
        offering.delete()
    except ProtectedError as error:
        raise OfferingInUse(f"{offering.code} is kept because other records name it") from error


def current_price(offering: ProductOffering, kind: str, group: str = "") -> Decimal:
    if not group:
        return offering.one_off_price if kind == ONE_OFF else offering.recurring_price
    spec = _group(offering.data_requirements, group.split("."))
    charge = (spec or {}).get("price_per_entry") or {}
    return Decimal(str(charge.get(kind, "0")))


def _group(requirements, path: list[str]) -> dict | None:
    for spec in requirements or []:
        if isinstance(spec, dict) and spec.get("type") == "group" and spec.get("name") == path[0]:
            return spec if len(path) == 1 else _group(spec.get("fields"), path[1:])
    return None


def _with_charge(requirements: list, path: list[str], kind: str, amount: Decimal) -> list:
    """The requirements with one group's charge per entry set (the others untouched)."""
    changed = []
    for spec in requirements:
        if isinstance(spec, dict) and spec.get("type") == "group" and spec.get("name") == path[0]:
            spec = dict(spec)
            if len(path) > 1:
                spec["fields"] = _with_charge(spec.get("fields") or [], path[1:], kind, amount)
            else:
                charge = {k: v for k, v in (spec.get("price_per_entry") or {}).items() if k != kind}
                if amount:
                    charge[kind] = f"{amount:.2f}"
                if charge:
                    spec["price_per_entry"] = charge
                else:
                    spec.pop("price_per_entry", None)
        changed.append(spec)
    return changed


def _free_code(name: str) -> str:
    base = (slugify(name) or "offering")[:34].strip("-") or "offering"
    taken = set(ProductOffering.objects.filter(code__startswith=base).values_list("code", flat=True))
    code, number = base, 2
    while code in taken:
        code, number = f"{base}-{number}", number + 1
    return code


def _save(offering: ProductOffering) -> None:
    offering.full_clean(exclude=["requires"])
    offering.save()
