"""Special handling and waiting for the customer: feasibility, a supervisor's decision, questions and answers."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from customers.models import User
from orders import lifecycle
from orders.fulfilment import orchestration
from orders.models import (
    FeasibilityAssessment,
    InformationRequest,
    ItemState,
    Order,
    OrderItem,
    OrderNote,
    OrderState,
    OutboxEvent,
)
from orders.services.outcomes import ActionRefused
from orders.services.submission import start_fulfilment

# --- special handling ----------------------------------------------------------------------------


@transaction.atomic
def record_feasibility(
    order: Order, *, by: User, result: str, notes: str = "", item: OrderItem | None = None
) -> FeasibilityAssessment:
    """Record a feasibility assessment; a positive one lets special requirements be issued."""
    lifecycle.require_perm(by, "record_feasibility")
    order = lifecycle.lock(order)
    if order.is_terminal:
        raise ActionRefused(f"{order.number} is {order.get_state_display().lower()}.")
    if item is not None and item.order_id != order.pk:
        raise ActionRefused("That item belongs to another order.")
    assessment = FeasibilityAssessment.objects.create(
        order=order, item=item, result=result, notes=notes, assessed_by=by
    )
    lifecycle.publish(order, OutboxEvent.Type.ATTRIBUTE_VALUE_CHANGE, changed="feasibilityAssessment")
    return assessment


@transaction.atomic
def approve_special_handling(order: Order, *, by: User, note: str = "") -> Order:
    """Issue a held order after review, from the admin, the console or the API alike."""
    order = lifecycle.lock(order)
    if order.captured_by_id == by.pk:
        raise PermissionDenied("Whoever captured an order cannot approve it (four eyes).")
    lifecycle.move(order, "approve", by=by, note=note or "Special handling approved.")
    start_fulfilment(order)
    return order


@transaction.atomic
def refuse_special_handling(order: Order, *, by: User, reason: str) -> Order:
    """End a held order whose special requirements cannot be met, saying why."""
    if not reason.strip():
        raise ActionRefused("Give the reason for refusing the order.")
    order = lifecycle.lock(order)
    lifecycle.move(order, "refuse", by=by, note=reason)
    lifecycle.move_items(order, "cancel")
    OrderNote.objects.create(order=order, author=by, text=refusal_note(reason), customer_visible=True)
    return order


def refusal_note(reason: str) -> str:
    """The note the customer reads on their order when it is refused (shown to the supervisor before refusing)."""
    return f"Refused: {reason.strip()}"


# --- waiting for the customer --------------------------------------------------------------------


@transaction.atomic
def request_information(order: Order, *, by: User, question: str, deadline: dt.date) -> InformationRequest:
    """Ask the customer a question; the order waits in `pending` until it is answered."""
    if not question.strip():
        raise ActionRefused("Write the question for the customer.")
    if deadline < timezone.localdate():
        raise ActionRefused("The deadline cannot be in the past.")
    order = lifecycle.lock(order)
    lifecycle.move(order, "await_customer", by=by, note=f"Information requested: {question}")
    lifecycle.move_items(order, "await_customer")
    asked = InformationRequest.objects.create(order=order, question=question.strip(), deadline=deadline, asked_by=by)
    lifecycle.publish(
        order, OutboxEvent.Type.INFORMATION_REQUIRED, question=asked.question, deadline=deadline.isoformat()
    )
    return asked


@transaction.atomic
def answer_information(order: Order, *, by: User, answer: str) -> InformationRequest:
    """Take the customer's answer; the order goes back to where it was waiting from."""
    if not answer.strip():
        raise ActionRefused("Write the answer.")
    order = lifecycle.lock(order)
    question = order.information_requests.filter(answered_at__isnull=True).order_by("-asked_at").first()
    if question is None or order.state != OrderState.PENDING:
        raise ActionRefused(f"{order.number} has no open question.")
    lifecycle.move(order, "resume_from_customer", by=by, note="Customer answered.")
    back = ItemState.HELD if order.state == OrderState.HELD else ItemState.IN_PROGRESS
    lifecycle.move_items(order, "hold" if back == ItemState.HELD else "start", states=[ItemState.PENDING])
    orchestration.settle(order)  # tasks may have finished while the order waited
    question.answer, question.answered_by, question.answered_at = answer.strip(), by, timezone.now()
    question.save()
    return question
