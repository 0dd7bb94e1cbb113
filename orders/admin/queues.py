"""The back-office queues: special-handling review, fallout and stuck orders.

Proxies give each queue its own admin entry and view permission; they add no table. Each queue is the order
admin over its own rows, with the same order page and decisions.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import lru_cache

from django.contrib import admin
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from orders.admin.changelist import BackOfficeChangeList
from orders.admin.common import state_badge
from orders.admin.orders import OrderAdmin
from orders.fulfilment.stuck import humanise, stuck_orders
from orders.models import (
    FeasibilityAssessment,
    Order,
    OrderItem,
)
from orders.pagination import EstimatedCountPaginator
from orders.selectors import (
    orders_held_for_review,
    orders_in_fallout,
)
from orders.services.submission import ItemFacts, held_reasons_from_facts


class SpecialHandlingReview(Order):
    class Meta:
        proxy = True
        app_label = "orders"
        verbose_name = _("special-handling review")
        verbose_name_plural = _("special-handling review queue")


class Fallout(Order):
    class Meta:
        proxy = True
        app_label = "orders"
        verbose_name = _("fallout")
        verbose_name_plural = _("fallout queue")


class StuckOrder(Order):
    class Meta:
        proxy = True
        app_label = "orders"
        verbose_name = _("stuck order")
        verbose_name_plural = _("stuck orders")


def orders_held_with_their_facts():
    """The review queue's orders, with the date of the latest feasibility assessment beside its result."""
    latest = FeasibilityAssessment.objects.filter(order=OuterRef("pk")).order_by("-assessed_at", "-id")
    return orders_held_for_review().annotate(latest_feasibility_at=Subquery(latest.values("assessed_at")[:1]))


def with_held_reasons(orders: list[Order]) -> list[Order]:
    """Each order with why it is held today (`held_reasons`), from its items' facts read in one query.

    The rules are the issuing rules' own (held_reasons_from_facts); only the reading is cheaper than
    held_reasons(order): plain tuples for the few item and offering columns they need, not models.
    """
    items = defaultdict(list)
    facts = (
        OrderItem.objects.filter(order__in=orders)
        .order_by("order_id", "id")
        .values_list("order_id", "is_bespoke", "offering__requires_feasibility", "offering__name", "requested_offering")
    )
    for order_id, bespoke, needs_feasibility, name, requested in facts:
        # An item whose offering is unknown is named as requested, as item_facts names it.
        items[order_id].append(ItemFacts(bespoke, bool(needs_feasibility), requested if name is None else name))
    for order in orders:
        latest = (order.latest_feasibility, order.latest_feasibility_at) if order.latest_feasibility else None
        order.held_reasons = held_reasons_from_facts(order.special_requirements, items[order.pk], latest=latest)
    return orders


class ReviewQueueChangeList(BackOfficeChangeList):
    """A page of the queue: only the columns it shows, and why each order is held (one more query)."""

    def get_queryset(self, request, exclude_parameters=None):
        # Fewer columns make cheaper rows; the state too, as the state machine reads it when a row is made.
        return (
            super()
            .get_queryset(request, exclude_parameters)
            .only("state", "special_requirements", "created_at", "customer__name", "customer__number")
        )

    def get_results(self, request):
        super().get_results(request)
        self.result_list = with_held_reasons(list(self.result_list))


