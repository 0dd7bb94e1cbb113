"""What the TMF620 API shows of the catalog, and its attribute filters."""

from __future__ import annotations

from django.db.models import QuerySet

from orders.models import LifecycleStatus, ProductOffering
from ordersite.tmf.tmf630.filters import one_of, refuse_unknown_params, values

OFFERING_FILTERS = {"id", "name", "lifecycleStatus", "category.id"}


def offerings_on_catalog() -> QuerySet[ProductOffering]:
    """Offerings on sale and retired ones (orders still name them); not those still in design."""
    return ProductOffering.objects.exclude(lifecycle_status=LifecycleStatus.IN_DESIGN).order_by("code")


def filter_offerings(offerings: QuerySet, params) -> QuerySet:
    refuse_unknown_params(params, OFFERING_FILTERS)
    if "id" in params:
        offerings = offerings.filter(code__in=values(params, "id"))
    if "name" in params:
        offerings = offerings.filter(name__in=values(params, "name"))
    if "lifecycleStatus" in params:
        shown = [s for s in LifecycleStatus.values if s != LifecycleStatus.IN_DESIGN]
        offerings = offerings.filter(
            lifecycle_status__in=one_of("lifecycleStatus", values(params, "lifecycleStatus"), shown)
        )
    if "category.id" in params:
        offerings = offerings.filter(category__in=values(params, "category.id"))
    return offerings
