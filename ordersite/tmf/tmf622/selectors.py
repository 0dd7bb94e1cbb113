"""What an API client may see of orders: those of its customers and those it sent itself, never drafts."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Prefetch, Q, QuerySet

from orders.models import (
    ApiClient,
    CancellationRequest,
    Order,
    OrderItem,
    OrderNote,
    OrderState,
    order_pk_from_number,
)
from ordersite.tmf.tmf629.selectors import customer_ids


def orders_visible_to(client: ApiClient) -> QuerySet[Order]:
    """Orders of the client's customers, and those it sent for parties it may not order for.

    Drafts are left out: they are still being captured in another channel, and TMF622 v4 has no
    draft state.
    """
    return (
        Order.objects.filter(Q(customer__in=customer_ids(client)) | Q(created_by_client=client))
        .exclude(state=OrderState.DRAFT)
        .order_by("-created_at", "-id")
    )


COUNT_CAP = 10_000


def count_visible_to(client: ApiClient, narrow: Callable[[QuerySet[Order]], QuerySet[Order]]) -> int | None:
    """How many of the orders the client may see `narrow` (its filters) keeps, in one query; None above COUNT_CAP.

    Counting stops after COUNT_CAP + 1 rows: an exact count of a partner's hundred thousand orders
    would cost more than the page itself, and no one pages through that many.

    Counted as two disjoint parts added up (UNION ALL): the orders it sent, and its customers' orders
    it did not send. The OR of orders_visible_to would make PostgreSQL read every order; apart, each
    part uses its own index, and the orders a client sent are counted from order_client_state_idx
    alone (an API partner can have sent a tenth of a million orders).
    """
    not_drafts = Order.objects.exclude(state=OrderState.DRAFT).order_by()
    sent = not_drafts.filter(created_by_client=client)
    of_its_customers = not_drafts.filter(customer__in=customer_ids(client)).exclude(created_by_client=client)
    visible = narrow(sent).values("pk").union(narrow(of_its_customers).values("pk"), all=True)
    total = visible[: COUNT_CAP + 1].count()
    return None if total > COUNT_CAP else total


def with_representation(orders: QuerySet[Order]) -> QuerySet[Order]:
    """Everything the TMF622 representation shows, in a fixed number of queries."""
    items = OrderItem.objects.select_related("offering", "product", "install_address").prefetch_related("relies_on")
    return orders.select_related("customer", "api_submission", "created_by_client").prefetch_related(
        Prefetch("items", queryset=items),
        Prefetch(
            "notes",
            queryset=OrderNote.objects.filter(customer_visible=True).select_related("author__api_client"),
            to_attr="visible_notes",
        ),
        Prefetch("cancellation_requests", queryset=CancellationRequest.objects.order_by("-requested_at")),
    )


def order_pk(order_id: str) -> int | None:
    """The key an order number stands for; None for anything that cannot be one of ours."""
    pk = order_pk_from_number(order_id)
    return pk if pk is not None and pk < 2**63 else None


def order_for_client(client: ApiClient, order_id: str) -> Order | None:
    pk = order_pk(order_id)
    if pk is None:
        return None
    return with_representation(orders_visible_to(client).filter(pk=pk)).first()


def cancellations_visible_to(client: ApiClient) -> QuerySet[CancellationRequest]:
    return (
        CancellationRequest.objects.filter(order__in=orders_visible_to(client).values("pk"))
        .select_related("order")
        .order_by("-requested_at", "-id")
    )
