"""The catalog's commands: who may change it, the admin's validation, prices, and what is never deleted."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError

from orders import catalog_changes
from orders.catalog import orderable_offerings
from orders.demo import HOSTED_PBX_REQUIREMENTS
from orders.models import ProductOffering
from tests.factories import OfferingFactory, OrderItemFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog_manager(db):
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="change_productoffering"))
    return user


@pytest.fixture
def pbx(db):
    return OfferingFactory(
        code="pbx", name="Hosted PBX", recurring_price=Decimal("9.50"), data_requirements=HOSTED_PBX_REQUIREMENTS
    )


def test_only_catalog_managers_change_the_catalog(agent, pbx):
    with pytest.raises(PermissionDenied):
        catalog_changes.change_offering(by=agent, offering=pbx, changes={"name": "Mine"})
    with pytest.raises(PermissionDenied):
        catalog_changes.delete_offering(by=agent, offering=pbx)


def test_changes_go_through_the_admins_validation_and_reach_the_in_memory_catalog(catalog_manager, pbx):
    orderable_offerings({"pbx"})
    with pytest.raises(ValidationError) as refused:
        catalog_changes.change_offering(
            by=catalog_manager, offering=pbx, changes={"data_requirements": [{"name": "x", "type": "colour"}]}
        )
    assert "data_requirements" in refused.value.message_dict

    catalog_changes.set_price(by=catalog_manager, offering=pbx, kind=catalog_changes.RECURRING, amount=Decimal("11"))

    assert orderable_offerings({"pbx"})["pbx"].recurring_price == Decimal("11")


def test_a_new_price_is_refused_where_there_is_one(catalog_manager, pbx):
    with pytest.raises(catalog_changes.PriceExists):
        catalog_changes.set_price(
            by=catalog_manager,
            offering=pbx,
            kind=catalog_changes.ONE_OFF,
            amount=Decimal("1"),
            group="handsets",
            new=True,
        )
    assert catalog_changes.current_price(pbx, catalog_changes.ONE_OFF, "handsets") == Decimal("45.00")


def test_an_offering_orders_name_is_kept(catalog_manager, pbx):
    OrderItemFactory(offering=pbx)

    with pytest.raises(catalog_changes.OfferingInUse, match="orders name it"):
        catalog_changes.delete_offering(by=catalog_manager, offering=pbx)

    assert ProductOffering.objects.filter(code="pbx").exists()


def test_codes_are_made_from_names_and_never_reused(catalog_manager, pbx):
    fields = {"name": "Hosted PBX!", "category": "voice"}

    first = catalog_changes.create_offering(by=catalog_manager, fields=fields)
    second = catalog_changes.create_offering(by=catalog_manager, fields=fields)

    assert (first.code, second.code) == ("hosted-pbx", "hosted-pbx-2")


# --- price names ---------------------------------------------------------------------------------


def test_a_price_keeps_the_name_it_is_given_until_the_price_is_taken_away(catalog_manager, pbx):
    recurring = catalog_changes.RECURRING

    catalog_changes.set_price(by=catalog_manager, offering=pbx, kind=recurring, name="PBX seat")
    pbx = catalog_changes.set_price(by=catalog_manager, offering=pbx, kind=recurring, amount=Decimal("11"))

    assert catalog_changes.price_name(pbx, recurring) == "PBX seat"
    pbx = catalog_changes.set_price(by=catalog_manager, offering=pbx, kind=recurring, amount=Decimal("0"))
    assert "recurring" not in pbx.price_names
    pbx = catalog_changes.set_price(by=catalog_manager, offering=pbx, kind=recurring, amount=Decimal("12"), new=True)
    assert catalog_changes.price_name(pbx, recurring) == "Hosted PBX: 12.00 GBP per month"


def test_names_nobody_gave_are_made_again_when_the_amount_or_offering_changes(catalog_manager, pbx):
    one_off, recurring = catalog_changes.ONE_OFF, catalog_changes.RECURRING
    catalog_changes.set_price(by=catalog_manager, offering=pbx, kind=one_off, group="handsets", name="Handset fitting")

    pbx = catalog_changes.set_price(by=catalog_manager, offering=pbx, kind=recurring, amount=Decimal("11"))
    pbx = catalog_changes.change_offering(by=catalog_manager, offering=pbx, changes={"name": "Cloud PBX"})

    assert pbx.price_names == {
        "recurring": "Cloud PBX: 11.00 GBP per month",
        "handsets.one_off": "Handset fitting",
        "handsets.recurring": "Cloud PBX: 6.50 GBP per month per handset",
    }


def test_a_group_taken_out_of_the_requirements_takes_its_price_names(catalog_manager, pbx):
    catalog_changes.set_price(
        by=catalog_manager, offering=pbx, kind=catalog_changes.ONE_OFF, group="handsets", name="Handset fitting"
    )
    without_handsets = [spec for spec in pbx.data_requirements if spec["name"] != "handsets"]

    pbx = catalog_changes.change_offering(
        by=catalog_manager, offering=pbx, changes={"data_requirements": without_handsets}
    )

    assert set(pbx.price_names) == {"recurring"}


def test_a_price_name_is_refused_blank_or_too_long_and_nothing_changes(catalog_manager, pbx):
    for name in ("  ", "x" * 201):
        with pytest.raises(ValidationError) as refused:
            catalog_changes.set_price(by=catalog_manager, offering=pbx, kind=catalog_changes.RECURRING, name=name)
        assert "price_names" in refused.value.message_dict
    pbx.refresh_from_db()
    assert pbx.price_names == {}


def test_only_catalog_managers_rename_prices(agent, pbx):
    with pytest.raises(PermissionDenied):
        catalog_changes.set_price(by=agent, offering=pbx, kind=catalog_changes.RECURRING, name="Mine")
    pbx.refresh_from_db()
    assert pbx.price_names == {}
