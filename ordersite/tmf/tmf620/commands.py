"""TMF620 writes: a catalog-managing client creates, changes and retires offerings and changes their prices.

The offering row is the one record: its specification is its data requirements and its prices are
its amounts (see prices.py), so each command changes that row, through the admin's validation
(`full_clean`: the model's fields and `clean`, which checks the data requirements), in one
transaction. Saving moves the offering's `updated_at`, which is what invalidates the in-memory
catalog orders are placed against (orders/catalog.py) in every process.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError as ModelValidationError
from django.db import transaction
from django.utils.text import slugify
from rest_framework.exceptions import PermissionDenied, ValidationError

from orders.clients import may_manage_catalog
from orders.models import ApiClient, LifecycleStatus, ProductOffering
from ordersite.tmf.tmf620.prices import ONE_OFF, OfferingPrice
from ordersite.tmf.tmf620.selectors import offerings_on_catalog, price_on_catalog
from ordersite.tmf.tmf630.errors import Unprocessable

# The model's fields as a TMF620 client knows them, for the messages of a refused change.
ATTRIBUTE_OF_FIELD = {
    "code": "id",
    "name": "name",
    "description": "description",
    "lifecycle_status": "lifecycleStatus",
    "category": "category",
    "data_requirements": "productSpecification.productSpecCharacteristic",
    "one_off_price": "productOfferingPrice",
    "recurring_price": "productOfferingPrice",
    "currency": "productOfferingPrice.price.unit",
}


def require_catalog_management(client: ApiClient) -> None:
    if not may_manage_catalog(client):
        raise PermissionDenied("This client may read the catalog but not change it (no catalog-management permission).")


@transaction.atomic
def create_offering(*, client: ApiClient, data: dict) -> ProductOffering:
    """A new offering. With a productSpecification (an offering's id here) it takes that offering's data
    requirements (with their charges per entry) and, unless one is given, its category; with
    productOfferingPrice references it takes those prices' amounts."""
    require_catalog_management(client)
    offering = ProductOffering(
        name=data["name"].strip(),
        description=data.get("description", ""),
        lifecycle_status=data.get("lifecycleStatus", LifecycleStatus.LAUNCHED),
    )
    if "productSpecification" in data:
        source = _existing(data["productSpecification"]["id"], "productSpecification.id", "productSpecification")
        offering.data_requirements = source.data_requirements
        offering.category = source.category
        offering.currency = source.currency
    if data.get("category"):
        offering.category = data["category"][0]["id"]
    if not offering.category:
        raise ValidationError({"category": "an offering needs a category (or a productSpecification to take it from)"})
    for index, reference in enumerate(data.get("productOfferingPrice", [])):
        _take_price(offering, _price(reference["id"], f"productOfferingPrice[{index}].id"), index)
    offering.code = _free_code(offering.name)
    _save(offering)
    return offering


@transaction.atomic
def change_offering(*, client: ApiClient, offering: ProductOffering, patch: dict, data: dict, current: dict):
    """Apply a merge patch (`data` as OfferingPatchIn read `patch`); other attributes only as they are."""
    require_catalog_management(client)
    _refuse_fixed(patch, current, {"name", "description", "lifecycleStatus", "category"}, "an offering")
    offering = ProductOffering.objects.select_for_update().get(pk=offering.pk)
    if "name" in data:
        offering.name = data["name"].strip()
    if "description" in data:
        offering.description = data["description"]
    if "lifecycleStatus" in data:
        offering.lifecycle_status = data["lifecycleStatus"]
    if "category" in data:
        offering.category = data["category"][0]["id"]
    _save(offering)
    return offering


@transaction.atomic
def retire_offering(*, client: ApiClient, offering: ProductOffering) -> None:
    """DELETE retires: orders and products keep naming the offering, so it stays, no longer on sale."""
    require_catalog_management(client)
    offering = ProductOffering.objects.select_for_update().get(pk=offering.pk)
    if offering.lifecycle_status != LifecycleStatus.RETIRED:
        offering.lifecycle_status = LifecycleStatus.RETIRED
        _save(offering)


@transaction.atomic
def change_price(*, client: ApiClient, price: OfferingPrice, patch: dict, data: dict, current: dict) -> OfferingPrice:
    """A new amount for an offering's price or a group's charge per entry (0 removes that price)."""
    require_catalog_management(client)
    _refuse_fixed(patch, current, {"price"}, "a price")
    unit = data["price"].get("unit")
    offering = ProductOffering.objects.select_for_update().get(pk=price.offering.pk)
    if unit and unit != offering.currency:
        raise ValidationError({"price.unit": f"the catalog's prices are in {offering.currency}"})
    amount = data["price"]["value"]
    if price.group:
        offering.data_requirements = _with_charge(
            offering.data_requirements, price.group.split("."), price.kind, amount
        )
    elif price.kind == ONE_OFF:
        offering.one_off_price = amount
    else:
        offering.recurring_price = amount
    _save(offering)
    return OfferingPrice(offering, price.kind, amount, price.group, price.group_label)


def _refuse_fixed(patch: dict, current: dict, patchable: set[str], what: str) -> None:
    fixed = sorted(key for key in patch if key not in patchable and (key not in current or patch[key] != current[key]))
    if fixed:
        raise Unprocessable(
            f"{fixed[0]} cannot be changed; {what}'s {', '.join(sorted(patchable))} can (JSON merge patch)."
        )


def _existing(offering_id: str, attribute: str, resource: str) -> ProductOffering:
    offering = offerings_on_catalog().filter(code=offering_id).first()
    if offering is None:
        raise ValidationError({attribute: f"no {resource} {offering_id} in this catalog"})
    return offering


def _price(price_id: str, attribute: str) -> OfferingPrice:
    price = price_on_catalog(price_id)
    if price is None:
        raise ValidationError({attribute: f"no productOfferingPrice {price_id} in this catalog"})
    return price


def _take_price(offering: ProductOffering, price: OfferingPrice, index: int) -> None:
    if price.group:
        raise ValidationError(
            {f"productOfferingPrice[{index}].id": "a charge per entry comes with its productSpecification"}
        )
    if price.kind == ONE_OFF:
        offering.one_off_price = price.amount
    else:
        offering.recurring_price = price.amount


def _with_charge(requirements: list, path: list[str], kind: str, amount: Decimal) -> list:
    """The requirements with one group's charge per entry set (the others untouched)."""
    changed = []
    for spec in requirements:
        if isinstance(spec, dict) and spec.get("type") == "group" and spec.get("name") == path[0]:
            spec = dict(spec)
            if len(path) > 1:
                spec["fields"] = _with_charge(spec.get("fields") or [], path[1:], kind, amount)
            else:
                key = "one_off" if kind == ONE_OFF else "recurring"
                charge = {k: v for k, v in (spec.get("price_per_entry") or {}).items() if k != key}
                if amount:
                    charge[key] = f"{amount:.2f}"
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
    """The admin's validation (fields and clean), then the save that moves the catalog's version."""
    try:
        offering.full_clean(exclude=["requires"])
    except ModelValidationError as error:
        raise ValidationError(
            {ATTRIBUTE_OF_FIELD.get(field, field): messages for field, messages in error.message_dict.items()}
        ) from error
    offering.save()
