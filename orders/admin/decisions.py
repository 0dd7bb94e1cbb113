"""The decisions a supervisor takes on an order page: the small forms and the service command each calls.

Every decision (feasibility, approve, refuse, ask the customer, retry, resolve, note) is a small POST form on the
order page that calls the same service command the agent console and the API use, so history rows and outbox
events are always written and permissions always checked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed, has_transition_perm

from orders import services
from orders.fulfilment import fallout
from orders.models import (
    FeasibilityAssessment,
    Order,
    OrderState,
)


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
    fallout.retry_fallout(order, by=user, note=data["note"])
    return _("%(number)s released: the failed steps are sent again.") % {"number": order.number}


def _resolve(order, user, data) -> str:
    fallout.resolve_fallout(order, by=user, note=data["note"], give_up=data["give_up"])
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
