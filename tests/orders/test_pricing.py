"""orders.pricing: which items are charged, and the totals every channel shows."""

from decimal import Decimal

import pytest

from orders import pricing
from orders.models import ItemIntent, OrderItem
from tests.factories import OfferingFactory, OrderFactory, OrderItemFactory

pytestmark = pytest.mark.django_db


def test_provide_and_repackage_are_charged_change_and_cease_are_not():
    assert set(pricing.CHARGED_INTENTS) == {ItemIntent.PROVIDE, ItemIntent.REPACKAGE}
    assert pricing.is_charged(OrderItem(intent=ItemIntent.REPACKAGE))
    assert not pricing.is_charged(OrderItem(intent=ItemIntent.CHANGE))
    assert not pricing.is_charged(OrderItem(intent=ItemIntent.DISCONTINUE))


def test_totals_add_the_charged_items_times_their_quantity():
    order = OrderFactory()
    euro = OfferingFactory(currency="EUR")
    OrderItemFactory(order=order, offering=euro, one_off_price=Decimal("10"), recurring_price=Decimal("5"), quantity=2)
    OrderItemFactory(order=order, offering=euro, intent=ItemIntent.REPACKAGE, recurring_price=Decimal("7"))
    OrderItemFactory(order=order, offering=euro, intent=ItemIntent.DISCONTINUE, recurring_price=Decimal("99"))

    totals = pricing.totals(order)

    assert (totals.one_off, totals.monthly, totals.currency) == (Decimal("20"), Decimal("17"), "EUR")
    assert pricing.totals(list(order.items.all())) == totals
    assert totals["monthly"] == Decimal("17")  # templates read it either way


def test_an_order_without_offerings_is_priced_in_the_catalogs_currency():
    totals = pricing.totals([])
    assert (totals.one_off, totals.monthly) == (Decimal("0"), Decimal("0"))
    assert totals.currency == pricing.default_currency() == OfferingFactory.build().currency


def test_every_channel_uses_the_domains_totals():
    from ordersite.console import presenters as console
    from ordersite.selfservice import presenters as selfservice

    assert console.item_totals is pricing.totals
    assert selfservice.totals is pricing.totals
