"""Commands that change the catalog for catalog managers (the TMF620 API): create, change, price and
delete offerings, one transaction each.

A price's name is kept in the offering's `price_names`. One nobody gave is made from the offering
and the amount ("Hosted PBX: 9.50 GBP per month") and made again when either changes; a name given
(by the API or the admin) stays until renamed, and goes with its price.

Each goes through the admin's validation (`full_clean`: the model's fields and `clean`, which checks
the data requirements with `requirement_schema_errors`) and raises Django's ValidationError keyed
by model field. Saving moves the offering's `updated_at` and deleting changes the number of
offerings: that is what invalidates the in-memory catalog orders are placed against
(orders/catalog.py) in every process, so the next order uses the change.
"""

from __future__ import annotations

from copy import copy
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.text import slugify

from customers.models import User
from orders.clients import CATALOG_MANAGEMENT_PERMISSION
from orders.models import ProductOffering
from orders.requirements import entry_charges, requirement_schema_errors, row_noun, spec_at

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
    before = copy(offering)
    for field, value in changes.items():
        setattr(offering, field, value)
    _save(offering, before=before)
    return offering


@transaction.atomic
def set_price(
    *,
    by: User,
    offering: ProductOffering,
    kind: str,
    amount: Decimal | None = None,
    group: str = "",
    name: str | None = None,
    new: bool = False,
) -> ProductOffering:
    """Set an offering's one-off or monthly price, or a group's charge per entry (group: its path): its
    `amount` (0 takes it away) and its `name`, each left as it is when None. A `new` price is refused
    (PriceExists) where there is one already."""
    _require_catalog_management(by)
    offering = ProductOffering.objects.select_for_update().get(pk=offering.pk)
    before = copy(offering)
    if new and current_price(offering, kind, group):
        raise PriceExists
    if amount is not None:
        if group:
            offering.data_requirements = _with_charge(offering.data_requirements, group.split("."), kind, amount)
        elif kind == ONE_OFF:
            offering.one_off_price = amount
        else:
            offering.recurring_price = amount
    if name is not None:
        if not name.strip():  # else it would quietly fall back to the made name
            raise ValidationError({"price_names": "A price's name cannot be blank."})
        offering.price_names = {**offering.price_names, price_key(kind, group): name.strip()}
    _save(offering, before=before)
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


def price_key(kind: str, group: str = "") -> str:
    """Where a price's name is kept in `price_names`: its kind, after the group's path for a charge per entry."""
    return f"{group}.{kind}" if group else kind


def price_name(offering: ProductOffering, kind: str, group: str = "") -> str:
    """A price's name: the one it was given, else made from its offering and amount."""
    return (offering.price_names or {}).get(price_key(kind, group)) or made_price_name(offering, kind, group)


def made_price_name(offering: ProductOffering, kind: str, group: str = "") -> str:
    """ "Hosted PBX: 9.50 GBP per month", "Hosted PBX: 45.00 GBP one-off per handset"."""
    period = " per month" if kind == RECURRING else " one-off"
    per = ""
    if group:
        spec = spec_at(offering.data_requirements, group)
        per = f" per {row_noun(spec).lower() if spec else group.rsplit('.', 1)[-1]}"
    return f"{offering.name}: {current_price(offering, kind, group):.2f} {offering.currency}{period}{per}"


def price_names_after(before: ProductOffering | None, after: ProductOffering) -> dict[str, str]:
    """The names of `after`'s prices once `before` (None: a new offering) is changed into it.

    A name given stays. One made from the offering and amount before the change is made again, so it
    follows a new amount or offering name. A price with none gets one made; a price taken away (0, or
    its group gone) loses its name.
    """
    names = {}
    for kind, group in _priced(after):
        key = price_key(kind, group)
        kept = (after.price_names or {}).get(key)
        if kept and (before is None or kept != made_price_name(before, kind, group)):
            names[key] = kept
        else:
            names[key] = made_price_name(after, kind, group)
    return names


def _priced(offering: ProductOffering) -> list[tuple[str, str]]:
    """(kind, group path) of each price the offering has: those above 0."""
    slots = [(kind, "") for kind in (ONE_OFF, RECURRING) if current_price(offering, kind)]
    for charge in entry_charges(offering.data_requirements, {}):
        slots += [(ONE_OFF, charge.spec_path)] if charge.one_off else []
        slots += [(RECURRING, charge.spec_path)] if charge.recurring else []
    return slots


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


def _save(offering: ProductOffering, *, before: ProductOffering | None = None) -> None:
    # Names are worked out from valid requirements only; full_clean says what is wrong with others.
    if not requirement_schema_errors(offering.data_requirements):
        offering.price_names = price_names_after(before, offering)
    offering.full_clean(exclude=["requires"])
    offering.save()
