"""TMF620 bodies read into the catalog's commands (orders/catalog_changes.py), and their refusals as TMF errors.

The offering row is the one record: its specification is its data requirements and its prices are
its amounts (see prices.py). What a client creates starts In design: nobody can order it until it
is Launched.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.core.exceptions import ValidationError as ModelValidationError
from rest_framework.exceptions import PermissionDenied

from orders import catalog_changes
from orders.clients import may_manage_catalog
from orders.models import ApiClient, LifecycleStatus, ProductOffering
from orders.requirements import label_of, row_noun
from ordersite.tmf.tmf620.characteristics import requirements_from
from ordersite.tmf.tmf620.prices import KIND_OF_PRICE, ONE_OFF, RECURRING, OfferingPrice, prices_of
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
    "price_names": "name",
}


def require_catalog_management(client: ApiClient) -> None:
    if not may_manage_catalog(client):
        raise PermissionDenied("This client may read the catalog but not change it (no catalog-management permission).")


@contextmanager
def _as_tmf_errors():
    """The commands' refusals as TMF620 errors: fields named as the client knows them."""
    try:
        yield
    except ModelValidationError as error:
        raise Unprocessable(
            {ATTRIBUTE_OF_FIELD.get(field, field): messages for field, messages in error.message_dict.items()}
        ) from error
    except catalog_changes.OfferingInUse as error:
        raise Conflict(
            f"{error}: retire it instead (PATCH lifecycleStatus Retired), which takes it off sale."
        ) from error
    except catalog_changes.PriceExists as error:
        raise Conflict("The offering has this price already: PATCH it to change its amount.") from error


def create_offering(*, client: ApiClient, data: dict) -> ProductOffering:
    """A new offering. With a productSpecification (an offering's id here) it takes that offering's data
    requirements (with their charges per entry) and, unless one is given, its category; with
    productOfferingPrice references it takes those prices' amounts."""
    fields = {
        "name": data["name"].strip(),
        "description": data.get("description", ""),
        "lifecycle_status": data.get("lifecycleStatus", LifecycleStatus.IN_DESIGN),
    }
    if "productSpecification" in data:
        source = _existing(data["productSpecification"]["id"], "productSpecification.id", "productSpecification")
        fields |= {
            "data_requirements": source.data_requirements,
            "category": source.category,
            "currency": source.currency,
        }
    if data.get("category"):
        fields["category"] = data["category"][0]["id"]
    if not fields.get("category"):
        raise Unprocessable(
            {"category": "an offering needs a category (or a productSpecification with one to take it from)"}
        )
    for index, reference in enumerate(data.get("productOfferingPrice", [])):
        price = _price(reference["id"], f"productOfferingPrice[{index}].id")
        if price.group:
            raise Unprocessable(
                {f"productOfferingPrice[{index}].id": "a charge per entry comes with its productSpecification"}
            )
        fields["one_off_price" if price.kind == ONE_OFF else "recurring_price"] = price.amount
    with _as_tmf_errors():
        return catalog_changes.create_offering(by=client.user, fields=fields)


def create_specification(*, client: ApiClient, data: dict) -> ProductOffering:
    """A specification to design an offering on: an offering In design (unless said otherwise), without a price,
    and without a category unless one is given (TMF620 specifications have none; it is needed to launch)."""
    fields = {
        "name": data["name"].strip(),
        "description": data.get("description", ""),
        "lifecycle_status": data.get("lifecycleStatus", LifecycleStatus.IN_DESIGN),
        "category": data["category"][0]["id"] if data.get("category") else "",
        "data_requirements": requirements_from(data.get("productSpecCharacteristic", []), []),
    }
    with _as_tmf_errors():
        return catalog_changes.create_offering(by=client.user, fields=fields)


def change_offering(*, client: ApiClient, offering: ProductOffering, patch: dict, data: dict, current: dict):
    """Apply a merge patch (`data` as OfferingPatchIn read `patch`); other attributes only as they are."""
    _refuse_fixed(patch, current, OFFERING_PATCHABLE, "an offering")
    changes = _common_changes(data)
    if "category" in data:
        changes["category"] = data["category"][0]["id"]
    with _as_tmf_errors():
        return catalog_changes.change_offering(by=client.user, offering=offering, changes=changes)


