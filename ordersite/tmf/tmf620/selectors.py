"""What the TMF620 API shows of the catalog, and its attribute filters."""

from __future__ import annotations

from django.db.models import QuerySet

from orders.models import LifecycleStatus, ProductOffering
from ordersite.tmf.tmf620.prices import PRICE_TYPES, OfferingPrice, price_name, prices_of
from ordersite.tmf.tmf630.filters import date_filters, one_of, refuse_unknown_params, values

OFFERING_FILTERS = {"id", "name", "lifecycleStatus", "lastUpdate", "category.id"}
SPECIFICATION_FILTERS = {"id", "name", "lifecycleStatus", "lastUpdate"}
PRICE_FILTERS = {"id", "name", "lifecycleStatus", "lastUpdate", "priceType"}
PRICE_TYPE_VALUES = sorted(set(PRICE_TYPES.values()))


def offerings_on_catalog() -> QuerySet[ProductOffering]:
    """Offerings on sale and retired ones (orders still name them); not those still in design."""
    return ProductOffering.objects.exclude(lifecycle_status=LifecycleStatus.IN_DESIGN).order_by("code")


def offerings_shown(*, designing: bool) -> QuerySet[ProductOffering]:
    return ProductOffering.objects.order_by("code") if designing else offerings_on_catalog()


def offering_shown(offering_id: str, *, may_see_designs) -> ProductOffering | None:
    """The offering with this id, unless it is in design and `may_see_designs()` says no (asked only then)."""
    offering = ProductOffering.objects.filter(code=offering_id).first()
    if offering is None or (offering.lifecycle_status == LifecycleStatus.IN_DESIGN and not may_see_designs()):
        return None
    return offering


def filter_offerings(offerings: QuerySet, params, known: set[str] = OFFERING_FILTERS) -> QuerySet:
    """The offerings (or specifications, which are theirs one to one) matching the TMF620 filters.

    Any lifecycle status may be asked for: a client who may not see designs finds none In design.
    """
    refuse_unknown_params(params, known)
    if "id" in params:
        offerings = offerings.filter(code__in=values(params, "id"))
    if "name" in params:
        offerings = offerings.filter(name__in=values(params, "name"))
    if "lifecycleStatus" in params:
        statuses = one_of("lifecycleStatus", values(params, "lifecycleStatus"), LifecycleStatus.values)
        offerings = offerings.filter(lifecycle_status__in=statuses)
    if "category.id" in params:
        offerings = offerings.filter(category__in=values(params, "category.id"))
    return offerings.filter(**date_filters(params, "lastUpdate", "updated_at"))


def prices_on_catalog(params, *, designing: bool = False) -> list[OfferingPrice]:
    """The prices of the offerings shown matching the filters: one query, however many."""
    refuse_unknown_params(params, PRICE_FILTERS)
    offerings = offerings_shown(designing=designing).filter(**date_filters(params, "lastUpdate", "updated_at"))
    if "lifecycleStatus" in params:
        statuses = one_of("lifecycleStatus", values(params, "lifecycleStatus"), LifecycleStatus.values)
        offerings = offerings.filter(lifecycle_status__in=statuses)
    prices = [price for offering in offerings for price in prices_of(offering)]
    if "id" in params:
        wanted = set(values(params, "id"))
        prices = [price for price in prices if price.id in wanted]
    if "name" in params:
        wanted = set(values(params, "name"))
        prices = [price for price in prices if price_name(price) in wanted]
    if "priceType" in params:
        wanted = set(one_of("priceType", values(params, "priceType"), PRICE_TYPE_VALUES))
        prices = [price for price in prices if PRICE_TYPES[price.kind] in wanted]
    return prices


def price_shown(price_id: str, *, may_see_designs) -> OfferingPrice | None:
    """The price with this id: one query for the offerings whose code it may start with (codes have dashes);
    an offering's in design only if `may_see_designs()`."""
    parts = price_id.split("-")
    candidates = ["-".join(parts[:n]) for n in range(1, len(parts))]
    for offering in ProductOffering.objects.filter(code__in=candidates):
        if offering.lifecycle_status == LifecycleStatus.IN_DESIGN and not may_see_designs():
            continue
        for price in prices_of(offering):
            if price.id == price_id:
                return price
    return None
