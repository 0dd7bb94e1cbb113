"""The offerings orders are placed against, kept in memory while the catalog does not change.

Every API order needs the offerings it names, with their fulfilment plans and prerequisites: four
queries that `make bench` showed to be a fifth of the CPU an order costs, for data that changes a
few times a year. The catalog's version is read instead, from the shared cache (no query): a token
that saving or deleting an offering replaces, and so does `bump_version` whenever a fulfilment step
or a prerequisite changes (receivers below), at once and again at commit, so every process sees a
change on its next order. An offering list loaded under a version is kept under that version only, so
a change committed while it was loading cannot be kept past it. Changes that bypass the models (SQL
by hand, QuerySet.update) are picked up within MAX_AGE_SECONDS all the same.

The cached offerings are shared by the threads of a process: callers read them and never change them.
"""

from __future__ import annotations

import threading
import time

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from customers import versions
from orders.models import FulfilmentStep, LifecycleStatus, ProductOffering

MAX_AGE_SECONDS = 60
VERSION_KEY = "catalog:version"

_lock = threading.Lock()
_snapshot: tuple[str | None, float, dict[str, ProductOffering]] = (None, 0.0, {})


def orderable_offerings(codes: set[str]) -> dict[str, ProductOffering]:
    """The offerings with these codes that orders may name (all but those in design), by code."""
    offerings = _current()
    return {code: offerings[code] for code in codes if code in offerings}


def offerings_on_sale() -> list[ProductOffering]:
    """The launched offerings, by category and name, with their prerequisites: what an agent may add to a
    draft and qualification judges (the console's products step asks on every page)."""
    return [offering for offering in _current().values() if offering.lifecycle_status == LifecycleStatus.LAUNCHED]


def _current() -> dict[str, ProductOffering]:
    global _snapshot
    version = catalog_version()
    cached_version, loaded_at, offerings = _snapshot
    if version is None or cached_version != version or time.monotonic() - loaded_at > MAX_AGE_SECONDS:
        with _lock:
            offerings = _load()
            _snapshot = (version, time.monotonic(), offerings)
    return offerings


def catalog_version() -> str:
    return versions.current(VERSION_KEY)


def catalog_changed() -> None:
    """Make every process read the offerings again, now and when the current transaction commits."""
    versions.replace([VERSION_KEY])


def _load() -> dict[str, ProductOffering]:
    offerings = (
        ProductOffering.objects.exclude(lifecycle_status=LifecycleStatus.IN_DESIGN)
        .prefetch_related("fulfilment_steps__depends_on", "requires")
        .order_by("category", "name")  # the catalog's order, which offerings_on_sale() keeps
    )
    return {offering.code: offering for offering in offerings}


def bump_version(offering_ids) -> None:
    """Mark these offerings changed, for a change the offering row itself does not show."""
    ProductOffering.objects.filter(pk__in=offering_ids).update(updated_at=timezone.now())
    catalog_changed()


@receiver([post_save, post_delete], sender=ProductOffering)
def _offering_changed(sender, **kwargs) -> None:
    catalog_changed()


@receiver([post_save, post_delete], sender=FulfilmentStep)
def _step_changed(sender, instance: FulfilmentStep, **kwargs) -> None:
    bump_version([instance.offering_id])


@receiver(m2m_changed, sender=FulfilmentStep.depends_on.through)
def _step_dependencies_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    if action.startswith("post_"):
        steps = FulfilmentStep.objects.filter(pk__in={instance.pk, *(pk_set or ())})
        bump_version(steps.values("offering_id"))


@receiver(m2m_changed, sender=ProductOffering.requires.through)
def _prerequisites_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    if action.startswith("post_"):
        bump_version({instance.pk, *(pk_set or ())})
