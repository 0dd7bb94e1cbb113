"""Order tracking: every order, read-only, with the decisions its state and the user's permissions allow.

The lists stay fast at a million orders: no full-table count (an estimate from PostgreSQL's statistics, or a
capped count), one query for the rows (customer joined, items counted per row), choice-based filters only
(orders.admin.changelist), and a date drill-down that never runs SELECT DISTINCT over the table.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import partial

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from customers.models import TelephoneNumber
from customers.selectors import lines_numbered
from orders import services
from orders.admin.changelist import BackOfficeChangeList, ExpectedCompletionFilter, JeopardyFilter
from orders.admin.common import EMPTY, by_person, dated, order_state_badge, when
from orders.admin.decisions import DECISIONS, Decision
from orders.admin.inlines import (
    CancellationRequestInline,
    DeliverySignOffInline,
    FeasibilityInline,
    FulfilmentTaskInline,
    InformationRequestInline,
    OrderDocumentInline,
    OrderEventInline,
    OrderItemInline,
    OrderNoteInline,
    OutboxEventInline,
    RevisionInline,
)
from orders.fulfilment.stuck import humanise
from orders.models import (
    Order,
    OrderItem,
    OrderState,
    order_pk_from_number,
)
from orders.pagination import EstimatedCountPaginator
from orders.selectors import (
    JEOPARDY_DAYS,
    OPEN_STATES,
    orders_for_tracking,
)
from orders.services.submission import held_reasons

CUSTOMER_NUMBER = re.compile(r"^CUS-\d+$", re.IGNORECASE)
CONFIRMED = "confirmed"  # posted by a decision's confirmation page


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
    empty_value_display = EMPTY
    # The search is ours (get_search_results); this only turns the search box on.
    search_fields = ("customer__name",)
    search_help_text = _(
        "An order number (ORD-000123 or 123), a customer number (CUS-000045), a line's phone number "
        "(07700 900123), an external id, or part of a customer's name."
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
                    ("external_id", "captured_by_name"),
                    ("revision", "revision_of", "superseded_by"),
                )
            },
        ),
        (
            _("Dates"),
            {
                "fields": (
                    ("created", "submitted", "issued"),
                    ("requested_start", "requested_completion"),
                    ("expected_completion", "completed"),
                )
            },
        ),
        (_("Initiating request"), {"fields": ("initiating_request", "initiating_details")}),
        (
            _("Special requirements"),
            {"fields": ("special_requirements", "appointment_preference", "rejection_summary")},
        ),
    )

    created = dated("created_at", _("created"))
    submitted = dated("submitted_at", _("submitted"))
    issued = dated("issued_at", _("issued"))
    requested_start = dated("requested_start_date", _("requested start"))
    requested_completion = dated("requested_completion_date", _("requested completion"))
    completed = dated("completed_at", _("completed"))
    captured_by_name = by_person("captured_by", _("captured by"))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        # Only what this order holds: a field with nothing in it is left out, a section left empty too.
        fieldsets = tuple(
            (title, {**options, "fields": fields})
            for title, options in fieldsets
            if (fields := self._filled(obj, options["fields"]))
        )
        if obj.stuck_since and obj.state == OrderState.IN_PROGRESS:
            return ((_("Fulfilment stuck"), {"fields": ("stuck",), "classes": ("od-stuck",)}), *fieldsets)
        return fieldsets

    def _filled(self, order, fields) -> list:
        kept = []
        for line in fields:
            names = line if isinstance(line, tuple) else (line,)
            filled = tuple(name for name in names if self._has_value(order, name))
            if filled:
                kept.append(filled if len(filled) > 1 else filled[0])
        return kept

    def _has_value(self, order, name: str) -> bool:
        shown = getattr(self, name, None)
        value = shown(order) if callable(shown) else getattr(order, name, None)
        return value not in (None, "", [], {}, EMPTY)

    @admin.display(description=_("where it stopped"))
    def stuck(self, order):
        return format_html(
            '<span class="od-badge od-badge-stuck">{}</span> {} <span class="od-muted">{}</span>',
            _("Stuck"),
            order.stuck_at,
            _("for %(span)s, since %(since)s")
            % {
                "span": humanise(timezone.now() - order.stuck_since),
                "since": when(order.stuck_since),
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
        digits = "".join(ch for ch in term if ch.isdigit())
        line = lines_numbered(term, digits) if len(digits) >= 10 else None
        if line is not None:
            # A whole phone number: the orders that brought or changed the line, or hold the number for one.
            numbers = TelephoneNumber.objects.filter(line)
            held = numbers.values("order_item__order_id")
            changed = OrderItem.objects.filter(product__telephone_number__in=numbers).values("order_id")
            return queryset.filter(Q(pk__in=held) | Q(pk__in=changed)), False
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
        return order_state_badge(order.state)

    @admin.display(description=_("items"))
    def items_column(self, order):
        return getattr(order, "items_count", None)

    @admin.display(description=_("age"), ordering="-created_at")
    def age(self, order):
        return timesince(order.created_at, depth=1)

    @admin.display(description=_("expected completion"))
    def expected_completion(self, order):
        expected = order.expected_completion_date
        if expected is None or order.is_terminal:  # a finished order says when it ended instead
            return EMPTY
        text = when(expected)
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
        return request.details if request and request.details else EMPTY

    @admin.display(description=_("rejection reasons"))
    def rejection_summary(self, order):
        if not order.rejection_reasons:
            return EMPTY
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
                "form": decision.form(),
                "blocked": "" if verdict.allowed else verdict.reason,
                "url": reverse(f"admin:{opts.app_label}_{opts.model_name}_{decision.slug}", args=[order.pk]),
            }
            for decision in self.get_decisions()
            if (verdict := decision.verdict(order, user)).offered
        ]
        today = timezone.localdate()
        expected = order.expected_completion_date
        return {
            "decisions": decisions,
            "held_reasons": self._held_reasons(order),
            "fallout_reason": self._fallout_reason(order),
            "late": bool(expected and order.state in OPEN_STATES and expected < today),
            "due_soon": bool(
                expected and order.state in OPEN_STATES and today <= expected <= today + dt.timedelta(JEOPARDY_DAYS)
            ),
            "order_age": timesince(order.created_at, depth=2),
            "tracking_url": reverse("admin:orders_order_change", args=[order.pk]),
        }

    def _held_reasons(self, order) -> list[str]:
        """Why it is held, recomputed from the facts (the stored reasons go stale once feasibility is recorded)."""
        if not order.needs_special_handling:
            return []
        items = Prefetch("items", queryset=OrderItem.objects.select_related("offering"))
        prefetch_related_objects([order], items, "feasibility_assessments")  # nothing when the queue fetched them
        return held_reasons(order)

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
        form = decision.form(request.POST)
        succeeded = False
        if not form.is_valid():
            problems = "; ".join(
                f"{form.fields[name].label if name in form.fields else ''}: {' '.join(errors)}".lstrip(": ")
                for name, errors in form.errors.items()
            )
            messages.error(request, _("%(title)s: %(problems)s") % {"title": decision.title, "problems": problems})
        elif self._needs_confirming(request, order, decision):
            return self._confirmation_page(request, order, decision, form)
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

    def _needs_confirming(self, request, order, decision) -> bool:
        # Only a decision this user may take now is confirmed; otherwise the command says why not.
        return (
            decision.confirmation is not None
            and request.POST.get(CONFIRMED) != "yes"
            and decision.verdict(order, request.user).allowed
        )

    def _confirmation_page(self, request, order, decision, form):
        """The decision's consequences and what the customer will read; confirming posts the same form again."""
        change_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[order.pk])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": decision.title,
            "subtitle": order.number,
            "order": order,
            "decision": decision,
            "form": form,
            "preview": decision.confirmation(order, form.cleaned_data),
            "confirmed_field": CONFIRMED,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/orders/order/confirm_decision.html", context)

    def _after_decision_url(self, request, order, succeeded: bool) -> str:
        prefix = f"admin:{self.opts.app_label}_{self.opts.model_name}"
        if self.get_queryset(request).filter(pk=order.pk).exists():
            return reverse(f"{prefix}_change", args=[order.pk])
        if succeeded:  # done with it: on to the rest of the queue
            return reverse(f"{prefix}_changelist")
        return reverse("admin:orders_order_change", args=[order.pk])
