"""The back-office queues: special-handling review, fallout and stuck orders.

Proxies give each queue its own admin entry and view permission; they add no table. Each queue is the order
admin over its own rows, with the same order page and decisions.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from orders.admin.common import state_badge
from orders.admin.orders import OrderAdmin
from orders.fulfilment.stuck import humanise, stuck_orders
from orders.models import (
    FeasibilityAssessment,
    Order,
    OrderItem,
)
from orders.selectors import (
    orders_held_for_review,
    orders_in_fallout,
)
from orders.services.submission import held_reasons


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
    """The review queue's rows with what the issuing rules read to say why each is held (two queries a page)."""
    return orders_held_for_review().prefetch_related(
        Prefetch("items", queryset=OrderItem.objects.select_related("offering")), "feasibility_assessments"
    )


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

    @admin.display(description=_("why it is held"))
    def reasons(self, order):
        # Recomputed from the facts: the reasons stored when it was held go stale once feasibility is recorded.
        reasons = held_reasons(order) or [_("No reason recorded")]
        return format_html(
            '<ul class="od-reasons">{}</ul>', format_html_join("", "<li>{}</li>", ((r,) for r in reasons))
        )

    @admin.display(description=_("feasibility"))
    def feasibility(self, order):
        result = getattr(order, "latest_feasibility", None)
        if not result:
            return state_badge("none", _("Not assessed"))
        positive = result != FeasibilityAssessment.Result.NOT_FEASIBLE
        return state_badge("feasible" if positive else "infeasible", FeasibilityAssessment.Result(result).label)

    @admin.display(description=_("held for"), ordering="created_at")
    def waiting(self, order):
        since = getattr(order, "held_since", None) or order.created_at
        # The placing date as a date: a second timesince per row costs the queue noticeable time.
        return format_html(
            '<span title="{} {}">{}</span>',
            _("Order placed"),
            date_format(timezone.localtime(order.created_at), "DATE_FORMAT"),
            timesince(since, depth=1),
        )


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
