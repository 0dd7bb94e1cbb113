"""The supervisors' back office: the catalog, order tracking, the special-handling review queue and fallout.

Orders are read-only here. Every decision (feasibility, approve, refuse, ask the customer, note) is a
small POST form on the order page that calls the same service command the agent console and the
API use, so history rows and outbox events are always written and permissions always checked.

The lists stay fast at a million orders: no full-table count (an estimate from PostgreSQL's
statistics, or a capped count), one query for the rows (customer joined, items counted per row),
choice-based filters only, and a date drill-down that never runs SELECT DISTINCT over the table.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Min, Q
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed, can_proceed, has_transition_perm

from orders import notifications, services
from orders.fulfilment import orchestration
from orders.fulfilment.stuck import humanise, stuck_orders
from orders.models import (
    CancellationRequest,
    DeliverySignOff,
    EventDelivery,
    FeasibilityAssessment,
    FulfilmentStep,
    FulfilmentTask,
    InformationRequest,
    Order,
    OrderDocument,
    OrderEvent,
    OrderItem,
    OrderNote,
    OrderState,
    OutboxEvent,
    ProductOffering,
    order_pk_from_number,
)
from orders.pagination import EstimatedCountPaginator
from orders.selectors import (
    JEOPARDY_DAYS,
    OPEN_STATES,
    in_jeopardy,
    orders_for_tracking,
    orders_held_for_review,
    orders_in_fallout,
)

# --- the catalog -------------------------------------------------------------------------------


class FulfilmentStepInline(admin.TabularInline):
    model = FulfilmentStep
    extra = 0
    fields = ("sequence", "code", "name", "system", "depends_on", "is_point_of_no_return", "expected_duration_hours")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # Dependencies may only point at steps of the same offering.
        if db_field.name == "depends_on":
            offering_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = FulfilmentStep.objects.filter(offering_id=offering_id or 0)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(ProductOffering)
class ProductOfferingAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "category",
        "lifecycle_status",
        "recurring_price",
        "one_off_price",
        "is_bespoke",
        "requires_feasibility",
        "requires_customer_signoff",
    )
    list_filter = ("category", "lifecycle_status", "is_bespoke", "requires_feasibility")
    search_fields = ("code", "name")
    prepopulated_fields = {"code": ("name",)}
    filter_horizontal = ("requires",)
    inlines = [FulfilmentStepInline]
    fieldsets = (
        (None, {"fields": ("code", "name", "description", "category", "lifecycle_status")}),
        ("Price", {"fields": ("one_off_price", "recurring_price", "currency")}),
        (
            "How it is sold",
            {
                "fields": (
                    "is_bespoke",
                    "requires_install_address",
                    "serviceable_technologies",
                    "requires_feasibility",
                    "requires_customer_signoff",
                    "offers_training",
                    "is_addon",
                    "requires",
                )
            },
        ),
        ("What must be captured", {"fields": ("data_requirements",)}),
    )


# --- the back-office queues ----------------------------------------------------------------------
# Proxies give each queue its own admin entry and view permission; they add no table.


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


class BackOfficeChangeList(ChangeList):
    """The admin change list, with a date drill-down computed from the calendar instead of the table.

    Django's own date hierarchy runs SELECT DISTINCT over the filtered rows to list years, months and
    days that hold orders; here the choices come from the calendar between the first order and today,
    which costs one indexed MIN() query whatever the table holds.
    """

    @cached_property
    def date_hierarchy_links(self) -> dict:
        name = self.date_hierarchy
        year, month, day = (self.params.get(f"{name}__{part}") for part in ("year", "month", "day"))

        def link(filters):
            return self.get_query_string(filters, [f"{name}__"])

        today = timezone.localdate()
        try:
            year, month, day = (int(v) if v else None for v in (year, month, day))
        except ValueError:
            return {"show": False}
        if year and month and day:
            chosen = dt.date(year, month, day)
            return {
                "show": True,
                "back": {"link": link({f"{name}__year": year, f"{name}__month": month}), "title": _month_title(chosen)},
                "choices": [{"title": capfirst(date_format(chosen, "MONTH_DAY_FORMAT"))}],
            }
        if year and month:
            last = calendar.monthrange(year, month)[1]
            if (year, month) == (today.year, today.month):
                last = today.day
            return {
                "show": True,
                "back": {"link": link({f"{name}__year": year}), "title": str(year)},
                "choices": [
                    {
                        "link": link({f"{name}__year": year, f"{name}__month": month, f"{name}__day": d}),
                        "title": capfirst(date_format(dt.date(year, month, d), "MONTH_DAY_FORMAT")),
                    }
                    for d in range(1, last + 1)
                ],
            }
        if year:
            last = today.month if year == today.year else 12
            return {
                "show": True,
                "back": {"link": link({}), "title": _("All dates")},
                "choices": [
                    {
                        "link": link({f"{name}__year": year, f"{name}__month": m}),
                        "title": capfirst(str(MONTHS[m])),
                    }
                    for m in range(1, last + 1)
                ],
            }
        first = self.model._default_manager.aggregate(first=Min(name))["first"]
        first_year = timezone.localtime(first).year if first else today.year
        return {
            "show": True,
            "back": None,
            "choices": [
                {"link": link({f"{name}__year": str(y)}), "title": str(y)}
                for y in range(today.year, first_year - 1, -1)
            ],
        }


def _month_title(day: dt.date) -> str:
    return capfirst(date_format(day, "YEAR_MONTH_FORMAT"))


# --- list filters: every one lists fixed choices, none reads the table to find them ---------------


class ExpectedCompletionFilter(admin.SimpleListFilter):
    """Open orders by when they are due (index: state, expected_completion_date)."""

    title = _("open orders due")
    parameter_name = "expected"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("Overdue")),
            ("today", _("Today")),
            ("week", _("In the next 7 days")),
            ("month", _("In the next 30 days")),
            ("none", _("No date yet")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        match self.value():
            case "overdue":
                due = Q(expected_completion_date__lt=today)
            case "today":
                due = Q(expected_completion_date=today)
            case "week":
                due = Q(expected_completion_date__range=(today, today + dt.timedelta(days=7)))
            case "month":
                due = Q(expected_completion_date__range=(today, today + dt.timedelta(days=30)))
            case "none":
                due = Q(expected_completion_date__isnull=True)
            case _:
                return queryset
        return queryset.filter(due, state__in=OPEN_STATES)


class JeopardyFilter(admin.SimpleListFilter):
    title = _("in jeopardy")
    parameter_name = "jeopardy"

    def lookups(self, request, model_admin):
        return [("yes", _("Late, or due within %(days)s days") % {"days": JEOPARDY_DAYS})]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(in_jeopardy())
        return queryset


# --- presentation helpers ------------------------------------------------------------------------


def state_badge(state: str, label: str, title: str = ""):
    css = re.sub(r"[^a-z]", "", str(state).lower())
    return format_html('<span class="od-badge od-badge-{}" title="{}">{}</span>', css, title or label, label)


def _order_state_badge(state: str):
    """The state's short name ("Held"), its full label ("Held (waiting for us)") on hover."""
    label = str(OrderState(state).label) if state in OrderState.values else state
    return state_badge(state, label.split(" (")[0], label)


