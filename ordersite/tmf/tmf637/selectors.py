"""The installed products an API client may see (its customers', as for orders) and TMF637's filters."""

from __future__ import annotations

from django.db.models import QuerySet

from customers.models import InstalledProduct, ProductStatus
from orders.models import ApiClient
from ordersite.tmf.tmf629.selectors import customer_ids
from ordersite.tmf.tmf630.filters import one_of, refuse_unknown_params, values

PRODUCT_FILTERS = {"id", "status", "relatedParty.id", "productOffering.id"}
# Larger numbers are no key of ours; refusing them here keeps them out of the database's integer column.
LARGEST_KEY = 2**63 - 1


def products_visible_to(client: ApiClient) -> QuerySet[InstalledProduct]:
    """The client's customers' products, newest first, with all a representation reads in the same query."""
    return (
        InstalledProduct.objects.filter(customer_id__in=customer_ids(client))
        .select_related("customer", "offering", "install_address", "last_order_item__order")
        .order_by("-created_at", "-pk")
    )


def product_keys(given: list[str]) -> list[int]:
    """The product ids given that can be ours; anything else matches nothing (rather than a 400)."""
    return [int(v) for v in given if v.isdigit() and int(v) <= LARGEST_KEY]


def filter_products(products: QuerySet[InstalledProduct], params) -> QuerySet[InstalledProduct]:
    refuse_unknown_params(params, PRODUCT_FILTERS)
    if "id" in params:
        products = products.filter(pk__in=product_keys(values(params, "id")))
    if "status" in params:
        products = products.filter(status__in=one_of("status", values(params, "status"), ProductStatus.values))
    if "relatedParty.id" in params:
        products = products.filter(customer__number__in=[v.upper() for v in values(params, "relatedParty.id")])
    if "productOffering.id" in params:
        products = products.filter(offering__code__in=values(params, "productOffering.id"))
    return products
