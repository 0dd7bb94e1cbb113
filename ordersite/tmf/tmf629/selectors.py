"""The customers an API client may act for: TMF629 lists them, TMF622 orders for them."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from customers.models import Address, Customer, CustomerStatus
from orders.clients import kept_customer_data
from orders.models import ApiClient
from ordersite.tmf.tmf630.filters import refuse_unknown_params, values

CUSTOMER_FILTERS = {"id", "name", "status"}


def customer_ids(client: ApiClient):
    """The keys of the client's customers, as a subquery (rather than a join, so nothing is listed twice)."""
    return ApiClient.customers.through.objects.filter(apiclient=client).values("customer_id")


def customers_of(client: ApiClient) -> QuerySet[Customer]:
    return Customer.objects.filter(pk__in=customer_ids(client))


def customer_for(client: ApiClient, party_id: str) -> Customer | None:
    """The customer with this number, if the client may act for it; None says nothing about others.

    Every order and qualification asks, so the answer is kept in the shared cache (orders.clients).
    """
    if not party_id:
        return None
    number = party_id.strip()
    return kept_customer_data(
        f"customer:{client.pk}:{number}", lambda: customers_of(client).filter(number__iexact=number).first()
    )


def installation_address(customer: Customer) -> Address | None:
    """The customer's latest validated installation address, for items that need one and name none."""
    return kept_customer_data(
        f"installation-address:{customer.pk}",
        lambda: (
            customer.addresses.filter(purpose=Address.Purpose.INSTALLATION, reference_street__isnull=False)
            .select_related("reference_street__district")
            .order_by("-validated_at", "-pk")
            .first()
        ),
    )


def with_addresses(customers: QuerySet[Customer]) -> QuerySet[Customer]:
    return customers.prefetch_related(Prefetch("addresses", queryset=Address.objects.order_by("purpose", "pk")))


def filter_customers(customers: QuerySet[Customer], params) -> QuerySet[Customer]:
    refuse_unknown_params(params, CUSTOMER_FILTERS)
    if "id" in params:
        customers = customers.filter(number__in=[v.upper() for v in values(params, "id")])
    if "name" in params:
        customers = customers.filter(name__in=values(params, "name"))
    if "status" in params:
        customers = customers.filter(status__in=[v for v in values(params, "status") if v in CustomerStatus])
    return customers
