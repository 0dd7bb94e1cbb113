"""TMF622 attribute filters for productOrder and cancelProductOrder (TMF630: comma-separated means "any of")."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from orders.models import ApiClient, CancellationRequest, OrderState
from ordersite.tmf.tmf622.selectors import order_pk
from ordersite.tmf.tmf630.filters import date_filters, one_of, refuse_unknown_params, values

# TMF622 v4 ProductOrderStateType: ours without draft (drafts are not shown through the API).
ORDER_STATES = [s for s in OrderState.values if s != OrderState.DRAFT]
DATE_SUFFIXES = ("", ".gt", ".gte", ".lt", ".lte")
ORDER_DATE_FILTERS = {f"orderDate{suffix}" for suffix in DATE_SUFFIXES}
PRIORITIES = ["0", "1", "2", "3", "4"]

ORDER_FILTERS = {
    "id",
    "state",
    "externalId",
    "category",
    "priority",
    "relatedParty.id",
    "productOrderItem.productOffering.id",
    *ORDER_DATE_FILTERS,
}


def filter_orders(orders: QuerySet, params, client: ApiClient) -> QuerySet:
    refuse_unknown_params(params, ORDER_FILTERS)
    if "id" in params:
        orders = orders.filter(pk__in=[pk for pk in map(order_pk, values(params, "id")) if pk])
    if "state" in params:
        orders = orders.filter(state__in=one_of("state", values(params, "state"), ORDER_STATES))
    if "externalId" in params:
        orders = orders.filter(external_id__in=values(params, "externalId"))
    if "category" in params:
        orders = orders.filter(category__in=values(params, "category"))
    if "priority" in params:
        orders = orders.filter(priority__in=one_of("priority", values(params, "priority"), PRIORITIES))
    if "relatedParty.id" in params:
        parties = values(params, "relatedParty.id")
        orders = orders.filter(
            (Q(customer__number__in=[p.upper() for p in parties]) & ~Q(customer_id=client.holding_customer_id))
            | Q(customer_id=client.holding_customer_id, api_submission__party_id__in=parties)
        )
    if "productOrderItem.productOffering.id" in params:
        codes = values(params, "productOrderItem.productOffering.id")
        orders = orders.filter(Q(items__offering__code__in=codes) | Q(items__requested_offering__in=codes)).distinct()
    lookups = date_filters(params, "orderDate", "created_at")
    return orders.filter(**lookups) if lookups else orders


CANCELLATION_FILTERS = {"id", "state", "productOrder.id"}
CANCELLATION_STATES = CancellationRequest.State.values


def filter_cancellations(cancellations: QuerySet, params) -> QuerySet:
    refuse_unknown_params(params, CANCELLATION_FILTERS)
    if "id" in params:
        cancellations = cancellations.filter(
            pk__in=[int(v) for v in values(params, "id") if v.isdigit() and len(v) < 19]
        )
    if "state" in params:
        states = one_of("state", values(params, "state"), CANCELLATION_STATES)
        cancellations = cancellations.filter(state__in=states)
    if "productOrder.id" in params:
        pks = [pk for pk in map(order_pk, values(params, "productOrder.id")) if pk]
        cancellations = cancellations.filter(order_id__in=pks)
    return cancellations
