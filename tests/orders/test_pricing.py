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


# --- charges per entry of a group (a hosted PBX: so much per handset) ---------------------------

PER_HANDSET = [
    {
        "name": "handsets",
        "label": "Handsets",
        "type": "group",
        "price_per_entry": {"one_off": "45.00", "recurring": "6.50"},
        "fields": [
            {"name": "extension", "type": "text"},
            {
                "name": "speed_dials",
                "type": "group",
                "price_per_entry": {"recurring": "0.25"},
                "fields": [{"name": "number", "type": "phone"}],
            },
        ],
    }
]


def handsets(count, speed_dials=0):
    return {
        "handsets": [
            {"extension": str(200 + n), "speed_dials": [{"number": "+441632960000"}] * speed_dials}
            for n in range(count)
        ]
    }


def test_an_item_costs_its_offering_plus_each_entry_times_its_charge():
    pbx = OfferingFactory.build(
        one_off_price=Decimal("150.00"), recurring_price=Decimal("9.50"), data_requirements=PER_HANDSET
    )

    assert pricing.configured_prices(pbx, handsets(200)) == pricing.Prices(Decimal("9150.00"), Decimal("1309.50"))
    # Nested entries count over every parent row: 3 handsets with 2 speed dials each are 6.
    assert pricing.configured_prices(pbx, handsets(3, speed_dials=2)).recurring == Decimal("9.50") + 3 * Decimal(
        "6.50"
    ) + 6 * Decimal("0.25")
    assert pricing.configured_prices(pbx, {}) == pricing.Prices(Decimal("150.00"), Decimal("9.50"))
    assert pricing.configured_prices(pbx, {"handsets": "not a list"}).one_off == Decimal("150.00")
    assert pricing.configured_prices(None, handsets(2)) == pricing.Prices(Decimal("0"), Decimal("0"))


def test_the_items_price_follows_its_handsets_in_the_totals_and_the_tmf622_body(agent, rf):
    from orders.services import add_item, create_draft_order, update_item
    from ordersite.tmf.tmf622.representations import order_representation
    from tests.factories import OrganisationFactory

    pbx = OfferingFactory(
        one_off_price=Decimal("150.00"), recurring_price=Decimal("9.50"), data_requirements=PER_HANDSET
    )
    order = create_draft_order(customer=OrganisationFactory(), by=agent)
    item = add_item(order, by=agent, offering=pbx, characteristics=handsets(2))
    assert (item.one_off_price, item.recurring_price) == (Decimal("240.00"), Decimal("22.50"))

    update_item(item, by=agent, characteristics=handsets(200))
    item.refresh_from_db()
    totals = pricing.totals(order)
    assert (totals.one_off, totals.monthly) == (Decimal("9150.00"), Decimal("1309.50"))

    body = order_representation(rf.get("/"), order)
    total = {p["priceType"]: p["price"]["dutyFreeAmount"]["value"] for p in body["orderTotalPrice"]}
    assert (Decimal(str(total["oneTime"])), Decimal(str(total["recurring"]))) == (totals.one_off, totals.monthly)


def test_reconfiguring_moves_the_price_by_the_entries_only_so_a_later_catalog_change_does_not(agent):
    from orders.services import add_item, create_draft_order, update_item
    from tests.factories import OrganisationFactory

    pbx = OfferingFactory(
        one_off_price=Decimal("150.00"), recurring_price=Decimal("9.50"), data_requirements=PER_HANDSET
    )
    item = add_item(
        create_draft_order(customer=OrganisationFactory(), by=agent),
        by=agent,
        offering=pbx,
        characteristics=handsets(2),
    )
    pbx.recurring_price = Decimal("12.00")  # the catalog's price goes up after the item was added
    pbx.save()

    update_item(item, by=agent, characteristics=handsets(3))
    assert (item.one_off_price, item.recurring_price) == (Decimal("285.00"), Decimal("29.00"))
    update_item(item, by=agent, characteristics=handsets(1))
    assert (item.one_off_price, item.recurring_price) == (Decimal("195.00"), Decimal("16.00"))
