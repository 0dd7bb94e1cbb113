"""The decisions a supervisor takes on an order page: their titles, buttons and messages.

Every decision (feasibility, approve, refuse, ask the customer, retry, resolve, note) is a small POST form on the
order page that calls the same service command the agent console and the API use, so history rows and outbox
events are always written and permissions always checked. The decisions the console takes too (approve, refuse,
feasibility, note) take their form, rule and command from orders.decisions; the back office's own (ask the
customer, retry, resolve fallout) have theirs here, over the same rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from orders import decisions, services
from orders.decisions import DecisionForm, Rule, Verdict
from orders.fulfilment import fallout
from orders.models import Order


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


class RetryForm(DecisionForm):
    note = forms.CharField(
        label=_("Note for the history"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResolveForm(DecisionForm):
    note = forms.CharField(label=_("How it was resolved"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    give_up = forms.BooleanField(label=_("Give up the failed items (the rest goes on)"), required=False)


def _approve(order, user, data) -> str:
    decisions.approve(order, user, data)
    return _("%(number)s approved and issued for fulfilment.") % {"number": order.number}


def _refuse(order, user, data) -> str:
    decisions.refuse(order, user, data)
    return _("%(number)s refused and cancelled; the customer can see the reason.") % {"number": order.number}


def _refusal_preview(order, data) -> dict:
    """What refusing does, and the note the customer will read, shown before anything changes."""
    items = order.items.count()
    return {
        "question": _("Refuse %(number)s and cancel it?") % {"number": order.number},
        "consequences": [
            ngettext(
                "The order is cancelled with its item: nothing of it is fulfilled.",
                "The order is cancelled with its %(count)s items: nothing of it is fulfilled.",
                items,
            )
            % {"count": items},
            _("The customer is told at once: their order shows as cancelled, with this note."),
        ],
        "customer_reads": services.refusal_note(data["reason"]),
        "confirm": _("Refuse and cancel the order"),
    }


def _ask(order, user, data) -> str:
    services.request_information(order, by=user, question=data["question"], deadline=data["deadline"])
    return _("Question sent: %(number)s waits for the customer's answer (by %(deadline)s).") % {
        "number": order.number,
        "deadline": date_format(data["deadline"]),
    }


def _assess(order, user, data) -> str:
    assessment = decisions.record_feasibility(order, user, data)
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
    decisions.add_note(order, user, data)
    return _("Note added to %(number)s.") % {"number": order.number}


@dataclass(frozen=True)
class Decision:
    """One action on the order page: its form, who may see it, and the service command it calls."""

    slug: str
    title: str
    button: str
    permission: str  # without it a POST is refused with 403 before the service is reached
    form_class: type[DecisionForm]
    rule: Rule  # offered to this user on this order; blocked, and why
    perform: Callable[[Order, object, dict], str]
    tone: str = "neutral"
    labels: dict[str, str] = field(default_factory=dict)  # the back office's own names for the form's fields
    # A decision that cannot be undone is confirmed on a page of its own first: what it does, what the customer
    # reads (no script: the content security policy forbids inline script, so the step is server-side).
    confirmation: Callable[[Order, dict], dict] | None = None

    def form(self, *args, **kwargs) -> DecisionForm:
        return self.form_class(*args, prefix=self.slug, labels=self.labels, **kwargs)

    def verdict(self, order: Order, user) -> Verdict:
        return self.rule(order, user)


DECISIONS = [
    Decision(
        "feasibility",
        _("Record feasibility"),
        _("Record assessment"),
        decisions.FEASIBILITY_PERMISSION,
        decisions.FeasibilityForm,
        decisions.needs_assessment,
        _assess,
    ),
    Decision(
        "approve",
        _("Approve and issue"),
        _("Approve"),
        decisions.REVIEW_PERMISSION,
        decisions.ApprovalForm,
        decisions.may_approve,
        _approve,
        tone="positive",
    ),
    Decision(
        "refuse",
        _("Refuse the order"),
        _("Refuse"),
        decisions.REVIEW_PERMISSION,
        decisions.RefusalForm,
        decisions.may_refuse,
        _refuse,
        tone="negative",
        labels={"reason": _("Reason (the customer sees it)")},
        confirmation=_refusal_preview,
    ),
    Decision(
        "retry",
        _("Retry the failed steps"),
        _("Retry"),
        "orders.resolve_fallout",
        RetryForm,
        decisions.transition_offered("release"),
        _retry,
        tone="positive",
    ),
    Decision(
        "resolve",
        _("Resolve by hand"),
        _("Resolve"),
        "orders.resolve_fallout",
        ResolveForm,
        decisions.transition_offered("release"),
        _resolve,
    ),
    Decision(
        "ask",
        _("Ask the customer"),
        _("Send question"),
        "orders.request_information",
        InformationRequestForm,
        decisions.transition_offered("await_customer"),
        _ask,
    ),
    Decision(
        "note",
        _("Add a note"),
        _("Add note"),
        decisions.NOTE_PERMISSION,
        decisions.NoteForm,
        decisions.may_add_note,
        _note,
    ),
]