@admin.register(SpecialHandlingReview)
class SpecialHandlingReviewAdmin(OrderAdmin):
    """Orders held for special handling, oldest first: open one to assess, approve, refuse or ask."""

    list_display = (
        "order_number",
        "customer_column",
        "reasons",
        "feasibility",
        "waiting",
    )
    list_filter = ("category", "channel", "priority")
    sortable_by = ("order_number", "waiting")
    date_hierarchy = None
    ordering = ("created_at",)
    list_queryset = staticmethod(orders_held_with_their_facts)
    change_list_template = "admin/orders/specialhandlingreview/change_list.html"

    def get_changelist(self, request, **kwargs):
        return ReviewQueueChangeList

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return EstimatedCountPaginator(queryset, per_page, orphans, allow_empty_first_page, keys_first=True)

    @admin.display(description=_("why it is held"))
    def reasons(self, order):
        # Recomputed from the facts (with_held_reasons): the reasons stored when it was held go stale once
        # feasibility is recorded.
        reasons = order.held_reasons or [_("No reason recorded")]
        return format_html(
            '<ul class="od-reasons">{}</ul>', format_html_join("", "<li>{}</li>", ((r,) for r in reasons))
        )

    @admin.display(description=_("feasibility"))
    def feasibility(self, order):
        return _feasibility_badge(getattr(order, "latest_feasibility", None), get_language())

    @admin.display(description=_("held for"), ordering="created_at")
    def waiting(self, order):
        since = getattr(order, "held_since", None) or order.created_at
        # The placing date as a date: a second timesince per row costs the queue noticeable time.
        return format_html(
            '<span title="{}">{}</span>',
            _placed_on(timezone.localdate(order.created_at), get_language()),
            timesince(since, depth=1),
        )


# Made once per value and language, not per row: translating and formatting are most of what a column costs.
# `language` is the active language, passed only to key the cache.


@lru_cache(maxsize=16)
def _feasibility_badge(result: str | None, language: str):
    if not result:
        return state_badge("none", gettext("Not assessed"))
    positive = FeasibilityAssessment.result_is_positive(result)
    return state_badge("feasible" if positive else "infeasible", FeasibilityAssessment.Result(result).label)


@lru_cache(maxsize=1024)
def _placed_on(day: dt.date, language: str) -> str:
    return f"{gettext('Order placed')} {date_format(day, 'DATE_FORMAT')}"


@admin.register(Fallout)
class FalloutAdmin(OrderAdmin):
    """Orders held because fulfilment failed, oldest first, with the reason fulfilment gave."""

    list_display = ("order_number", "customer_column", "failed_step", "waiting", "items_column", "channel")
    list_filter = ("category", "channel", "priority")
    sortable_by = ("order_number", "waiting")
    date_hierarchy = None
    ordering = ("created_at",)
    list_queryset = staticmethod(orders_in_fallout)
    change_list_template = "admin/orders/fallout/change_list.html"

    @admin.display(description=_("what failed"))
    def failed_step(self, order):
        """The failed fulfilment step and its reason; else the note of the transition that held the order."""
        step = getattr(order, "failed_step", None)
        if step:
            return format_html("<strong>{}</strong><br>{}", step, getattr(order, "failure_reason", "") or "")
        return getattr(order, "fallout_reason", "") or "—"

    @admin.display(description=_("held for"), ordering="created_at")
    def waiting(self, order):
        return timesince(getattr(order, "held_since", None) or order.created_at, depth=1)


@admin.register(StuckOrder)
class StuckOrderAdmin(OrderAdmin):
    """Orders in progress whose fulfilment stopped for longer than its plan allows, the longest stuck first.

    Flagged every few minutes by orders.fulfilment.stuck.flag_stuck_orders; the list reads the flag only.
    """

    list_display = ("order_number", "customer_column", "stuck_for", "stuck_where", "expected_completion")
    list_filter = ("category", "channel", "priority")
    sortable_by = ("order_number", "stuck_for")
    date_hierarchy = None
    ordering = ("stuck_since",)
    list_queryset = staticmethod(stuck_orders)
    change_list_template = "admin/orders/stuckorder/change_list.html"
    show_stuck_flag = False

    @admin.display(description=_("stuck for"), ordering="stuck_since")
    def stuck_for(self, order):
        return format_html(
            '<span title="{} {}">{}</span>',
            _("Stuck since"),
            date_format(timezone.localtime(order.stuck_since), "DATETIME_FORMAT"),
            humanise(timezone.now() - order.stuck_since),
        )

    @admin.display(description=_("where it stopped"))
    def stuck_where(self, order):
        return order.stuck_at or "—"
