"""Submitting a captured order: completeness, credit, then issue, hold for special handling or reject (eTOM 1.3.3.5)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django_fsm import has_transition_perm

from customers.models import Customer, User
from orders import clients, lifecycle, numbers
from orders.credit import credit_bureau, needs_credit_check
from orders.fulfilment import orchestration
from orders.models import (
    FeasibilityAssessment,
    ItemIntent,
    Order,
    OrderItem,
    OrderNote,
    OrderState,
    OutboxEvent,
    format_order_number,
)
from orders.pricing import CHARGED_INTENTS
from orders.qualification import PLACE_CODES, held_prerequisites, qualify
from orders.requirements import FieldError, validate_characteristics
from orders.services.amendment import supersede
from orders.services.change_orders import check_change_makes_sense
from orders.services.outcomes import ActionRefused, OrderIncomplete, SubmissionOutcome

# --- submission and issuing (eTOM 1.3.3.5) -------------------------------------------------------


def order_for_submission(pk: int) -> Order:
    items = OrderItem.objects.select_related(
        "offering", "install_address__reference_street__district", "product", "new_owner"
    ).prefetch_related("offering__requires")
    return (
        Order.objects.select_related("customer", "initiating_request", "revision_of")
        .prefetch_related(Prefetch("items", queryset=items), "feasibility_assessments")
        .get(pk=pk)
    )


def completeness_errors(order: Order, items: list[OrderItem] | None = None) -> list[FieldError]:
    """Issuing rule 1: everything required is captured and valid; field paths for each problem.

    `items` are the order's items when they are not saved yet (place_order).
    """
    errors: list[FieldError] = []
    items = list(order.items.all()) if items is None else items
    # An order placed whole has its request in memory, written with it (no id yet); no query either way.
    if order.initiating_request_id is None and order.initiating_request is None:
        errors.append(FieldError("initiating_request", "record what led to this order"))
    if not items:
        errors.append(FieldError("items", "add at least one product"))
    ordered = {item.offering_id for item in items if item.offering_id and item.intent == ItemIntent.PROVIDE}
    held = held_prerequisites(order.customer, [item.offering for item in items if item.offering is not None])
    for index, item in enumerate(items):
        prefix = f"items[{index}]"
        offering = item.offering
        if offering is None:
            errors.append(FieldError(f"{prefix}.offering", f"unknown product offering {item.requested_offering!r}"))
            continue
        for error in validate_characteristics(offering.data_requirements, item.characteristics) or (
            numbers.pool_errors(offering.data_requirements, item.characteristics, item)
        ):
            errors.append(FieldError(f"{prefix}.characteristics.{error.path}".rstrip("."), error.message))
        needs_address = offering.requires_install_address and item.intent in CHARGED_INTENTS
        address = item.install_address
        place = None
        if needs_address and address is None:
            errors.append(FieldError(f"{prefix}.install_address", "an install address is required"))
        elif address is not None:
            if address.customer_id != order.customer_id:
                errors.append(FieldError(f"{prefix}.install_address", "the address belongs to another customer"))
            elif not address.is_validated:
                errors.append(FieldError(f"{prefix}.install_address", "the address has not been validated"))
            elif needs_address:
                place = address
        if item.intent == ItemIntent.PROVIDE or place is not None:
            # The qualification the products step showed, asked again of what the order now holds.
            answer = qualify(offering, order.customer, place, ordering=ordered, held=held)
            for reason in answer.reasons:
                if item.intent != ItemIntent.PROVIDE and reason.code not in PLACE_CODES:
                    continue  # a change to a product the customer has: only where it goes is asked again
                field = "install_address" if reason.code in PLACE_CODES else "offering"
                errors.append(FieldError(f"{prefix}.{field}", reason.message.rstrip(".")))
        if item.intent not in (ItemIntent.PROVIDE, ItemIntent.CONTEXT):
            try:
                check_change_makes_sense(
                    item.product,
                    item.intent,
                    customer=order.customer,
                    new_owner=item.new_owner,
                    new_offering=item.offering,
                    ignore_order=order,
                )
            except ActionRefused as refusal:
                errors.append(FieldError(f"{prefix}.product", str(refusal)))
    return errors


class ItemFacts(NamedTuple):
    """What issuing rules 3 and 4 read of an item: from an OrderItem, or straight from a query (the review queue)."""

    is_bespoke: bool
    needs_feasibility: bool  # its offering asks for a feasibility assessment
    offering_name: str


def item_facts(item: OrderItem) -> ItemFacts:
    offering = item.offering if item.offering_id else None
    return ItemFacts(
        item.is_bespoke,
        bool(offering and offering.requires_feasibility),
        offering.name if offering else item.requested_offering,
    )


def special_handling_reasons(order: Order, items: list[OrderItem] | None = None) -> list[str]:
    """Issuing rules 3 and 4: why this order is not standard (empty list: standard)."""
    items = order.items.all() if items is None else items
    return reasons_from_facts(order.special_requirements, [item_facts(item) for item in items])


def reasons_from_facts(special_requirements: str, items: Iterable[ItemFacts]) -> list[str]:
    """Issuing rules 3 and 4 over plain facts: the order's special requirements and its items, in order."""
    reasons = []
    if special_requirements.strip():
        reasons.append(f"Special requirements: {special_requirements.strip()}")
    for index, item in enumerate(items):
        if item.is_bespoke or item.needs_feasibility:
            kind = "Bespoke item" if item.is_bespoke else "Item needing feasibility"
            reasons.append(f"{kind} {index + 1}: {item.offering_name}")
    return reasons


