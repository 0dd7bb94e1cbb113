"""The read-only inlines on the order page: facts recorded by the service commands, never edited here."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from orders.admin.common import json_details, order_state_badge, state_badge
from orders.models import (
    CancellationRequest,
    DeliverySignOff,
    FeasibilityAssessment,
    FulfilmentTask,
    InformationRequest,
    Order,
    OrderDocument,
    OrderEvent,
    OrderItem,
    OrderNote,
    OutboxEvent,
)


class ReadOnlyInline(admin.TabularInline):
    """Facts recorded by the service commands: shown, never edited here."""

    extra = 0
    can_delete = False
    related = ()  # select_related for the rows, so a page costs one query per inline

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.select_related(*self.related) if self.related else queryset


class OrderItemInline(ReadOnlyInline):
    model = OrderItem
    verbose_name_plural = _("items")
    fields = ("item_id", "intent", "offering", "product", "quantity", "install_address", "badge", "prices", "details")
    related = ("offering", "product", "install_address", "new_owner")

    @admin.display(description=_("state"))
    def badge(self, item):
        return state_badge(item.state, item.get_state_display())

    @admin.display(description=_("price"))
    def prices(self, item):
        parts = []
        if item.recurring_price:
            parts.append(f"{item.recurring_price}/month")
        if item.one_off_price:
            parts.append(f"{item.one_off_price} once")
        suffix = " (bespoke)" if item.is_bespoke else ""
        return (", ".join(parts) or "—") + suffix

    @admin.display(description=_("characteristics"))
    def details(self, item):
        return json_details(item.characteristics)


class FulfilmentTaskInline(ReadOnlyInline):
    model = FulfilmentTask
    verbose_name = _("fulfilment task")
    verbose_name_plural = _("fulfilment tasks")
    fields = ("item", "name", "system", "badge", "attempts", "failure_reason", "dispatched_at", "completed_at")
    related = ("item__offering",)

    @admin.display(description=_("state"))
    def badge(self, task):
        return state_badge(task.state, task.get_state_display())


class DeliverySignOffInline(ReadOnlyInline):
    model = DeliverySignOff
    verbose_name = _("delivery sign-off")
    verbose_name_plural = _("delivery sign-offs")
    fields = ("signed_at", "test_result", "accepted", "remarks", "training", "training_date", "signed_by")
    related = ("signed_by",)


class FeasibilityInline(ReadOnlyInline):
    model = FeasibilityAssessment
    verbose_name_plural = _("feasibility assessments")
    fields = ("assessed_at", "result_badge", "notes", "item", "assessed_by")
    related = ("assessed_by", "item__offering")

    @admin.display(description=_("result"))
    def result_badge(self, assessment):
        tone = "feasible" if assessment.is_positive else "infeasible"
        return state_badge(tone, assessment.get_result_display())


class OrderNoteInline(ReadOnlyInline):
    model = OrderNote
    verbose_name_plural = _("notes")
    fields = ("created_at", "author", "text", "customer_visible")
    related = ("author",)


class InformationRequestInline(ReadOnlyInline):
    model = InformationRequest
    verbose_name_plural = _("questions to the customer")
    fields = ("asked_at", "question", "deadline", "asked_by", "answer", "answered_at", "answered_by")
    related = ("asked_by", "answered_by")


class CancellationRequestInline(ReadOnlyInline):
    model = CancellationRequest
    verbose_name_plural = _("cancellation requests")
    fields = ("requested_at", "reason", "channel", "state", "refusal_reason", "requested_by", "decided_at")
    related = ("requested_by", "order")


class OrderDocumentInline(ReadOnlyInline):
    model = OrderDocument
    verbose_name_plural = _("documents")
    fields = ("uploaded_at", "kind", "file", "description", "uploaded_by")
    related = ("uploaded_by",)


class RevisionInline(ReadOnlyInline):
    model = Order
    fk_name = "revision_of"
    verbose_name = _("revision")
    verbose_name_plural = _("revisions of this order")
    fields = ("revision_number", "revision", "badge", "created_at", "submitted_at")

    @admin.display(description=_("order"))
    def revision_number(self, order):
        url = reverse("admin:orders_order_change", args=[order.pk])
        return format_html('<a href="{}">{}</a>', url, order.number)

    @admin.display(description=_("state"))
    def badge(self, order):
        return order_state_badge(order.state)


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    verbose_name = _("transition")
    verbose_name_plural = _("history")
    fields = ("created_at", "transition", "change", "actor", "note", "item")
    related = ("actor", "item__offering")

    @admin.display(description=_("from → to"))
    def change(self, event):
        return format_html(
            '{} <span class="od-arrow" aria-label="to">→</span> {}',
            order_state_badge(event.from_state),
            order_state_badge(event.to_state),
        )


class OutboxEventInline(ReadOnlyInline):
    model = OutboxEvent
    verbose_name = _("published event")
    verbose_name_plural = _("events (TMF622 outbox)")
    fields = ("created_at", "event_type", "body", "published_at")
    classes = ("collapse",)

    @admin.display(description=_("payload"))
    def body(self, event):
        return json_details(event.payload)
