"""The read-only inlines on the order page: facts recorded by the service commands, never edited here."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from orders.admin.common import (
    EMPTY,
    by_person,
    configuration,
    dated,
    json_details,
    order_state_badge,
    person,
    state_badge,
    transition_words,
)
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
    empty_value_display = EMPTY
    template = "admin/orders/edit_inline/readonly_tabular.html"
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

    @admin.display(description=_("configuration"))
    def details(self, item):
        requirements = item.offering.data_requirements if item.offering_id else []
        return configuration(requirements, item.characteristics)


class FulfilmentTaskInline(ReadOnlyInline):
    model = FulfilmentTask
    verbose_name = _("fulfilment task")
    verbose_name_plural = _("fulfilment tasks")
    fields = ("item", "name", "system", "badge", "attempts", "failure_reason", "dispatched", "completed")
    related = ("item__offering",)
    dispatched = dated("dispatched_at", _("dispatched"))
    completed = dated("completed_at", _("completed"))

    @admin.display(description=_("state"))
    def badge(self, task):
        return state_badge(task.state, task.get_state_display())


class DeliverySignOffInline(ReadOnlyInline):
    model = DeliverySignOff
    verbose_name = _("delivery sign-off")
    verbose_name_plural = _("delivery sign-offs")
    fields = ("signed", "test_result", "accepted", "remarks", "training", "training_on", "signer")
    related = ("signed_by",)
    signed = dated("signed_at", _("signed"))
    training_on = dated("training_date", _("training date"))
    signer = by_person("signed_by", _("signed by"))


class FeasibilityInline(ReadOnlyInline):
    model = FeasibilityAssessment
    verbose_name_plural = _("feasibility assessments")
    fields = ("assessed", "result_badge", "notes", "item", "assessor")
    related = ("assessed_by", "item__offering")
    assessed = dated("assessed_at", _("assessed"))
    assessor = by_person("assessed_by", _("assessed by"))

    @admin.display(description=_("result"))
    def result_badge(self, assessment):
        tone = "feasible" if assessment.is_positive else "infeasible"
        return state_badge(tone, assessment.get_result_display())


class OrderNoteInline(ReadOnlyInline):
    model = OrderNote
    verbose_name_plural = _("notes")
    fields = ("written", "writer", "text", "customer_visible")
    related = ("author",)
    written = dated("created_at", _("written"))
    writer = by_person("author", _("author"))


class InformationRequestInline(ReadOnlyInline):
    model = InformationRequest
    verbose_name_plural = _("questions to the customer")
    fields = ("asked", "question", "answer_by", "asker", "answer", "answered", "answerer")
    related = ("asked_by", "answered_by")
    asked = dated("asked_at", _("asked"))
    answer_by = dated("deadline", _("answer by"))
    asker = by_person("asked_by", _("asked by"))
    answered = dated("answered_at", _("answered"))
    answerer = by_person("answered_by", _("answered by"))


class CancellationRequestInline(ReadOnlyInline):
    model = CancellationRequest
    verbose_name_plural = _("cancellation requests")
    fields = ("requested", "reason", "channel", "state", "refusal_reason", "requester", "decided")
    related = ("requested_by", "order")
    requested = dated("requested_at", _("requested"))
    requester = by_person("requested_by", _("requested by"))
    decided = dated("decided_at", _("decided"))


class OrderDocumentInline(ReadOnlyInline):
    model = OrderDocument
    verbose_name_plural = _("documents")
    fields = ("uploaded", "kind", "file", "description", "uploader")
    related = ("uploaded_by",)
    uploaded = dated("uploaded_at", _("uploaded"))
    uploader = by_person("uploaded_by", _("uploaded by"))


class RevisionInline(ReadOnlyInline):
    model = Order
    fk_name = "revision_of"
    verbose_name = _("revision")
    verbose_name_plural = _("revisions of this order")
    fields = ("revision_number", "revision", "badge", "created", "submitted")
    created = dated("created_at", _("created"))
    submitted = dated("submitted_at", _("submitted"))

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
    fields = ("happened", "what", "change", "who", "note", "item")
    related = ("actor", "item__offering")
    happened = dated("created_at", _("when"))

    @admin.display(description=_("by"))
    def who(self, event):
        return person(event.actor) if event.actor_id else _("OrderDesk (automatic)")

    @admin.display(description=_("what happened"))
    def what(self, event):
        return transition_words(event.transition)

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
    fields = ("created", "event_type", "body", "published")
    created = dated("created_at", _("created"))
    published = dated("published_at", _("published"))
    classes = ("collapse",)

    @admin.display(description=_("payload"))
    def body(self, event):
        return json_details(event.payload)
