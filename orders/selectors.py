"""Reads: the order querysets pages, the back office and the API build on.

Each selector returns a queryset that already carries what its page shows (related rows joined,
counts and latest values as subqueries), so a page costs the same number of queries whatever it lists.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from customers.models import Customer, InstalledProduct, ProductStatus
from orders.models import (
    TERMINAL_STATES,
    CancellationRequest,
    DeliverySignOff,
    FeasibilityAssessment,
    FulfilmentTask,
    InformationRequest,
    LifecycleStatus,
    Order,
    OrderEvent,
    OrderItem,
    OrderNote,
    OrderState,
    ProductOffering,
    TaskState,
    order_pk_from_number,
)

# An order whose expected completion is this close (or past) while it is still open is in jeopardy.
JEOPARDY_DAYS = 2

OPEN_STATES = [state for state in OrderState.values if state not in TERMINAL_STATES]


def in_jeopardy(today: dt.date | None = None) -> Q:
    """Open orders expected to complete within JEOPARDY_DAYS, or already late."""
    today = today or timezone.localdate()
    return Q(expected_completion_date__lte=today + dt.timedelta(days=JEOPARDY_DAYS), state__in=OPEN_STATES)


def _items_count() -> Coalesce:
    # A correlated subquery, not Count("items"): no GROUP BY over the orders table, and it is
    # evaluated only for the rows of the page.
    per_order = (
        OrderItem.objects.filter(order=OuterRef("pk")).order_by().values("order").annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(per_order, output_field=IntegerField()), Value(0))


def _latest_event(field: str, **filters) -> Subquery:
    events = OrderEvent.objects.filter(order=OuterRef("pk"), **filters).order_by("-created_at", "-id")
    output = DateTimeField() if field == "created_at" else TextField()
    return Subquery(events.values(field)[:1], output_field=output)


def orders_for_tracking() -> QuerySet[Order]:
    """Every order with its customer and items count, newest first: the back office's order list."""
    return Order.objects.select_related("customer").annotate(items_count=_items_count())


def orders_held_for_review() -> QuerySet[Order]:
    """Orders held for special handling, oldest first, with the latest feasibility result and when they were held."""
    latest_feasibility = FeasibilityAssessment.objects.filter(order=OuterRef("pk")).order_by("-assessed_at", "-id")
    return (
        orders_for_tracking()
        .filter(state=OrderState.HELD, needs_special_handling=True)
        .annotate(
            latest_feasibility=Subquery(latest_feasibility.values("result")[:1]),
            held_since=_latest_event("created_at", to_state=OrderState.HELD),
        )
        .order_by("created_at", "pk")
    )


def orders_in_fallout() -> QuerySet[Order]:
    """Orders held because fulfilment failed, oldest first, with the failed step and the reason given.

    `fallout_reason` is the note of the transition that held the order (it names the failed step);
    `failed_step` and `failure_reason` come from the latest failed fulfilment task, when there is one.
    """
    failed = FulfilmentTask.objects.filter(order=OuterRef("pk"), state=TaskState.FAILED).order_by("-id")
    return (
        orders_for_tracking()
        .filter(state=OrderState.HELD, needs_special_handling=False)
        .annotate(
            fallout_reason=_latest_event("note", to_state=OrderState.HELD),
            held_since=_latest_event("created_at", to_state=OrderState.HELD),
            failed_step=Subquery(failed.values("name")[:1]),
            failure_reason=Subquery(failed.values("failure_reason")[:1]),
        )
        .order_by("created_at", "pk")
    )


# --- agent console (ordersite/console) ----------------------------------------------------------------


def _items_for_pages() -> QuerySet[OrderItem]:
    return OrderItem.objects.select_related(
        "offering", "product__telephone_number", "new_owner", "install_address__reference_street__district"
    ).order_by("id")


