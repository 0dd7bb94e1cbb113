"""Repackaging keeps the configuration that still applies, so nobody is asked for the router again."""

import pytest

from customers.models import ProductStatus
from orders.models import ItemIntent
from orders.services import carried_over_characteristics, create_change_order
from tests.factories import ROUTER, InstalledProductFactory, OfferingFactory

STATIC_IP = {"name": "static_ip", "type": "boolean"}
SPEED_500 = {"name": "speed", "type": "choice", "required": True, "choices": ["500"]}
SPEED_900 = {"name": "speed", "type": "choice", "required": True, "choices": ["900"]}
HANDSETS = {
    "name": "handsets",
    "type": "group",
    "fields": [{"name": "extension", "type": "text", "pattern": "^[0-9]{3,4}$"}],
}


@pytest.fixture
def fibre_900(db):
    return OfferingFactory(code="fibre-900", name="Fibre 900", data_requirements=[ROUTER, STATIC_IP, SPEED_900])


def test_values_the_new_offering_still_accepts_are_kept(fibre_900):
    kept = carried_over_characteristics({"router": "mesh-pack", "static_ip": True}, fibre_900)
    assert kept == {"router": "mesh-pack", "static_ip": True}


def test_a_value_the_new_offering_does_not_accept_is_asked_again(fibre_900):
    kept = carried_over_characteristics({"router": "mesh-pack", "speed": "500"}, fibre_900)
    assert kept == {"router": "mesh-pack"}


def test_fields_the_new_offering_does_not_have_are_dropped(fibre_900):
    kept = carried_over_characteristics({"router": "hub-6", "sim_type": "esim"}, fibre_900)
    assert kept == {"router": "hub-6"}


def test_a_group_is_kept_whole_or_not_at_all(db):
    pbx = OfferingFactory(code="pbx-big", data_requirements=[HANDSETS])
    rows = [{"extension": "201"}, {"extension": "202"}]
    assert carried_over_characteristics({"handsets": rows}, pbx) == {"handsets": rows}
    assert carried_over_characteristics({"handsets": [*rows, {"extension": "2"}]}, pbx) == {}


def test_a_value_referring_to_a_dropped_one_is_dropped_too(db):
    groups = {"name": "user_groups", "type": "group", "max": 1, "fields": [{"name": "name", "type": "text"}]}
    phones = {"name": "main_group", "type": "choice", "choices_from": "user_groups.name"}
    pbx = OfferingFactory(code="pbx-one", data_requirements=[groups, phones])
    current = {"user_groups": [{"name": "Sales"}, {"name": "Support"}], "main_group": "Support"}
    assert carried_over_characteristics(current, pbx) == {}


def test_nothing_to_carry_over_from_an_empty_configuration(fibre_900):
    assert carried_over_characteristics(None, fibre_900) == {}
    assert carried_over_characteristics({}, fibre_900) == {}


def test_a_repackage_order_starts_from_the_products_configuration(customer, agent, fibre, fibre_900):
    product = InstalledProductFactory(
        customer=customer, offering=fibre, status=ProductStatus.ACTIVE, characteristics={"router": "mesh-pack"}
    )

    order = create_change_order(product, intent=ItemIntent.REPACKAGE, by=agent, new_offering=fibre_900)

    item = order.items.get()
    assert (item.offering, item.characteristics) == (fibre_900, {"router": "mesh-pack"})
