"""orders.rows: new rows of several tables that refer to each other, written together."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import Channel, InstalledProduct, ProductStatus
from orders.models import (
    InitiatingRequest,
    ItemAction,
    ItemIntent,
    Order,
    OrderEvent,
    OrderItem,
    OrderState,
)
from orders.rows import Rows
from tests.factories import AgentFactory, CustomerFactory, OfferingFactory

pytestmark = pytest.mark.django_db


def _new_order(rows: Rows, customer, agent, offering) -> tuple[Order, list[OrderItem], list[InstalledProduct]]:
    request = InitiatingRequest(customer=customer, kind=InitiatingRequest.Kind.CUSTOMER_REQUEST, recorded_by=agent)
    order = Order(customer=customer, channel=Channel.CALL_CENTRE, captured_by=agent, initiating_request=request)
    items = [
        OrderItem(
            order=order,
            item_id=str(n),
            action=ItemAction.ADD,
            intent=ItemIntent.PROVIDE,
            offering=offering,
            characteristics={"sim_type": "esim", "n": n},
        )
        for n in (1, 2)
    ]
    # An item and its new product refer to each other, as place_order's do.
    products = [
        InstalledProduct(
            customer=customer,
            offering=offering,
            name=offering.name,
            status=ProductStatus.PENDING_ACTIVE,
            characteristics=item.characteristics,
            last_order_item=item,
        )
        for item in items
    ]
    for item, product in zip(items, products, strict=True):
        item.product = product
    rows.add(request, as_saved=True)
    rows.add(order, as_saved=True)
    rows.add(items)
    rows.add(products)
    return order, items, products


@pytest.mark.parametrize("batched", [True, False], ids=["one round trip", "table by table"])
def test_rows_referring_to_each_other_are_written_whole(batched):
    if batched and connection.vendor != "postgresql":
        pytest.skip("batched on PostgreSQL only")
    customer, agent, offering = CustomerFactory(), AgentFactory(), OfferingFactory(requires_install_address=False)
    rows = Rows()
    rows.batched = batched
    order, items, products = _new_order(rows, customer, agent, offering)

    rows.give_ids()
    assert order.pk and all(item.pk for item in items) and all(product.pk for product in products)
    # Rows added after the ids were given (nothing refers to them) go with the rest.
    rows.add(OrderEvent(order=order, transition="acknowledge", from_state="draft", to_state="acknowledged"))
    rows.write()

    saved = Order.objects.get(pk=order.pk)
    assert saved.initiating_request.recorded_by == agent
    assert saved.created_at == order.created_at and saved.state == OrderState.DRAFT
    assert [(i.pk, i.product_id, i.characteristics) for i in saved.items.order_by("pk")] == [
        (item.pk, product.pk, item.characteristics) for item, product in zip(items, products, strict=True)
    ]
    assert [
        p.last_order_item_id for p in InstalledProduct.objects.filter(pk__in=[p.pk for p in products]).order_by("pk")
    ] == [item.pk for item in items]
    assert saved.events.get().to_state == "acknowledged"
    # What is in memory is what was written, and reads nothing back.
    assert not order._state.adding and items[0].product is products[0]


def test_on_postgresql_every_row_takes_two_statements():
    if connection.vendor != "postgresql":
        pytest.skip("batched on PostgreSQL only")
    customer, agent, offering = CustomerFactory(), AgentFactory(), OfferingFactory(requires_install_address=False)
    rows = Rows()
    with CaptureQueriesContext(connection) as queries:
        _new_order(rows, customer, agent, offering)
        rows.give_ids()
        rows.write()
    assert len(queries) == 2
    assert OrderItem.objects.filter(order__customer=customer, product__isnull=False).count() == 2


def test_a_row_refering_to_one_never_written_is_refused():
    customer = CustomerFactory()
    rows = Rows()
    rows.add(
        Order(customer=customer, channel=Channel.CALL_CENTRE, initiating_request=InitiatingRequest(customer=customer))
    )
    with pytest.raises(ValueError, match="initiating_request"):
        rows.write()