def order_for_capture(pk: int) -> Order:
    """A draft with what every capture step shows (customer, request, items and their offerings).

    Only what the steps read is joined: an amendment's original is named from revision_of_id
    (Order.revision_of_number), so it is not loaded, nor is who captured the draft; the steps that
    show feasibility results load them when they show them (with_feasibility_results).
    """
    items = Prefetch("items", queryset=_items_for_pages())
    return Order.objects.select_related("customer", "initiating_request").prefetch_related(items).get(pk=pk)


def with_feasibility_results(order: Order) -> Order:
    """The order with its feasibility results and who recorded them (one query, none if already loaded)."""
    assessments = FeasibilityAssessment.objects.select_related("assessed_by")
    prefetch_related_objects([order], Prefetch("feasibility_assessments", queryset=assessments))
    return order


def order_for_console(pk: int) -> Order:
    """An order with everything its console page shows, in a fixed number of queries however big it is."""
    from orders.models import (
        CancellationRequest,
        FulfilmentTask,
        InformationRequest,
        OrderDocument,
        OrderNote,
        OutboxEvent,
    )

    revision = Order.objects.select_related("customer", "initiating_request").prefetch_related(
        Prefetch("items", queryset=_items_for_pages())
    )
    return (
        Order.objects.select_related("customer", "initiating_request__recorded_by", "captured_by")
        .prefetch_related(
            Prefetch("items", queryset=_items_for_pages()),
            Prefetch("events", queryset=OrderEvent.objects.select_related("actor", "item")),
            Prefetch("outbox_events", queryset=OutboxEvent.objects.order_by("id")),
            Prefetch(
                "feasibility_assessments",
                queryset=FeasibilityAssessment.objects.select_related("assessed_by", "item__offering"),
            ),
            Prefetch("notes", queryset=OrderNote.objects.select_related("author")),
            Prefetch(
                "information_requests",
                queryset=InformationRequest.objects.select_related("asked_by", "answered_by"),
            ),
            Prefetch("cancellation_requests", queryset=CancellationRequest.objects.select_related("requested_by")),
            Prefetch("documents", queryset=OrderDocument.objects.select_related("uploaded_by")),
            Prefetch("revision_of", queryset=revision),
            Prefetch("superseded_by", queryset=revision),
            Prefetch("revisions", queryset=Order.objects.order_by("revision", "pk")),
            Prefetch("tasks", queryset=FulfilmentTask.objects.select_related("item").order_by("item_id", "sequence")),
        )
        .get(pk=pk)
    )


def orders_for_console_list(
    *,
    state: str = "",
    channel: str = "",
    special_handling: bool | None = None,
    created_from: dt.date | None = None,
    created_to: dt.date | None = None,
    customer: str = "",
) -> QuerySet[Order]:
    """The console's order list, newest first, filtered; customer matches a name, number or order number."""
    orders = orders_for_tracking().select_related("captured_by")
    if state:
        orders = orders.filter(state=state)
    if channel:
        orders = orders.filter(channel=channel)
    if special_handling is not None:
        orders = orders.filter(needs_special_handling=special_handling)
    if created_from:
        orders = orders.filter(created_at__date__gte=created_from)
    if created_to:
        orders = orders.filter(created_at__date__lte=created_to)
    customer = customer.strip()
    if customer:
        from orders.models import order_pk_from_number

        match = Q(customer__name__icontains=customer) | Q(customer__number__iexact=customer)
        pk = order_pk_from_number(customer)
        if pk:
            match |= Q(pk=pk)
        orders = orders.filter(match)
    return orders.order_by("-created_at", "-pk")


def drafts_captured_by(user, limit: int = 8) -> list[Order]:
    """The user's drafts still being captured, most recently touched first."""
    return list(
        orders_for_tracking().filter(captured_by=user, state=OrderState.DRAFT).order_by("-updated_at", "-pk")[:limit]
    )


def orders_waiting_on_customer(limit: int = 8) -> list[Order]:
    """Orders pending an answer from the customer, the nearest deadline first, with the open question."""
    from orders.models import InformationRequest

    open_questions = InformationRequest.objects.filter(order=OuterRef("pk"), answered_at__isnull=True).order_by(
        "-asked_at"
    )
    return list(
        Order.objects.select_related("customer")
        .filter(state=OrderState.PENDING)
        .annotate(
            open_question=Subquery(open_questions.values("question")[:1]),
            question_deadline=Subquery(open_questions.values("deadline")[:1]),
        )
        .order_by(F("question_deadline").asc(nulls_last=True), "created_at")[:limit]
    )


