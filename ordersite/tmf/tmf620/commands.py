"""TMF620 writes: a catalog-managing client creates, changes, retires and deletes offerings and their
specifications, and changes their prices.

The offering row is the one record: its specification is its data requirements and its prices are
its amounts (see prices.py), so each command changes that row, through the admin's validation
(`full_clean`: the model's fields and `clean`, which checks the data requirements), in one
transaction. Saving moves the offering's `updated_at`, and deleting changes the number of offerings,
which is what invalidates the in-memory catalog orders are placed against (orders/catalog.py) in
every process. What a client creates starts In design: nobody can order it until it is Launched.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError as ModelValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.text import slugify
from rest_framework.exceptions import PermissionDenied, ValidationError

from orders.clients import may_manage_catalog
from orders.models import ApiClient, LifecycleStatus, ProductOffering
from orders.requirements import label_of, row_noun
from ordersite.tmf.tmf620.characteristics import requirements_from
from ordersite.tmf.tmf620.prices import ONE_OFF, RECURRING, OfferingPrice, prices_of
from ordersite.tmf.tmf620.selectors import offering_shown, price_shown
from ordersite.tmf.tmf620.serializers import OFFERING_PATCHABLE, PRICE_PATCHABLE, SPECIFICATION_PATCHABLE
from ordersite.tmf.tmf630.errors import Conflict, Unprocessable

# The model's fields as a TMF620 client knows them, for the messages of a refused change.
ATTRIBUTE_OF_FIELD = {
    "code": "id",
    "name": "name",
    "description": "description",
    "lifecycle_status": "lifecycleStatus",
    "category": "category",
    "data_requirements": "productSpecCharacteristic",
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
        lifecycle_status=data.get("lifecycleStatus", LifecycleStatus.IN_DESIGN),
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
    _refuse_fixed(patch, current, OFFERING_PATCHABLE, "an offering")
    offering = ProductOffering.objects.select_for_update().get(pk=offering.pk)
    _apply_common(offering, data)
    if "category" in data:
        offering.category = data["category"][0]["id"]
    _save(offering)
    return offering


def _apply_common(offering: ProductOffering, data: dict) -> None:
    if "name" in data:
        offering.name = data["name"].strip()
    if "description" in data:
        offering.description = data["description"]
    if "lifecycleStatus" in data:
        offering.lifecycle_status = data["lifecycleStatus"]


@transaction.atomic
def create_specification(*, client: ApiClient, data: dict) -> ProductOffering:
    """A specification to design an offering on: an offering In design (unless said otherwise), without a price."""
    require_catalog_management(client)
    offering = ProductOffering(
        name=data["name"].strip(),
        description=data.get("description", ""),
        lifecycle_status=data.get("lifecycleStatus", LifecycleStatus.IN_DESIGN),
        category=data["category"][0]["id"],
        data_requirements=requirements_from(data.get("productSpecCharacteristic", []), []),
    )
    offering.code = _free_code(offering.name)
    _save(offering)
    return offering


@transaction.atomic
def change_specification(*, client: ApiClient, offering: ProductOffering, patch: dict, data: dict, current: dict):
    """Apply a merge patch to a specification, which is its offering's name, description, status and data
    requirements; productSpecCharacteristic replaces them all (those sent back as shown stay as they are)."""
    require_catalog_management(client)
    _refuse_fixed(patch, current, SPECIFICATION_PATCHABLE, "a specification")
    offering = ProductOffering.objects.select_for_update().get(pk=offering.pk)
    _apply_common(offering, data)
    if "productSpecCharacteristic" in data:
        offering.data_requirements = requirements_from(data["productSpecCharacteristic"], offering.data_requirements)
    _save(offering)
    return offering


@transaction.atomic
def delete_offering(*, client: ApiClient, offering: ProductOffering) -> None:
    """Delete an offering (and its specification and prices) that nothing names; anything else is kept (409),
    since orders, products and add-ons must keep what they name: it is retired instead (lifecycleStatus)."""
    require_catalog_management(client)
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
        raise Conflict(
            f"{offering.code} is kept because {' and '.join(reasons)}: retire it instead "
            "(PATCH lifecycleStatus Retired), which takes it off sale."
        )
    try:
        offering.delete()
    except ProtectedError as error:
        raise Conflict(f"{offering.code} is kept because other records name it: retire it instead.") from error


@transaction.atomic
def change_price(*, client: ApiClient, price: OfferingPrice, patch: dict, data: dict, current: dict) -> OfferingPrice:
    """A new amount for an offering's price or a group's charge per entry (0 removes that price)."""
    require_catalog_management(client)
    _refuse_fixed(patch, current, PRICE_PATCHABLE, "a price")
    if "price" not in data:
        return price
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
    # A group whose last charge went is no longer among the offering's prices: the price as asked, at 0.
    gone = OfferingPrice(offering, price.kind, Decimal(amount), price.group, price.entry)
    return next((p for p in prices_of(offering, free_too=True) if (p.kind, p.group) == (price.kind, price.group)), gone)


@transaction.atomic
def create_price(*, client: ApiClient, data: dict) -> OfferingPrice:
    """Give an offering a price it does not have: its own one-off or monthly one, or a group's charge per entry."""
    require_catalog_management(client)
    offering = _existing(data["productOffering"]["id"], "productOffering.id", "productOffering")
    kind = ONE_OFF if data["priceType"] == "oneTime" else RECURRING
    group = ""
    if "unitOfMeasure" in data:
        units = data["unitOfMeasure"]["units"].strip()
        group = _group_named(offering.data_requirements, units)
        if group is None:
            raise ValidationError({"unitOfMeasure.units": f"{offering.code} has no group {units} to charge per entry"})
    existing = next((p for p in prices_of(offering) if p.kind == kind and p.group == group), None)
    if existing is not None:
        raise Conflict(f"{offering.code} has this price already ({existing.id}): PATCH it to change its amount.")
    if data.get("recurringChargePeriodType") and kind != RECURRING:
        raise ValidationError({"recurringChargePeriodType": "only a recurring price has a period"})
    slot = OfferingPrice(offering, kind, Decimal("0"), group)
    return change_price(client=client, price=slot, patch={}, data={"price": data["price"]}, current={})


def _group_named(requirements, units: str, prefix: str = "") -> str | None:
    """The path of the group `units` names (its path, name, label or entry: "handset"), nested groups too."""
    for spec in requirements or []:
        if isinstance(spec, dict) and spec.get("type") == "group":
            path = prefix + spec["name"]
            if units.lower() in {path.lower(), spec["name"], label_of(spec).lower(), row_noun(spec).lower()}:
                return path
            inner = _group_named(spec.get("fields"), units, f"{path}.")
            if inner:
                return inner
    return None


def _refuse_fixed(patch: dict, current: dict, patchable: set[str], what: str) -> None:
    fixed = sorted(key for key in patch if key not in patchable and (key not in current or patch[key] != current[key]))
    if fixed:
        raise Unprocessable(
            f"{fixed[0]} cannot be changed; {what}'s {', '.join(sorted(patchable))} can (JSON merge patch)."
        )


def _existing(offering_id: str, attribute: str, resource: str) -> ProductOffering:
    offering = offering_shown(offering_id, may_see_designs=lambda: True)
    if offering is None:
        raise ValidationError({attribute: f"no {resource} {offering_id} in this catalog"})
    return offering


def _price(price_id: str, attribute: str) -> OfferingPrice:
    price = price_shown(price_id, may_see_designs=lambda: True)
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