def change_specification(*, client: ApiClient, offering: ProductOffering, patch: dict, data: dict, current: dict):
    """Apply a merge patch to a specification, which is its offering's name, description, status and data
    requirements; productSpecCharacteristic replaces them all (those sent back as shown stay as they are)."""
    _refuse_fixed(patch, current, SPECIFICATION_PATCHABLE, "a specification")
    changes = _common_changes(data)
    if "productSpecCharacteristic" in data:
        changes["data_requirements"] = requirements_from(data["productSpecCharacteristic"], offering.data_requirements)
    with _as_tmf_errors():
        return catalog_changes.change_offering(by=client.user, offering=offering, changes=changes)


def delete_offering(*, client: ApiClient, offering: ProductOffering) -> None:
    with _as_tmf_errors():
        catalog_changes.delete_offering(by=client.user, offering=offering)


def create_price(*, client: ApiClient, data: dict) -> OfferingPrice:
    """Give an offering a price it does not have: its own one-off or monthly one, or a group's charge per entry."""
    offering = _existing(data["productOffering"]["id"], "productOffering.id", "productOffering")
    kind = ONE_OFF if data["priceType"] == "oneTime" else RECURRING
    if data.get("recurringChargePeriodType") and kind != RECURRING:
        raise Unprocessable({"recurringChargePeriodType": "only a recurring price has a period"})
    group = ""
    if "unitOfMeasure" in data:
        units = data["unitOfMeasure"]["units"].strip()
        group = _group_named(offering.data_requirements, units)
        if group is None:
            raise Unprocessable({"unitOfMeasure.units": f"{offering.code} has no group {units} to charge per entry"})
    price = OfferingPrice(offering, kind, 0, group)
    return _set_price(client, price, data["price"], name=data["name"], new=True)


def change_price(*, client: ApiClient, price: OfferingPrice, patch: dict, data: dict, current: dict) -> OfferingPrice:
    """A price's new name, or a new amount for an offering's price or a group's charge per entry (0 takes the
    price away), or both at once."""
    _refuse_fixed(patch, current, PRICE_PATCHABLE, "a price")
    if "price" not in data and "name" not in data:
        return price
    return _set_price(client, price, data.get("price"), name=data.get("name"))


def _set_price(
    client: ApiClient, price: OfferingPrice, money: dict | None, *, name: str | None = None, new: bool = False
) -> OfferingPrice:
    offering = price.offering
    if money and money.get("unit") and money["unit"] != offering.currency:
        raise Unprocessable({"price.unit": f"the catalog's prices are in {offering.currency}"})
    amount = money["value"] if money else None
    with _as_tmf_errors():
        offering = catalog_changes.set_price(
            by=client.user,
            offering=offering,
            kind=KIND_OF_PRICE[price.kind],
            amount=amount,
            group=price.group,
            name=name,
            new=new,
        )
    # A group whose last charge went is no longer among the offering's prices: the price as asked, at 0.
    gone = OfferingPrice(offering, price.kind, price.amount if amount is None else amount, price.group, price.entry)
    return next((p for p in prices_of(offering, free_too=True) if (p.kind, p.group) == (price.kind, price.group)), gone)


def _common_changes(data: dict) -> dict:
    changes = {}
    if "name" in data:
        changes["name"] = data["name"].strip()
    if "description" in data:
        changes["description"] = data["description"]
    if "lifecycleStatus" in data:
        changes["lifecycle_status"] = data["lifecycleStatus"]
    return changes


def _refuse_fixed(patch: dict, current: dict, patchable: set[str], what: str) -> None:
    fixed = sorted(key for key in patch if key not in patchable and (key not in current or patch[key] != current[key]))
    if fixed:
        raise Unprocessable(
            f"{fixed[0]} cannot be changed; {what}'s {', '.join(sorted(patchable))} can (JSON merge patch)."
        )


def _existing(offering_id: str, attribute: str, resource: str) -> ProductOffering:
    offering = offering_shown(offering_id, may_see_designs=lambda: True)
    if offering is None:
        raise Unprocessable({attribute: f"no {resource} {offering_id} in this catalog"})
    return offering


def _price(price_id: str, attribute: str) -> OfferingPrice:
    price = price_shown(price_id, may_see_designs=lambda: True)
    if price is None:
        raise Unprocessable({attribute: f"no productOfferingPrice {price_id} in this catalog"})
    return price


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