@dataclass(frozen=True)
class Verdict:
    """What the issuing rules say of a submitted order: the transition to take, why, and the history note."""

    transition: str  # "reject", "issue" or "hold_for_special_handling"
    reasons: list[str]
    note: str


def issuing_verdict(order: Order, items: list[OrderItem] | None = None, *, problems: list[str] = ()) -> Verdict:
    """The issuing rules (eTOM 1.3.3.5), one decision for every channel.

    Rejected: the problems the channel found (an incomplete order where no one can fix it), or the
    credit bureau's refusal. Held for special handling: special requirements or bespoke items with no
    positive feasibility assessment on record. Otherwise issued at once. `items` are the order's
    items when they are not saved yet (an order placed whole).
    """
    if problems:
        reasons = list(dict.fromkeys(problems))
        return Verdict("reject", reasons, "; ".join(reasons))
    refusal = credit_refusal(order.customer, order_value(order, items))
    if refusal:
        return Verdict("reject", [refusal], refusal)
    return special_handling_verdict(order, items)


FEASIBILITY_MISSING = "No positive feasibility assessment on record."


def special_handling_verdict(order: Order, items: list[OrderItem] | None = None) -> Verdict:
    """Issuing rules 3 and 4 alone, from the facts as they are now: issue, or hold and why.

    Reads the order's items (with their offerings) and feasibility assessments only: no credit check,
    no writes, so pages can ask it of a held order to show why it is held today (held_reasons).
    """
    reasons = special_handling_reasons(order, items)
    assessment = _feasibility_on_record(order) if reasons and order.pk else None  # a new order has none yet
    return _verdict_from_facts(reasons, assessment.assessed_at if assessment is not None else None)


def _verdict_from_facts(reasons: list[str], positive_assessment_at: dt.datetime | None) -> Verdict:
    if not reasons:
        return Verdict("issue", [], "Standard order: issued at once.")
    if positive_assessment_at is not None:
        return Verdict("issue", [], f"Feasibility assessment of {positive_assessment_at:%Y-%m-%d} on record: issued.")
    return Verdict("hold_for_special_handling", [*reasons, FEASIBILITY_MISSING], "Marked for special handling.")


def held_reasons(order: Order) -> list[str]:
    """Why an order held for special handling waits for a supervisor, recomputed from the current facts.

    The reasons stored when it was held go stale (a feasibility assessment recorded since then still
    reads "No positive feasibility assessment on record"): this asks the issuing rules again. Once they
    would issue it, what is left is the supervisor's decision, said with the assessment's date.
    """
    if not order.needs_special_handling:
        return []
    latest = _latest_assessment(order)
    return held_reasons_from_facts(
        order.special_requirements,
        [item_facts(item) for item in order.items.all()],
        latest=(latest.result, latest.assessed_at) if latest is not None else None,
    )


def held_reasons_from_facts(
    special_requirements: str, items: Iterable[ItemFacts], *, latest: tuple[str, dt.datetime] | None
) -> list[str]:
    """held_reasons over plain facts, for lists that read them in a few columns rather than as models.

    `latest` is the result and date of the order's latest feasibility assessment, if it has one.
    """
    reasons = reasons_from_facts(special_requirements, items)
    positive_at = latest[1] if latest is not None and FeasibilityAssessment.result_is_positive(latest[0]) else None
    verdict = _verdict_from_facts(reasons, positive_at)
    if verdict.transition == "hold_for_special_handling":
        return verdict.reasons
    decided = (
        f"Feasibility assessed positively on {positive_at:%-d %b %Y}: ready for a supervisor's decision."
        if positive_at is not None
        else "Ready for a supervisor's decision."
    )
    return [*reasons, decided]


def _latest_assessment(order: Order) -> FeasibilityAssessment | None:
    return max(order.feasibility_assessments.all(), key=lambda a: a.assessed_at, default=None)


