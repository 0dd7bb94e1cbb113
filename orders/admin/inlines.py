"""The read-only inlines on the order page: facts recorded by the service commands, never edited here."""

from __future__ import annotations

from functools import cached_property

from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import _boolean_icon
from django.contrib.admin.utils import display_for_field, lookup_field, quote
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import ForeignObjectRel, OneToOneField
from django.template.defaultfilters import linebreaksbr
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape, format_html
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

    def get_formset(self, request, obj=None, **kwargs):
        """A formset without forms: its rows are rendered straight from the objects (see `cells`).

        A form per row (with its hidden keys, fieldsets and read-only field wrappers) was most of the
        order page's time, and nothing here is ever submitted: the order admins refuse changes.
        """
        formset = super().get_formset(request, obj, **kwargs)
        return type(f"ReadOnly{formset.__name__}", (formset,), {"forms": [], "inline": self, "rows": _rows})

    def cells(self, obj) -> list[tuple[str, str]]:
        """(field name, HTML) for each column of a row, as the admin's read-only field would show it."""
        return [(name, self._contents(name, obj)) for name in self.fields]

    def _contents(self, name, obj):
        # django.contrib.admin.helpers.AdminReadonlyField.contents, without a form per row.
        try:
            field, attr, value = lookup_field(name, obj, self)
        except (AttributeError, ValueError, ObjectDoesNotExist):
            return conditional_escape(self.get_empty_value_display())
        if field is None:
            if getattr(attr, "boolean", False):
                shown = _boolean_icon(value)
            else:
                shown = value if hasattr(value, "__html__") else linebreaksbr(value)
        else:
            if isinstance(field.remote_field, (ForeignObjectRel, OneToOneField)) and value is not None:
                shown = self._link(field.remote_field, value)
            else:
                shown = display_for_field(value, field, self.get_empty_value_display())
            shown = linebreaksbr(shown)
        return conditional_escape(shown)

    def _link(self, remote_field, remote_obj):
        opts = remote_field.model._meta
        try:
            url = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change",
                args=[quote(remote_obj.pk)],
                current_app=self.admin_site.name,
            )
        except NoReverseMatch:
            return str(remote_obj)
        return format_html('<a href="{}">{}</a>', url, remote_obj)


@cached_property
def _rows(formset) -> list[list[tuple[str, str]]]:
    """The cells of each row of a read-only inline's formset (ReadOnlyInline.get_formset)."""
    return [formset.inline.cells(obj) for obj in formset.get_queryset()]


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
