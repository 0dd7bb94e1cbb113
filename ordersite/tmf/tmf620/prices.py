"""TMF620 productOfferingPrice: an offering's one-off and monthly prices and the charges per entry of its groups.

Prices are not rows of their own: they are the offering's `one_off_price` and `recurring_price` and
each `price_per_entry` its data requirements declare (so much per handset), which is what orders are
priced from (orders/pricing.py). Each has a stable id made of the offering's code, the group's path
for a charge per entry, and the kind: "hosted-pbx-recurring", "hosted-pbx-handsets-one-off". Its
name is the offering's `price_names` entry for it (orders.catalog_changes.price_name), so a rename
changes the name alone.
A price of 0 is no price: it is not shown, and POST productOfferingPrice gives an offering one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from orders import catalog_changes
from orders.models import ProductOffering
from orders.requirements import entry_charges, row_noun
from ordersite.tmf.tmf620 import CATALOG_PATH
from ordersite.tmf.tmf630.dates import format_datetime

ONE_OFF, RECURRING = "one-off", "recurring"
PRICE_TYPES = {ONE_OFF: "oneTime", RECURRING: "recurring"}
KIND_OF_PRICE = {ONE_OFF: catalog_changes.ONE_OFF, RECURRING: catalog_changes.RECURRING}
PRICE_ATTRIBUTES = {
    "id",
    "href",
    "name",
    "description",
    "isBundle",
    "lifecycleStatus",
    "lastUpdate",
    "priceType",
    "recurringChargePeriodType",
    "recurringChargePeriodLength",
    "unitOfMeasure",
    "price",
    "@type",
}


@dataclass(frozen=True)
class OfferingPrice:
    """One price of an offering: its own (group "") or a group's charge per entry."""

    offering: ProductOffering
    kind: str  # ONE_OFF or RECURRING
    amount: Decimal
    group: str = ""  # the group's path ("handsets") for a charge per entry
    entry: str = ""  # what one entry of it is called ("handset")

    @property
    def id(self) -> str:
        group = self.group.replace(".", "-")
        return "-".join(part for part in (self.offering.code, group, self.kind) if part)


def prices_of(offering: ProductOffering, *, free_too: bool = False) -> list[OfferingPrice]:
    """The offering's non-zero prices: its own one-off and monthly price, then each group's per entry.

    `free_too` adds those at 0: the places a new price may go.
    """
    prices = [
        OfferingPrice(offering, ONE_OFF, offering.one_off_price),
        OfferingPrice(offering, RECURRING, offering.recurring_price),
    ]
    nouns = _entry_nouns(offering.data_requirements)
    for charge in entry_charges(offering.data_requirements, {}):
        noun = nouns.get(charge.spec_path, charge.spec_path)
        prices.append(OfferingPrice(offering, ONE_OFF, charge.one_off, charge.spec_path, noun))
        prices.append(OfferingPrice(offering, RECURRING, charge.recurring, charge.spec_path, noun))
    return [price for price in prices if price.amount or free_too]


def _entry_nouns(requirements, prefix: str = "") -> dict[str, str]:
    """What one entry of each group is called, by the group's path: "handsets" -> "handset"."""
    nouns: dict[str, str] = {}
    for spec in requirements or []:
        if isinstance(spec, dict) and spec.get("type") == "group":
            path = prefix + spec["name"]
            nouns[path] = row_noun(spec).lower()
            nouns.update(_entry_nouns(spec.get("fields"), f"{path}."))
    return nouns


def price_href(request, price: OfferingPrice) -> str:
    return request.build_absolute_uri(f"{CATALOG_PATH}/productOfferingPrice/{price.id}")


def price_name(price: OfferingPrice) -> str:
    return catalog_changes.price_name(price.offering, KIND_OF_PRICE[price.kind], price.group)


def price_representation(request, price: OfferingPrice) -> dict:
    offering = price.offering
    data = {
        "id": price.id,
        "href": price_href(request, price),
        "name": price_name(price),
        "description": (
            f"Charged for each {price.entry} on an order for {offering.name}."
            if price.group
            else f"The {'monthly' if price.kind == RECURRING else 'one-off'} price of {offering.name}."
        ),
        "isBundle": False,
        "lifecycleStatus": offering.lifecycle_status,
        "lastUpdate": format_datetime(offering.updated_at),
        "priceType": PRICE_TYPES[price.kind],
        "price": {"unit": offering.currency, "value": float(price.amount)},
        "@type": "ProductOfferingPrice",
    }
    if price.kind == RECURRING:
        data["recurringChargePeriodType"] = "month"
        data["recurringChargePeriodLength"] = 1
    if price.group:
        data["unitOfMeasure"] = {"amount": 1, "units": price.entry}
    return data


def price_reference(request, price: OfferingPrice) -> dict:
    return {
        "id": price.id,
        "href": price_href(request, price),
        "name": price_name(price),
        "@referredType": "ProductOfferingPrice",
    }