def _compact(value, limit: int = 90) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": ")) if value not in (None, "") else ""
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def _json_details(value):
    """A one-line summary that opens into the full JSON (no script: a <details> element)."""
    if not value:
        return "—"
    return format_html(
        '<details class="od-json"><summary>{}</summary><pre>{}</pre></details>',
        _compact(value),
        json.dumps(value, ensure_ascii=False, indent=2),
    )


# --- the decisions a supervisor takes on an order page -------------------------------------------


class DecisionForm(forms.Form):
    """A small form on the order page; its fields carry the decision's prefix (several share one page)."""


class ApprovalForm(DecisionForm):
    note = forms.CharField(
        label=_("Note for the history"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RefusalForm(DecisionForm):
    reason = forms.CharField(
        label=_("Reason (the customer sees it)"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class InformationRequestForm(DecisionForm):
    question = forms.CharField(label=_("Question for the customer"), widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(label=_("Answer by"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["deadline"].initial = today + dt.timedelta(days=7)
        self.fields["deadline"].widget.attrs["min"] = today.isoformat()

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise forms.ValidationError(_("The deadline cannot be in the past."))
        return deadline


class FeasibilityForm(DecisionForm):
    result = forms.ChoiceField(label=_("Result"), choices=FeasibilityAssessment.Result.choices)
    notes = forms.CharField(label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RetryForm(DecisionForm):
    note = forms.CharField(
        label=_("Note for the history"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResolveForm(DecisionForm):
    note = forms.CharField(label=_("How it was resolved"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    give_up = forms.BooleanField(label=_("Give up the failed items (the rest goes on)"), required=False)


class NoteForm(DecisionForm):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}))
    customer_visible = forms.BooleanField(label=_("The customer can see it"), required=False)


def _transition_offered(name: str) -> Callable[[Order, object], bool]:
    def offered(order, user) -> bool:
        transition = getattr(order, name)
        return can_proceed(transition) and has_transition_perm(transition, user)

    return offered


def _needs_assessment(order, user) -> bool:
    return (
        user.has_perm("orders.record_feasibility")
        and not order.is_terminal
        and (order.needs_special_handling or order.state == OrderState.DRAFT)
    )


def _four_eyes(order, user) -> str:
    if order.captured_by_id == user.pk:
        return _("You captured this order: another supervisor must approve it (four eyes).")
    return ""


def _approve(order, user, data) -> str:
    services.approve_special_handling(order, by=user, note=data["note"])
    return _("%(number)s approved and issued for fulfilment.") % {"number": order.number}


def _refuse(order, user, data) -> str:
    services.refuse_special_handling(order, by=user, reason=data["reason"])
    return _("%(number)s refused and cancelled; the customer can see the reason.") % {"number": order.number}


def _ask(order, user, data) -> str:
    services.request_information(order, by=user, question=data["question"], deadline=data["deadline"])
    return _("Question sent: %(number)s waits for the customer's answer (by %(deadline)s).") % {
        "number": order.number,
        "deadline": date_format(data["deadline"]),
    }


def _assess(order, user, data) -> str:
    assessment = services.record_feasibility(order, by=user, result=data["result"], notes=data["notes"])
    return _("Feasibility recorded on %(number)s: %(result)s.") % {
        "number": order.number,
        "result": assessment.get_result_display(),
    }


def _retry(order, user, data) -> str:
    orchestration.retry_fallout(order, by=user, note=data["note"])
    return _("%(number)s released: the failed steps are sent again.") % {"number": order.number}


def _resolve(order, user, data) -> str:
    orchestration.resolve_fallout(order, by=user, note=data["note"], give_up=data["give_up"])
    if data["give_up"]:
        return _("%(number)s released: the failed items are given up, the rest goes on.") % {"number": order.number}
    return _("%(number)s released: the failed steps are recorded as done by hand.") % {"number": order.number}


def _note(order, user, data) -> str:
    services.add_note(order, by=user, text=data["text"], customer_visible=data["customer_visible"])
    return _("Note added to %(number)s.") % {"number": order.number}


@dataclass(frozen=True)
class Decision:
    """One action on the order page: its form, who may see it, and the service command it calls."""

    slug: str
    title: str
    button: str
    permission: str  # without it a POST is refused with 403 before the service is reached
    form_class: type[DecisionForm]
    offered: Callable[[Order, object], bool]
    perform: Callable[[Order, object, dict], str]
    blocked: Callable[[Order, object], str] = field(default=lambda order, user: "")
    tone: str = "neutral"


DECISIONS = [
    Decision(
        "feasibility",
        _("Record feasibility"),
        _("Record assessment"),
        "orders.record_feasibility",
        FeasibilityForm,
        _needs_assessment,
        _assess,
    ),
    Decision(
        "approve",
        _("Approve and issue"),
        _("Approve"),
        "orders.review_special_handling",
        ApprovalForm,
        _transition_offered("approve"),
        _approve,
        blocked=_four_eyes,
        tone="positive",
    ),
    Decision(
        "refuse",
        _("Refuse the order"),
        _("Refuse"),
        "orders.review_special_handling",
        RefusalForm,
        _transition_offered("refuse"),
        _refuse,
        tone="negative",
    ),
    Decision(
        "retry",
        _("Retry the failed steps"),
        _("Retry"),
        "orders.resolve_fallout",
        RetryForm,
        _transition_offered("release"),
        _retry,
        tone="positive",
    ),
    Decision(
        "resolve",
        _("Resolve by hand"),
        _("Resolve"),
        "orders.resolve_fallout",
        ResolveForm,
        _transition_offered("release"),
        _resolve,
    ),
    Decision(
        "ask",
        _("Ask the customer"),
        _("Send question"),
        "orders.request_information",
        InformationRequestForm,
        _transition_offered("await_customer"),
        _ask,
    ),
    Decision(
        "note",
        _("Add a note"),
        _("Add note"),
        "orders.view_order",
        NoteForm,
        lambda order, user: user.has_perm("orders.view_order"),
        _note,
    ),
]


# --- read-only inlines on the order page -------------------------------------------------------------


class ReadOnlyInline(admin.TabularInline):
    """Facts recorded by the service commands: shown, never edited here."""

    extra = 0
    can_delete = False
    related = ()  # select_related for the rows, so a page costs one query per inline

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
    readonly_fields = fields
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
        return _json_details(item.characteristics)


class FulfilmentTaskInline(ReadOnlyInline):
    model = FulfilmentTask
    verbose_name = _("fulfilment task")
    verbose_name_plural = _("fulfilment tasks")
    fields = ("item", "name", "system", "badge", "attempts", "failure_reason", "dispatched_at", "completed_at")
    readonly_fields = fields
    related = ("item__offering",)

    @admin.display(description=_("state"))
    def badge(self, task):
        return state_badge(task.state, task.get_state_display())


class DeliverySignOffInline(ReadOnlyInline):
    model = DeliverySignOff
    verbose_name = _("delivery sign-off")
    verbose_name_plural = _("delivery sign-offs")
    fields = ("signed_at", "test_result", "accepted", "remarks", "training", "training_date", "signed_by")
    readonly_fields = fields
    related = ("signed_by",)


class FeasibilityInline(ReadOnlyInline):
    model = FeasibilityAssessment
    verbose_name_plural = _("feasibility assessments")
    fields = ("assessed_at", "result_badge", "notes", "item", "assessed_by")
    readonly_fields = fields
    related = ("assessed_by", "item__offering")

    @admin.display(description=_("result"))
    def result_badge(self, assessment):
        tone = "feasible" if assessment.is_positive else "infeasible"
        return state_badge(tone, assessment.get_result_display())


class OrderNoteInline(ReadOnlyInline):
    model = OrderNote
    verbose_name_plural = _("notes")
    fields = ("created_at", "author", "text", "customer_visible")
    readonly_fields = fields
    related = ("author",)


class InformationRequestInline(ReadOnlyInline):
    model = InformationRequest
    verbose_name_plural = _("questions to the customer")
    fields = ("asked_at", "question", "deadline", "asked_by", "answer", "answered_at", "answered_by")
    readonly_fields = fields
    related = ("asked_by", "answered_by")


class CancellationRequestInline(ReadOnlyInline):
    model = CancellationRequest
    verbose_name_plural = _("cancellation requests")
    fields = ("requested_at", "reason", "channel", "state", "refusal_reason", "requested_by", "decided_at")
    readonly_fields = fields
    related = ("requested_by", "order")


class OrderDocumentInline(ReadOnlyInline):
    model = OrderDocument
    verbose_name_plural = _("documents")
    fields = ("uploaded_at", "kind", "file", "description", "uploaded_by")
    readonly_fields = fields
    related = ("uploaded_by",)


class RevisionInline(ReadOnlyInline):
    model = Order
    fk_name = "revision_of"
    verbose_name = _("revision")
    verbose_name_plural = _("revisions of this order")
    fields = ("revision_number", "revision", "badge", "created_at", "submitted_at")
    readonly_fields = fields

    @admin.display(description=_("order"))
    def revision_number(self, order):
        url = reverse("admin:orders_order_change", args=[order.pk])
        return format_html('<a href="{}">{}</a>', url, order.number)

    @admin.display(description=_("state"))
    def badge(self, order):
        return _order_state_badge(order.state)


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    verbose_name = _("transition")
    verbose_name_plural = _("history")
    fields = ("created_at", "transition", "change", "actor", "note", "item")
    readonly_fields = fields
    related = ("actor", "item__offering")

    @admin.display(description=_("from → to"))
    def change(self, event):
        return format_html(
            '{} <span class="od-arrow" aria-label="to">→</span> {}',
            _order_state_badge(event.from_state),
            _order_state_badge(event.to_state),
        )


class OutboxEventInline(ReadOnlyInline):
    model = OutboxEvent
    verbose_name = _("published event")
    verbose_name_plural = _("events (TMF622 outbox)")
    fields = ("created_at", "event_type", "body", "published_at")
    readonly_fields = fields
    classes = ("collapse",)

    @admin.display(description=_("payload"))
    def body(self, event):
        return _json_details(event.payload)


# --- orders --------------------------------------------------------------------------------------

CUSTOMER_NUMBER = re.compile(r"^CUS-\d+$", re.IGNORECASE)


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Order tracking: every order, read-only, with the decisions its state and the user's permissions allow."""

    list_display = (
        "order_number",
        "customer_column",
        "state_column",
        "items_column",
        "age",
        "expected_completion",
    )
    list_display_links = ("order_number",)
    list_filter = (
        "state",
        "channel",
        "category",
        "priority",
        ("needs_special_handling", admin.BooleanFieldListFilter),
        ("created_at", admin.DateFieldListFilter),
        ExpectedCompletionFilter,
        JeopardyFilter,
    )
    # Only orders that an index serves: the key, and the creation date.
    sortable_by = ("order_number", "age")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    list_per_page = 50
    list_max_show_all = 200
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    # The search is ours (get_search_results); this only turns the search box on.
    search_fields = ("customer__name",)
    search_help_text = _(
        "An order number (ORD-000123 or 123), a customer number (CUS-000045), an external id, or part of a "
        "customer's name."
    )
    change_list_template = "admin/orders/order/change_list.html"
    change_form_template = "admin/orders/order/change_form.html"
    inlines = [
        OrderItemInline,
        FulfilmentTaskInline,
        FeasibilityInline,
        InformationRequestInline,
        OrderNoteInline,
        CancellationRequestInline,
        OrderDocumentInline,
        DeliverySignOffInline,
        RevisionInline,
        OrderEventInline,
        OutboxEventInline,
    ]
    # Number, state, customer, channel, category and priority are in the page's summary above these.
    fieldsets = (
        (
            _("Order"),
            {
                "fields": (
                    "description",
                    ("external_id", "captured_by"),
                    ("revision", "revision_of", "superseded_by"),
                )
            },
        ),
        (
            _("Dates"),
            {
                "fields": (
                    ("created_at", "submitted_at", "issued_at"),
                    ("requested_start_date", "requested_completion_date"),
                    ("expected_completion", "completed_at"),
                )
            },
        ),
        (_("Initiating request"), {"fields": ("initiating_request", "initiating_details")}),
        (
            _("Special requirements"),
            {"fields": ("special_requirements", "appointment_preference", "rejection_summary")},
        ),
    )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and obj.stuck_since and obj.state == OrderState.IN_PROGRESS:
            return ((_("Fulfilment stuck"), {"fields": ("stuck",), "classes": ("od-stuck",)}), *fieldsets)
        return fieldsets

    @admin.display(description=_("where it stopped"))
    def stuck(self, order):
        return format_html(
            '<span class="od-badge od-badge-stuck">{}</span> {} <span class="od-muted">{}</span>',
            _("Stuck"),
            order.stuck_at,
            _("for %(span)s, since %(since)s")
            % {
                "span": humanise(timezone.now() - order.stuck_since),
                "since": date_format(timezone.localtime(order.stuck_since), "DATETIME_FORMAT"),
            },
        )

    # Reused by the queues: the rows each list shows, and what follows a decision.
    list_queryset: Callable = staticmethod(orders_for_tracking)
    # A "stuck" flag next to the due date (the stuck-orders queue says it on every row already).
    show_stuck_flag = True

    def get_queryset(self, request):
        return self.list_queryset()

    def get_object(self, request, object_id, from_field=None):
        queryset = self.get_queryset(request).select_related(
            "initiating_request", "captured_by", "revision_of", "superseded_by"
        )
        try:
            return queryset.get(pk=int(object_id))
        except (ValueError, Order.DoesNotExist):
            return None

    def get_changelist(self, request, **kwargs):
        return BackOfficeChangeList

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return EstimatedCountPaginator(queryset, per_page, orphans, allow_empty_first_page)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        pk = order_pk_from_number(term)
        if pk is None and term.isdigit():
            pk = int(term)
        if pk is not None:
            return queryset.filter(pk=pk), False
        if CUSTOMER_NUMBER.match(term):
            return queryset.filter(customer__number=term.upper()), False
        # An external id is matched exactly; a name by any part. Kept apart (rather than OR-ed)
        # so each uses its own index.
        if Order.objects.filter(external_id=term).exists():
            return queryset.filter(external_id=term), False
        return queryset.filter(customer__name__icontains=term), False

    # Orders are captured in the console and change only through the service commands.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # --- columns ---

    @admin.display(description=_("order"), ordering="pk")
    def order_number(self, order):
        return order.number

    @admin.display(description=_("customer"))
    def customer_column(self, order):
        customer = order.customer
        url = reverse("admin:customers_customer_change", args=[customer.pk])
        return format_html(
            '<a href="{}">{}</a><br><span class="od-muted">{}</span>', url, customer.name, customer.number or ""
        )

    @admin.display(description=_("state"))
    def state_column(self, order):
        return _order_state_badge(order.state)

    @admin.display(description=_("items"))
    def items_column(self, order):
        return getattr(order, "items_count", None)

    @admin.display(description=_("age"), ordering="-created_at")
    def age(self, order):
        return timesince(order.created_at, depth=1)

    @admin.display(description=_("expected completion"))
    def expected_completion(self, order):
        expected = order.expected_completion_date
        if expected is None:
            return "—"
        text = date_format(expected, "SHORT_DATE_FORMAT")
        if order.state in OPEN_STATES:
            today = timezone.localdate()
            if expected < today:
                text = format_html('{} <span class="od-flag od-flag-late">{}</span>', text, _("late"))
            elif expected <= today + dt.timedelta(days=JEOPARDY_DAYS):
                text = format_html('{} <span class="od-flag od-flag-soon">{}</span>', text, _("due soon"))
        return format_html("{}{}", text, self._stuck_flag(order)) if self.show_stuck_flag else text

    def _stuck_flag(self, order):
        """A "stuck" flag where jeopardy shows, with where fulfilment stopped on hover (orders.fulfilment.stuck)."""
        if not order.stuck_since or order.state != OrderState.IN_PROGRESS:
            return ""
        return format_html(' <span class="od-flag od-flag-stuck" title="{}">{}</span>', order.stuck_at, _("stuck"))

    @admin.display(description=_("details of the request"))
    def initiating_details(self, order):
        request = order.initiating_request
        return request.details if request and request.details else "—"

    @admin.display(description=_("rejection reasons"))
    def rejection_summary(self, order):
        if not order.rejection_reasons:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((r,) for r in order.rejection_reasons)))

    # --- the order page and its decisions ---

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(
            request, {"title": capfirst(self.opts.verbose_name_plural), **(extra_context or {})}
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self._decision_context(request, obj))
            # The summary at the top of the page names the order; the title names the page.
            context.update(title=capfirst(self.opts.verbose_name), subtitle=None)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _decision_context(self, request, order) -> dict:
        user = request.user
        opts = self.opts
        decisions = [
            {
                "decision": decision,
                "form": decision.form_class(prefix=decision.slug),
                "blocked": decision.blocked(order, user),
                "url": reverse(f"admin:{opts.app_label}_{opts.model_name}_{decision.slug}", args=[order.pk]),
            }
            for decision in self.get_decisions()
            if decision.offered(order, user)
        ]
        today = timezone.localdate()
        expected = order.expected_completion_date
        return {
            "decisions": decisions,
            "held_reasons": order.special_handling_reasons if order.needs_special_handling else [],
            "fallout_reason": self._fallout_reason(order),
            "late": bool(expected and order.state in OPEN_STATES and expected < today),
            "due_soon": bool(
                expected and order.state in OPEN_STATES and today <= expected <= today + dt.timedelta(JEOPARDY_DAYS)
            ),
            "order_age": timesince(order.created_at, depth=2),
            "tracking_url": reverse("admin:orders_order_change", args=[order.pk]),
        }

    def _fallout_reason(self, order) -> str:
        if order.state != OrderState.HELD or order.needs_special_handling:
            return ""
        event = order.events.filter(to_state=OrderState.HELD).order_by("-created_at", "-id").first()
        return event.note if event else ""

    def get_decisions(self) -> list[Decision]:
        return DECISIONS

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        decision_urls = [
            path(
                f"<path:object_id>/{decision.slug}/",
                self.admin_site.admin_view(partial(self.decision_view, slug=decision.slug)),
                name=f"{prefix}_{decision.slug}",
            )
            for decision in self.get_decisions()
        ]
        return decision_urls + super().get_urls()

    def decision_view(self, request, object_id, slug):
        """POST only: check the permission, call the service, say what happened, go back."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        decision = next(d for d in self.get_decisions() if d.slug == slug)
        try:
            # The order as it is, not as this queue lists it: it may have left the queue meanwhile.
            order = Order.objects.select_related("customer").get(pk=int(unquote(object_id)))
        except (ValueError, Order.DoesNotExist):
            raise Http404 from None
        if not (self.has_view_permission(request, order) and request.user.has_perm(decision.permission)):
            raise PermissionDenied
        form = decision.form_class(request.POST, prefix=slug)
        succeeded = False
        if not form.is_valid():
            problems = "; ".join(
                f"{form.fields[name].label if name in form.fields else ''}: {' '.join(errors)}".lstrip(": ")
                for name, errors in form.errors.items()
            )
            messages.error(request, _("%(title)s: %(problems)s") % {"title": decision.title, "problems": problems})
        else:
            try:
                message = decision.perform(order, request.user, form.cleaned_data)
            except (TransitionNotAllowed, ConcurrentTransition):
                now = Order.objects.filter(pk=order.pk).values_list("state", flat=True).first()
                messages.error(
                    request,
                    _("%(number)s has moved on since you opened it: it is now %(state)s. Nothing was changed.")
                    % {"number": order.number, "state": OrderState(now).label.lower() if now else "gone"},
                )
            except PermissionDenied as refusal:
                messages.error(request, str(refusal) or _("You may not do that to this order."))
            except services.ActionRefused as refusal:
                messages.error(request, str(refusal))
            else:
                messages.success(request, message)
                succeeded = True
        return HttpResponseRedirect(self._after_decision_url(request, order, succeeded))

    def _after_decision_url(self, request, order, succeeded: bool) -> str:
        prefix = f"admin:{self.opts.app_label}_{self.opts.model_name}"
        if self.get_queryset(request).filter(pk=order.pk).exists():
            return reverse(f"{prefix}_change", args=[order.pk])
        if succeeded:  # done with it: on to the rest of the queue
            return reverse(f"{prefix}_changelist")
        return reverse("admin:orders_order_change", args=[order.pk])


# --- the queues ------------------------------------------------------------------------------------


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
    list_queryset = staticmethod(orders_held_for_review)
    change_list_template = "admin/orders/specialhandlingreview/change_list.html"

    @admin.display(description=_("why it is held"))
    def reasons(self, order):
        reasons = [r for r in order.special_handling_reasons if r] or [_("No reason recorded")]
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


# --- event delivery: the dead letters -------------------------------------------------------------


@admin.register(EventDelivery)
class EventDeliveryAdmin(admin.ModelAdmin):
    """TMF622 events to hub listeners; dead letters are kept here until someone sends them again."""

    list_display = ("event_type", "order_number", "callback", "status", "attempts", "last_error", "next_attempt_at")
    list_filter = ("status",)
    list_select_related = ("event__order", "listener")
    search_fields = ("=event__event_id", "listener__callback")
    readonly_fields = [f.name for f in EventDelivery._meta.fields]
    actions = ["deliver_again"]
    show_full_result_count = False
    ordering = ("-id",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Event")
    def event_type(self, delivery):
        return delivery.event.event_type

    @admin.display(description="Order")
    def order_number(self, delivery):
        return delivery.event.order.number

    @admin.display(description="Listener")
    def callback(self, delivery):
        return delivery.listener.callback

    @admin.action(description="Deliver the selected events again", permissions=["change"])
    def deliver_again(self, request, queryset):
        delivered = sum(notifications.redeliver(delivery) for delivery in queryset.exclude(status="delivered"))
        messages.info(request, f"{delivered} delivered; the rest stay pending with their backoff.")
