"""What the console's order pages show, worked out from the order: prices, items, revisions, the actions
that apply, and the words on the buttons that start a change.
"""

from __future__ import annotations

from dataclasses import dataclass

from django_fsm import can_proceed, has_transition_perm

from orders import decisions
from orders.models import IN_FLIGHT_STATES, ItemIntent, Order, OrderItem, OrderState, may_request_cancellation
from orders.pricing import CHARGED_INTENTS, totals
from orders.requirements import item_path
from orders.services import past_point_of_no_return, revision_differences
from ordersite.presentation.capture import describe, path_label, spec_at, summary_text, value_text

# The order's totals are the domain's (orders.pricing), the same on every channel.
item_totals = totals


def item_views(items) -> list[dict]:
    views = []
    for index, item in enumerate(items):
        configuration = describe(item.offering.data_requirements if item.offering_id else [], item.characteristics)
        views.append(
            {
                "item": item,
                "number": index + 1,
                "charged": item.intent in CHARGED_INTENTS,
                "configuration": configuration,
                # Long or repeating configurations fold away behind a one-line summary.
                "folded": len(configuration) > 4 or any(entry.is_group for entry in configuration),
                "summary": summary_text(configuration),
            }
        )
    return views


@dataclass
class Actions:
    """What this user may do to this order now; the commands check again."""

    continue_capture: bool = False
    amend: bool = False
    amendment_draft: Order | None = None
    too_late_to_amend: str = ""  # why, when it is
    cancel: bool = False
    not_cancellable: str = ""  # why cancelling is not offered to someone who may cancel (delivered, say)
    note: bool = True
    feasibility: bool = False
    answer: bool = False
    approve: bool = False
    refuse: bool = False
    four_eyes: bool = False
    attach: bool = False
    open_question: object = None

    @property
    def any_primary(self) -> bool:
        return self.continue_capture or self.amend or bool(self.amendment_draft)


def order_actions(order: Order, user) -> Actions:
    actions = Actions()
    actions.continue_capture = order.state == OrderState.DRAFT and user.has_perm("orders.submit_order")
    if order.state in IN_FLIGHT_STATES and user.has_perm("orders.amend_order"):
        actions.amendment_draft = next((r for r in order.revisions.all() if r.state == OrderState.DRAFT), None)
        actions.too_late_to_amend = past_point_of_no_return(order, "amend this order")
        actions.amend = actions.amendment_draft is None and not actions.too_late_to_amend
    actions.cancel = can_proceed(order.assess_cancellation) and has_transition_perm(order.assess_cancellation, user)
    if not actions.cancel and order.state in IN_FLIGHT_STATES and may_request_cancellation(order, user):
        actions.not_cancellable = order.why_not_cancellable
    actions.feasibility = decisions.may_record_feasibility(order, user).allowed
    actions.open_question = next((q for q in order.information_requests.all() if q.is_open), None)
    actions.answer = (
        actions.open_question is not None
        and can_proceed(order.resume_from_customer)
        and has_transition_perm(order.resume_from_customer, user)
    )
    approval = decisions.may_approve(order, user)
    actions.four_eyes = approval.offered and not approval.allowed
    actions.approve = approval.allowed
    actions.refuse = decisions.may_refuse(order, user).allowed
    actions.attach = user.has_perm("orders.add_orderdocument")
    return actions


@dataclass
class Change:
    label: str
    before: str
    after: str


def _text(value) -> str:
    if value is None or value == "":
        return "—"
    return str(value)


def revision_changes(before: Order, after: Order) -> list[Change]:
    """revision_differences in words: labels from the catalog's requirements, choice labels for values."""
    items = {i.item_id: i for i in before.items.all()} | {i.item_id: i for i in after.items.all()}
    changes = []
    for difference in revision_differences(before, after):
        at = item_path(difference.field)
        if at is None:
            label = Order._meta.get_field(difference.field).verbose_name.capitalize()
            changes.append(Change(label, _text(difference.before), _text(difference.after)))
            continue
        item_id, part, rest = at.item, at.part or None, at.rest or None
        item = items.get(item_id)
        prefix = f"Item {item_id}"
        if part is None:
            changes.append(Change(prefix, _text(difference.before), _text(difference.after)))
        elif part == "characteristics":
            requirements = item.offering.data_requirements if item is not None and item.offering_id else []
            spec = spec_at(requirements, rest or "")
            changes.append(
                Change(
                    f"{prefix} · {path_label(requirements, rest or '')}",
                    value_text(spec, difference.before),
                    value_text(spec, difference.after),
                )
            )
        else:
            label = OrderItem._meta.get_field(part).verbose_name.capitalize()
            before_value, after_value = difference.before, difference.after
            if part == "intent":
                before_value, after_value = ItemIntent(before_value).label, ItemIntent(after_value).label
            changes.append(Change(f"{prefix} · {label}", _text(before_value), _text(after_value)))
    # Stored differently but read the same (an unticked box left out, or stored as false): no change.
    return [change for change in changes if change.before != change.after]


# What the buttons that start a change say.
INTENT_VERBS = {
    "change": "Change",
    "suspend": "Suspend",
    "resume": "Resume",
    "change_ownership": "Transfer",
    "repackage": "Repackage",
    "discontinue": "Discontinue",
}