def recent_orders_captured_by(user, limit: int = 8) -> list[Order]:
    """Orders the user captured and submitted, newest first."""
    return list(
        orders_for_tracking()
        .filter(captured_by=user)
        .exclude(state=OrderState.DRAFT)
        .order_by("-created_at", "-pk")[:limit]
    )


def customers_at_address(query: str, limit: int = 25) -> QuerySet:
    """Customers with an address matching "12 Mill Lane", "Mill Lane" or a postcode."""
    from customers.addresses import collapse, compact_postcode, format_postcode
    from customers.models import Address, Customer

    text = collapse(query.replace(",", " "))
    if len(text) < 3:
        return Customer.objects.none()
    words = text.split()
    match = Q(postcode__iexact=format_postcode(text)) if len(compact_postcode(text)) >= 5 else Q(pk__in=[])
    if words[0][:1].isdigit() and len(words) > 1:
        match |= Q(house_number__iexact=words[0], street__icontains=" ".join(words[1:]))
    else:
        match |= Q(street__icontains=text)
    ids = Address.objects.filter(match).values("customer_id")
    from customers.selectors import customers_with_active_product_counts

    return customers_with_active_product_counts().filter(pk__in=ids).order_by("name")[:limit]


def customer_of_order(number: str):
    """The customer whose order `number` is ("ORD-000042", "42"), with the search's product count; or None.

    An agent who searches customers by an order number finds its customer, not "no customer matches".
    """
    from customers.selectors import customers_with_active_product_counts

    pk = order_pk_from_number(number)
    return customers_with_active_product_counts().filter(orders__pk=pk).first() if pk else None


def customer_for_console(number: str):
    """A customer with contacts, addresses, products (and any open order on them), orders and interactions."""
    from django.shortcuts import get_object_or_404

    from customers.models import Address, Customer, InstalledProduct, Interaction

    open_items = OrderItem.objects.filter(order__state__in=OPEN_STATES).select_related("order").order_by("-id")
    return get_object_or_404(
        Customer.objects.prefetch_related(
            "contacts",
            Prefetch("addresses", queryset=Address.objects.select_related("reference_street__district")),
            Prefetch(
                "products",
                queryset=InstalledProduct.objects.select_related(
                    "offering", "install_address", "telephone_number"
                ).prefetch_related(Prefetch("order_items", queryset=open_items, to_attr="open_items")),
            ),
            Prefetch("interactions", queryset=Interaction.objects.select_related("recorded_by")),
        ),
        number__iexact=number,
    )


def customer_orders(customer, limit: int = 10) -> list[Order]:
    """A customer's latest orders with their items count."""
    return list(orders_for_tracking().filter(customer=customer).order_by("-created_at", "-pk")[:limit])


def customer_documents(customer, limit: int = 20) -> list:
    """Documents attached to any of the customer's orders, newest first."""
    from orders.models import OrderDocument

    return list(
        OrderDocument.objects.filter(order__customer=customer)
        .select_related("order", "uploaded_by")
        .order_by("-uploaded_at")[:limit]
    )


# --- self-service (/my/) -----------------------------------------------------------------------------
# The only way the customer's own pages (ordersite/selfservice) load customer-owned data. Every
# read is scoped to the signed-in customer; anything else answers 404, exactly like something that
# does not exist, so a probe learns nothing about other customers' orders or products.


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
        .select_related("offering", "install_address", "telephone_number")
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


def offerings_for_self_service() -> QuerySet[ProductOffering]:
    """What is on sale, with the offerings an add-on needs alongside it."""
    return (
        ProductOffering.objects.filter(lifecycle_status=LifecycleStatus.LAUNCHED)
        .prefetch_related("requires")
        .order_by("category", "name")
    )
