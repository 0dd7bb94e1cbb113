"""The supervisor's decisions on an order, one place for every channel that takes them.

For each decision the console and the back office both take (approve or refuse special handling, record
feasibility, add a note) this module holds its form (fields, labels, validation), the rule that says whether
this user may take it on this order now and why not, and the call of the service command. The channels keep
their own wording around it: titles, buttons and the messages that say what happened.

The rules only decide what a page offers: the commands check again (permissions, four eyes, state).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed, has_transition_perm

from orders import services
from orders.models import FeasibilityAssessment, Order, OrderState

REVIEW_PERMISSION = "orders.review_special_handling"
FEASIBILITY_PERMISSION = "orders.record_feasibility"
NOTE_PERMISSION = "orders.view_order"


# --- the rules -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """May this user take the decision on this order now, and if not, why not.

    offered: the decision applies to this order and this user's role at all (a page shows it);
    allowed: offered, and nothing stands in the way (four eyes); reason: why not, in words.
    """

    offered: bool
    allowed: bool
    reason: str = ""

    @classmethod
    def allow(cls) -> Verdict:
        return cls(offered=True, allowed=True)

    @classmethod
    def withhold(cls, reason: str) -> Verdict:
        """Not offered: the order's state or the user's role rules it out."""
        return cls(offered=False, allowed=False, reason=reason)

    @classmethod
    def block(cls, reason: str) -> Verdict:
        """Offered, but not to this user on this order: the page says why."""
        return cls(offered=True, allowed=False, reason=reason)

    def __bool__(self) -> bool:
        return self.allowed


Rule = Callable[[Order, object], Verdict]


def transition_offered(name: str) -> Rule:
    """The rule of a decision that is one transition: offered when the order's state and the user allow it."""

    def offered(order: Order, user) -> Verdict:
        transition = getattr(order, name)
        if not can_proceed(transition):
            return Verdict.withhold(
                _("%(number)s is %(state)s: that is not possible now.")
                % {"number": order.number, "state": order.get_state_display().lower()}
            )
        if not has_transition_perm(transition, user):
            return Verdict.withhold(_("You may not do that to this order."))
        return Verdict.allow()

    return offered


def four_eyes(order: Order, user) -> str:
    """Why this user may not approve this order, or "": whoever captured an order does not approve it."""
    if order.captured_by_id == user.pk:
        return _("You captured this order: another supervisor must approve it (four eyes).")
    return ""


def may_approve(order: Order, user) -> Verdict:
    verdict = transition_offered("approve")(order, user)
    if verdict.allowed and (reason := four_eyes(order, user)):
        return Verdict.block(reason)
    return verdict


may_refuse = transition_offered("refuse")


def may_record_feasibility(order: Order, user) -> Verdict:
    """Feasibility can be recorded on any order still open, by whoever holds the permission."""
    if not user.has_perm(FEASIBILITY_PERMISSION):
        return Verdict.withhold(_("You may not record feasibility."))
    if order.is_terminal:
        return Verdict.withhold(
            _("%(number)s is %(state)s.") % {"number": order.number, "state": order.get_state_display().lower()}
        )
    return Verdict.allow()


def needs_assessment(order: Order, user) -> Verdict:
    """Feasibility as a review step: only where it is waited for (held for special handling, or a draft)."""
    verdict = may_record_feasibility(order, user)
    if verdict.allowed and not (order.needs_special_handling or order.state == OrderState.DRAFT):
        return Verdict.withhold(_("%(number)s waits for no assessment.") % {"number": order.number})
    return verdict


def may_add_note(order: Order, user) -> Verdict:
    if not user.has_perm(NOTE_PERMISSION):
        return Verdict.withhold(_("You may not add notes to orders."))
    return Verdict.allow()


def require_review_permission(user) -> None:
    """Refuse a review before looking at the order: a forged post learns nothing about its state."""
    if not user.has_perm(REVIEW_PERMISSION):
        raise PermissionDenied


# --- the forms -------------------------------------------------------------------------------------


class DecisionForm(forms.Form):
    """A decision's form. A channel may name a field its own way: labels={"field": "label"}."""

    def __init__(self, *args, labels: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in (labels or {}).items():
            self.fields[name].label = label


class ApprovalForm(DecisionForm):
    note = forms.CharField(required=False, label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class RefusalForm(DecisionForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class FeasibilityForm(DecisionForm):
    """The result, and what it is about: given the order's items, the whole order or one of them."""

    result = forms.ChoiceField(choices=[("", _("Choose…"))] + FeasibilityAssessment.Result.choices, label=_("Result"))
    item = forms.ChoiceField(required=False, label=_("For"))
    notes = forms.CharField(required=False, label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        if items is None:  # about the whole order, no choice offered
            del self.fields["item"]
            self.items = {}
            return
        self.items = {str(item.pk): item for item in items}
        self.fields["item"].choices = [("", _("The whole order"))] + [
            (str(item.pk), f"Item {item.item_id}: {item.offering.name if item.offering_id else '?'}") for item in items
        ]

    def clean_item(self):
        return self.items.get(self.cleaned_data.get("item") or "")


class NoteForm(DecisionForm):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)
    customer_visible = forms.BooleanField(required=False, label=_("The customer may see this note"))


# --- the commands ----------------------------------------------------------------------------------


def approve(order: Order, user, data: dict) -> Order:
    return services.approve_special_handling(order, by=user, note=data["note"])


def refuse(order: Order, user, data: dict) -> Order:
    return services.refuse_special_handling(order, by=user, reason=data["reason"])


def record_feasibility(order: Order, user, data: dict) -> FeasibilityAssessment:
    return services.record_feasibility(
        order, by=user, result=data["result"], notes=data["notes"], item=data.get("item")
    )


def add_note(order: Order, user, data: dict):
    return services.add_note(order, by=user, text=data["text"], customer_visible=data["customer_visible"])
