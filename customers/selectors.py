"""Reads of customer data."""

from django.db.models import Count, Q, QuerySet

from customers.models import Customer, ProductStatus


def customers_with_active_product_counts() -> QuerySet[Customer]:
    return Customer.objects.annotate(active_products=Count("products", filter=Q(products__status=ProductStatus.ACTIVE)))


def search_customers(query: str, limit: int = 25) -> QuerySet[Customer]:
    """Customers matching a name, customer number, email or phone fragment, best first."""
    query = query.strip()
    digits = "".join(ch for ch in query if ch.isdigit())
    match = Q(name__icontains=query) | Q(email__icontains=query) | Q(number__iexact=query)
    if len(digits) >= 4:
        # Phones are stored formatted ("+44 7700 900123"); agents type them any way.
        match |= Q(phone__icontains=digits[-6:])
    return customers_with_active_product_counts().filter(match).order_by("name")[:limit]


# --- self-service (/my/) -----------------------------------------------------------------------------
# The only way the customer's own pages (customers/selfservice.py) load customer-owned data. Every
# read is scoped to the signed-in customer; anything else answers 404, exactly like something that
# does not exist, so a probe learns nothing about other customers' orders or products.

from django.db.models import Exists, OuterRef, Prefetch  # noqa: E402
from django.http import Http404  # noqa: E402

from customers.models import Address, InstalledProduct  # noqa: E402
from orders.models import (  # noqa: E402
    TERMINAL_STATES,
    CancellationRequest,
    DeliverySignOff,
    FulfilmentTask,
    InformationRequest,
    LifecycleStatus,
    Order,
    OrderEvent,
    OrderItem,
    OrderNote,
    OrderState,
    ProductOffering,
    order_pk_from_number,
)


def orders_of_customer(customer: Customer) -> QuerySet[Order]:
    """The customer's orders, newest first, with their items and whether a question waits for them.

    Drafts given up before they were ever sent (discarded) are left out: nothing was ordered.
    """
    open_question = InformationRequest.objects.filter(order=OuterRef("pk"), answered_at__isnull=True)
    items = OrderItem.objects.select_related("offering", "product").order_by("id")
    return (
        Order.objects.filter(customer=customer)
        .exclude(state=OrderState.CANCELLED, submitted_at__isnull=True)
        .annotate(has_open_question=Exists(open_question))
        .prefetch_related(Prefetch("items", queryset=items))
        .order_by("-created_at", "-pk")
    )


def order_for_customer(*, customer: Customer, number: str, queryset: QuerySet[Order] | None = None) -> Order:
    """The only way self-service pages load one order: 404 unless it exists and is this customer's.

    `queryset` may add what a page shows (select/prefetch); the customer filter always applies.
    """
    pk = order_pk_from_number(number)
    if pk is None or customer is None or customer.pk is None:
        raise Http404("No such order.")
    base = Order.objects.all() if queryset is None else queryset
    order = base.filter(pk=pk, customer=customer).first()
    if order is None:
        raise Http404("No such order.")
    return order


def order_page_for_customer(*, customer: Customer, number: str) -> Order:
    """One of the customer's orders with everything its page shows, in a fixed number of queries.

    Only customer-visible notes are loaded: staff notes never reach a self-service page.
    """
    items = OrderItem.objects.select_related("offering", "product", "install_address").order_by("id")
    queryset = Order.objects.select_related("superseded_by", "revision_of", "initiating_request").prefetch_related(
        Prefetch("items", queryset=items),
        Prefetch("events", queryset=OrderEvent.objects.select_related("actor").order_by("created_at", "id")),
        Prefetch("information_requests", queryset=InformationRequest.objects.select_related("answered_by")),
        Prefetch("cancellation_requests", queryset=CancellationRequest.objects.select_related("requested_by")),
        Prefetch("notes", queryset=OrderNote.objects.filter(customer_visible=True).order_by("created_at", "id")),
        Prefetch("tasks", queryset=FulfilmentTask.objects.order_by("item_id", "sequence", "id")),
        Prefetch("signoffs", queryset=DeliverySignOff.objects.select_related("signed_by").order_by("signed_at")),
    )
    return order_for_customer(customer=customer, number=number, queryset=queryset)


def draft_for_customer(*, customer: Customer, number: str) -> Order:
    """One of the customer's orders for the "order something" steps, with its items and offerings."""
    items = OrderItem.objects.select_related("offering", "install_address").order_by("id")
    queryset = Order.objects.prefetch_related(Prefetch("items", queryset=items))
    return order_for_customer(customer=customer, number=number, queryset=queryset)


def orders_needing_attention(customer: Customer) -> list[Order]:
    """The customer's orders waiting for them: a question to answer or a delivery to sign off."""
    waiting = Q(has_open_question=True) | Q(awaiting_signoff=True)
    return list(orders_of_customer(customer).filter(waiting, state=OrderState.PENDING))


def products_of_customer(customer: Customer) -> QuerySet[InstalledProduct]:
    """The customer's installed base, newest first; `open_items` holds the open order items changing each.

    Products whose order was cancelled before they were delivered are left out: the customer never
    had them (the order itself still shows the cancellation).
    """
    open_items = OrderItem.objects.exclude(order__state__in=TERMINAL_STATES).select_related("order").order_by("-id")
    return (
        InstalledProduct.objects.filter(customer=customer)
        .exclude(status=ProductStatus.CANCELLED)
        .select_related("offering", "install_address")
        .prefetch_related(Prefetch("order_items", queryset=open_items, to_attr="open_items"))
        .order_by("-created_at", "-pk")
    )


def product_for_customer(*, customer: Customer, pk: int) -> InstalledProduct:
    """The only way self-service pages load one installed product: 404 unless it is this customer's."""
    if customer is None or customer.pk is None:
        raise Http404("No such product.")
    product = products_of_customer(customer).filter(pk=pk).first()
    if product is None:
        raise Http404("No such product.")
    return product


def installation_addresses_of(customer: Customer) -> list[Address]:
    """The customer's validated installation addresses, with the district that says what serves them."""
    return list(
        Address.objects.filter(
            customer=customer, purpose=Address.Purpose.INSTALLATION, reference_street__isnull=False
        ).select_related("reference_street__district")
    )


def offerings_for_self_service() -> QuerySet[ProductOffering]:
    """What is on sale, with the offerings an add-on needs alongside it."""
    return (
        ProductOffering.objects.filter(lifecycle_status=LifecycleStatus.LAUNCHED)
        .prefetch_related("requires")
        .order_by("category", "name")
    )