def _feasibility_on_record(order: Order) -> FeasibilityAssessment | None:
    latest = _latest_assessment(order)
    return latest if latest is not None and latest.is_positive else None


def order_value(order: Order, items: list[OrderItem] | None = None) -> Decimal:
    return sum(
        (
            (i.one_off_price + 12 * i.recurring_price) * i.quantity
            for i in (order.items.all() if items is None else items)
            if i.intent in CHARGED_INTENTS
        ),
        Decimal("0"),
    )


@transaction.atomic
def submit_order(
    order: Order, *, by: User, submission_key: str | None = None, reject_if_incomplete: bool = False
) -> SubmissionOutcome:
    """Check, classify and issue a draft, or hold it for special handling; harmless when repeated.

    An incomplete order stays a draft (OrderIncomplete lists what to fix) unless the channel has
    no one to fix it interactively (the API), where it is rejected with the reasons instead.
    """
    if not lifecycle.may_act_for(by, order.customer):
        raise PermissionDenied
    if submission_key:
        # Keys are the client's own; scoped to the customer so one cannot fetch another's order.
        earlier = Order.objects.filter(submission_key=submission_key, customer_id=order.customer_id).first()
        if earlier is not None:
            return _outcome_of(earlier)
    order = lifecycle.lock(order)
    if order.state != OrderState.DRAFT:
        if order.submission_key and order.submission_key == submission_key:
            return _outcome_of(order)
        raise ActionRefused(f"{order.number} has already been submitted.")
    if not has_transition_perm(order.acknowledge, by):
        raise PermissionDenied
    if submission_key:
        order.submission_key = submission_key
        try:
            with transaction.atomic():
                order.save(update_fields=["submission_key"])
        except IntegrityError:  # the same key won a race on another order
            return _outcome_of(Order.objects.get(submission_key=submission_key, customer_id=order.customer_id))
    order = order_for_submission(order.pk)
    numbers.renew_holds_for_order(order)

    errors = completeness_errors(order)
    if errors and not reject_if_incomplete:
        raise OrderIncomplete(errors)
    verdict = issuing_verdict(order, problems=[str(e) for e in errors])
    if verdict.transition == "reject":
        return _reject(order, by, verdict.reasons)

    if order.revision_of_id:
        supersede(order, by)

    _publish_placed(order, OrderState.ACKNOWLEDGED)
    lifecycle.move(order, "acknowledge", by=by, note="Complete and valid.")
    lifecycle.move_items(order, "acknowledge")
    if verdict.transition == "issue":
        lifecycle.move(order, "issue", by=by, note=verdict.note)
        start_fulfilment(order)
        return SubmissionOutcome(order, issued=True)
    lifecycle.move(order, verdict.transition, by=by, note=verdict.note, args=(verdict.reasons,))
    lifecycle.move_items(order, "hold")
    return SubmissionOutcome(order, held_reasons=verdict.reasons)


def start_fulfilment(order: Order) -> None:
    """Issued: items start, tasks are created from the plans and dispatched once this commits."""
    lifecycle.move_items(order, "start")
    orchestration.decompose(order)
    orchestration.dispatch_ready(order)


def _publish_placed(order: Order, state: str) -> OutboxEvent:
    """The TMF622 Create event of a draft being submitted, carrying the state it is placed in."""
    revision_of = format_order_number(order.revision_of_id) if order.revision_of_id else ""
    return lifecycle.publish(order, OutboxEvent.Type.CREATE, state=state, revisionOf=revision_of)


def _reject(order: Order, by: User, reasons: list[str]) -> SubmissionOutcome:
    _publish_placed(order, OrderState.REJECTED)
    lifecycle.move(order, "reject", by=by, note="; ".join(reasons), args=(reasons,))
    lifecycle.move_items(order, "reject")
    for reason in reasons:
        OrderNote.objects.create(order=order, author=None, text=f"Rejected: {reason}", customer_visible=True)
    return SubmissionOutcome(order, rejected_reasons=reasons)


def credit_refusal(customer: Customer, value: Decimal) -> str:
    """Issuing rule 2: ask the credit bureau when the value or the customer calls for it; why not, or ""."""
    if not needs_credit_check(customer, value):
        return ""
    decision = credit_bureau().check(customer, value)
    Customer.objects.filter(pk=customer.pk).update(credit_class=decision.credit_class, credit_checked_at=timezone.now())
    if decision.credit_class != customer.credit_class:
        clients.customers_changed()  # API calls keep customers in the cache: the next order sees the new class
    return "" if decision.approved else decision.reason


def _outcome_of(order: Order) -> SubmissionOutcome:
    return SubmissionOutcome(
        order,
        issued=order.issued_at is not None,
        held_reasons=list(order.special_handling_reasons) if order.needs_special_handling else [],
        rejected_reasons=list(order.rejection_reasons),
    )
