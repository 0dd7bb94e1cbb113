"""Orders take their offerings from memory until the catalog changes, and see every change at once."""

import time

import pytest

from orders import catalog
from orders.catalog import orderable_offerings
from orders.models import LifecycleStatus
from tests.factories import FulfilmentStepFactory, OfferingFactory

pytestmark = pytest.mark.django_db


def step_codes(offering):
    return [step.code for step in offering.fulfilment_steps.all()]


@pytest.fixture(autouse=True)
def fibre_ships_a_router(fibre):
    """The shared fibre offering's one fulfilment step: the cache must carry an offering's plan along with it."""
    return FulfilmentStepFactory(offering=fibre, code="ship-router", sequence=10)


def test_an_unchanged_catalog_costs_no_query(fibre, django_assert_num_queries):
    orderable_offerings({"fibre"})

    with django_assert_num_queries(0):
        offering = orderable_offerings({"fibre", "unknown"})["fibre"]
        assert step_codes(offering) == ["ship-router"]
        assert list(offering.requires.all()) == []


def test_offerings_in_design_cannot_be_ordered(fibre):
    OfferingFactory(code="draft-offer", lifecycle_status=LifecycleStatus.IN_DESIGN)
    OfferingFactory(code="old-offer", lifecycle_status=LifecycleStatus.RETIRED)

    assert set(orderable_offerings({"fibre", "draft-offer", "old-offer"})) == {"fibre", "old-offer"}


def test_a_changed_offering_is_read_again(fibre):
    orderable_offerings({"fibre"})
    fibre.name = "Fibre 2000"
    fibre.save()

    assert orderable_offerings({"fibre"})["fibre"].name == "Fibre 2000"


def test_a_new_or_removed_offering_is_seen(fibre):
    orderable_offerings({"fibre"})
    OfferingFactory(code="mobile")
    assert set(orderable_offerings({"fibre", "mobile"})) == {"fibre", "mobile"}

    fibre.delete()
    assert set(orderable_offerings({"fibre", "mobile"})) == {"mobile"}


def test_changed_fulfilment_steps_and_their_order_are_seen(fibre):
    orderable_offerings({"fibre"})
    install = FulfilmentStepFactory(offering=fibre, code="install", sequence=20)
    assert step_codes(orderable_offerings({"fibre"})["fibre"]) == ["ship-router", "install"]

    ship = fibre.fulfilment_steps.get(code="ship-router")
    install.depends_on.add(ship)
    steps = orderable_offerings({"fibre"})["fibre"].fulfilment_steps.all()
    (cached_install,) = [step for step in steps if step.code == "install"]
    assert [s.code for s in cached_install.depends_on.all()] == ["ship-router"]

    ship.delete()
    assert step_codes(orderable_offerings({"fibre"})["fibre"]) == ["install"]


def test_a_new_prerequisite_is_seen(fibre):
    tv = OfferingFactory(code="tv", is_addon=True)
    orderable_offerings({"tv"})

    tv.requires.add(fibre)

    assert [o.code for o in orderable_offerings({"tv"})["tv"].requires.all()] == ["fibre"]


def test_a_change_behind_the_models_back_is_seen_within_a_minute(fibre, monkeypatch):
    orderable_offerings({"fibre"})
    type(fibre).objects.filter(pk=fibre.pk).update(name="Renamed by hand")  # keeps updated_at
    assert orderable_offerings({"fibre"})["fibre"].name != "Renamed by hand"

    later = time.monotonic() + catalog.MAX_AGE_SECONDS + 1
    monkeypatch.setattr(catalog.time, "monotonic", lambda: later)

    assert orderable_offerings({"fibre"})["fibre"].name == "Renamed by hand"


def test_what_an_order_loaded_while_a_change_was_uncommitted_is_forgotten_at_commit(
    fibre, monkeypatch, django_capture_on_commit_callbacks
):
    as_it_was = orderable_offerings({"fibre"})

    with django_capture_on_commit_callbacks(execute=True):
        fibre.name = "Fibre 2000"
        fibre.save()
        with monkeypatch.context() as another_process:
            # Another process loads the catalog before the commit, as it was, and keeps it under the new version.
            another_process.setattr(catalog, "_load", lambda: as_it_was)
            assert orderable_offerings({"fibre"})["fibre"].name != "Fibre 2000"

    assert orderable_offerings({"fibre"})["fibre"].name == "Fibre 2000"
