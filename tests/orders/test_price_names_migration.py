"""Migration 0022 gives each existing price the name it was shown with, so no name changes on the day."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from orders import catalog_changes
from orders.demo import HOSTED_PBX_REQUIREMENTS
from orders.models import ProductOffering

BEFORE, AFTER = ("orders", "0021_order_item_qualification"), ("orders", "0022_offering_price_names")


@pytest.fixture
def executor():
    yield MigrationExecutor(connection)
    # Back to the latest schema, whatever migrations come after these, for the tests that follow.
    latest = MigrationExecutor(connection)
    latest.migrate(latest.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_existing_prices_are_given_the_names_they_were_shown_with(executor):
    executor.migrate([BEFORE])
    old_offering = executor.loader.project_state([BEFORE]).apps.get_model("orders", "ProductOffering")
    old_offering.objects.create(
        code="pbx",
        name="Hosted PBX",
        category="voice",
        recurring_price=Decimal("9.50"),
        data_requirements=HOSTED_PBX_REQUIREMENTS,
    )
    old_offering.objects.create(code="free", name="Free", category="tv")

    executor.loader.build_graph()  # the state after migrating back
    executor.migrate([AFTER])

    pbx = ProductOffering.objects.get(code="pbx")
    assert pbx.price_names == {
        "recurring": "Hosted PBX: 9.50 GBP per month",
        "handsets.one_off": "Hosted PBX: 45.00 GBP one-off per handset",
        "handsets.recurring": "Hosted PBX: 6.50 GBP per month per handset",
    }
    # The names the code makes today are the same, so the stored ones still follow the amounts.
    assert catalog_changes.price_names_after(None, pbx) == pbx.price_names
    assert ProductOffering.objects.get(code="free").price_names == {}
