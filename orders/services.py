"""Commands on orders. Views, admin, API and tests all call these; each is one transaction.

Every state change has the same five beats: permission, guard (the django-fsm transition),
save (ConcurrentTransition when someone else moved the order first), history row plus outbox
event, and nothing outside the database until the transaction commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django_fsm import ConcurrentTransition, TransitionNotAllowed, has_transition_perm

from customers.models import Address, Customer, InstalledProduct, ProductStatus, User
from orders import lifecycle
from orders.credit import credit_bureau, needs_credit_check
from orders.fulfilment import orchestration
from orders.models import (
    ACTION_FOR_INTENT,
    IN_FLIGHT_STATES,
    CancellationRequest,
    FeasibilityAssessment,
    InformationRequest,
    InitiatingRequest,
    ItemIntent,
    ItemState,
    LifecycleStatus,
    Order,
    OrderEvent,
    OrderItem,
    OrderNote,
    OrderState,
    OutboxEvent,
    ProductOffering,
    format_order_number,
)
from orders.requirements import FieldError, validate_characteristics

ActionRefused = lifecycle.ActionRefused

__all__ = [
    "ActionRefused",
    "ConcurrentTransition",
    "OrderIncomplete",
    "TransitionNotAllowed",
    "create_draft_order",
    "update_draft_order",
    "discard_draft",
    "add_item",
    "update_item",
    "remove_item",
    "submit_order",
    "place_order",
    "ItemRequest",
    "record_feasibility",
    "approve_special_handling",
    "refuse_special_handling",
    "request_information",
    "answer_information",
    "request_cancellation",
    "start_amendment",
    "create_change_order",
    "add_note",
]


class OrderIncomplete(Exception):
    """Submission found problems to fix first; each error carries its field path."""

    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


@dataclass
class SubmissionOutcome:
    order: Order
    issued: bool = False
    held_reasons: list[str] = field(default_factory=list)
    rejected_reasons: list[str] = field(default_factory=list)


# --- drafts --------------------------------------------------------------------------------------

ORDER_FIELDS = {
    "category",
    "priority",
    "description",
    "external_id",
    "requested_start_date",
    "requested_completion_date",
    "special_requirements",
    "appointment_preference",
    "initiating_request",
}


@transaction.atomic
def create_draft_order(*, customer: Customer, by: User, channel: str | None = None, **fields) -> Order:
    """Start an order for a customer in the channel of whoever captures it."""
    if not lifecycle.may_act_for(by, customer):
        raise PermissionDenied
    unknown = set(fields) - ORDER_FIELDS
    if unknown:
        raise TypeError(f"Unknown order fields: {', '.join(sorted(unknown))}")
    # No event yet: listeners hear of an order when it is placed (submit_order), as a draft is
    # nobody's business but its author's and they could not fetch it.
    return Order.objects.create(
        customer=customer, channel=channel or lifecycle.channel_of(by), captured_by=by, **fields
    )


def _editable_draft(order: Order, by: User) -> Order:
    order = lifecycle.lock(order)
    if order.state != OrderState.DRAFT:
        raise ActionRefused(f"{order.number} is {order.get_state_display().lower()}; only drafts can be edited.")
    if not lifecycle.may_act_for(by, order.customer):
        raise PermissionDenied
    return order


@transaction.atomic
def discard_draft(order: Order, *, by: User, reason: str = "") -> Order:
    """Give up a draft nobody will submit: it is cancelled, with who and why in its history.

    No event is published: listeners never heard of the draft (they hear of an order when it is
    placed). An order already submitted is refused; it needs a cancellation request instead.
    """
    order = lifecycle.lock(order)
    if order.state != OrderState.DRAFT:
        raise ActionRefused(
            f"{order.number} has been submitted, so it cannot be discarded; request its cancellation instead."
        )
    lifecycle.record(order, "discard", by=by, note=reason.strip() or "Draft discarded.")
    lifecycle.move_items(order, "cancel")
    return order


@transaction.atomic
def update_draft_order(order: Order, *, by: User, **fields) -> Order:
    """Change order-level details of a draft."""
    order = _editable_draft(order, by)
    unknown = set(fields) - ORDER_FIELDS
    if unknown:
        raise TypeError(f"Unknown order fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(order, name, value)
    order.save()
    return order


@transaction.atomic
def record_initiating_request(
    *, customer: Customer, by: User, kind: str, reference: str = "", details: str = ""
) -> InitiatingRequest:
    """Record what led to one or more orders (a quote, a trouble ticket, a performance complaint)."""
    if not lifecycle.may_act_for(by, customer):
        raise PermissionDenied
    request = InitiatingRequest(customer=customer, kind=kind, reference=reference, details=details, recorded_by=by)
    request.full_clean()
    request.save()
    return request


@transaction.atomic
def add_item(
    order: Order,
    *,
    by: User,
    offering: ProductOffering,
    intent: str = ItemIntent.PROVIDE,
    characteristics: dict | None = None,
    quantity: int = 1,
    install_address: Address | None = None,
    product: InstalledProduct | None = None,
    new_owner: Customer | None = None,
    relies_on: list[OrderItem] | None = None,
) -> OrderItem:
    """Add an item to a draft; prices are taken from the catalog now, so later price changes don't move it."""
    order = _editable_draft(order, by)
    next_id = str(max((int(i) for i in order.items.values_list("item_id", flat=True) if i.isdigit()), default=0) + 1)
    item = OrderItem.objects.create(
        order=order,
        item_id=next_id,
        action=ACTION_FOR_INTENT[intent],
        intent=intent,
        offering=offering,
        characteristics=characteristics or {},
        quantity=quantity,
        install_address=install_address,
        product=product,
        new_owner=new_owner,
        one_off_price=offering.one_off_price,
        recurring_price=offering.recurring_price,
        is_bespoke=offering.is_bespoke,
    )
    if relies_on:
        item.relies_on.set(relies_on)
    return item


@transaction.atomic
def update_item(item: OrderItem, *, by: User, **fields) -> OrderItem:
    """Change an item of a draft (characteristics, address, quantity, offering)."""
    _editable_draft(item.order, by)
    allowed = {"characteristics", "quantity", "install_address", "offering", "new_owner"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Unknown item fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(item, name, value)
    if "offering" in fields:
        item.one_off_price, item.recurring_price = item.offering.one_off_price, item.offering.recurring_price
        item.is_bespoke = item.offering.is_bespoke
    item.save()
    return item


@transaction.atomic
def remove_item(item: OrderItem, *, by: User) -> None:
    _editable_draft(item.order, by)
    item.delete()


@transaction.atomic
def add_note(order: Order, *, by: User, text: str, customer_visible: bool = False) -> OrderNote:
    if not lifecycle.may_act_for(by, order.customer) and not by.has_perm("orders.view_order"):
        raise PermissionDenied
    if not text.strip():
        raise ActionRefused("A note needs some text.")
    return OrderNote.objects.create(
        order=order, author=by, text=text.strip(), customer_visible=customer_visible or bool(by.customer_id)
    )


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
    if order.initiating_request_id is None:
        errors.append(FieldError("initiating_request", "record what led to this order"))
    if not items:
        errors.append(FieldError("items", "add at least one product"))
    ordered_codes = {item.offering.code for item in items if item.offering_id and item.intent == ItemIntent.PROVIDE}
    owned_offering_ids = None
    for index, item in enumerate(items):
        prefix = f"items[{index}]"
        offering = item.offering
        if offering is None:
            errors.append(FieldError(f"{prefix}.offering", f"unknown product offering {item.requested_offering!r}"))
            continue
        for error in validate_characteristics(offering.data_requirements, item.characteristics):
            errors.append(FieldError(f"{prefix}.characteristics.{error.path}".rstrip("."), error.message))
        if item.intent == ItemIntent.PROVIDE:
            if offering.lifecycle_status != LifecycleStatus.LAUNCHED:
                errors.append(FieldError(f"{prefix}.offering", f"{offering.name} is not on sale"))
            if offering.is_addon and offering.requires.exists():
                if owned_offering_ids is None:
                    owned_offering_ids = set(
                        order.customer.products.filter(
                            status__in=[ProductStatus.ACTIVE, ProductStatus.SUSPENDED, ProductStatus.PENDING_ACTIVE]
                        ).values_list("offering_id", flat=True)
                    )
                required = list(offering.requires.all())
                if not any(r.code in ordered_codes or r.pk in owned_offering_ids for r in required):
                    names = ", ".join(r.name for r in required)
                    errors.append(FieldError(f"{prefix}.offering", f"{offering.name} needs one of: {names}"))
        needs_address = offering.requires_install_address and item.intent in (ItemIntent.PROVIDE, ItemIntent.REPACKAGE)
        address = item.install_address
        if needs_address and address is None:
            errors.append(FieldError(f"{prefix}.install_address", "an install address is required"))
        elif address is not None:
            if address.customer_id != order.customer_id:
                errors.append(FieldError(f"{prefix}.install_address", "the address belongs to another customer"))
            elif not address.is_validated:
                errors.append(FieldError(f"{prefix}.install_address", "the address has not been validated"))
            elif needs_address and not offering.is_serviceable_with(address.technologies):
                errors.append(FieldError(f"{prefix}.install_address", f"{offering.name} is not available at {address}"))
        if item.intent not in (ItemIntent.PROVIDE, ItemIntent.CONTEXT):
            try:
                _check_change_makes_sense(
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


def special_handling_reasons(order: Order, items: list[OrderItem] | None = None) -> list[str]:
    """Issuing rules 3 and 4: why this order is not standard (empty list: standard)."""
    reasons = []
    if order.special_requirements.strip():
        reasons.append(f"Special requirements: {order.special_requirements.strip()}")
    for index, item in enumerate(order.items.all() if items is None else items):
        if item.is_bespoke or (item.offering_id and item.offering.requires_feasibility):
            kind = "Bespoke item" if item.is_bespoke else "Item needing feasibility"
            reasons.append(f"{kind} {index + 1}: {item.offering.name}")
    return reasons


def _feasibility_on_record(order: Order) -> FeasibilityAssessment | None:
    latest = max(order.feasibility_assessments.all(), key=lambda a: a.assessed_at, default=None)
    return latest if latest is not None and latest.is_positive else None


def _order_value(order: Order, items: list[OrderItem] | None = None) -> Decimal:
    return sum(
        (
            (i.one_off_price + 12 * i.recurring_price) * i.quantity
            for i in (order.items.all() if items is None else items)
            if i.intent in (ItemIntent.PROVIDE, ItemIntent.REPACKAGE)
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

    errors = completeness_errors(order)
    if errors and not reject_if_incomplete:
        raise OrderIncomplete(errors)
    if errors:
        return _reject(order, by, [str(e) for e in errors])

    refusal = _credit_refusal(order.customer, _order_value(order))
    if refusal:
        return _reject(order, by, [refusal])

    if order.revision_of_id:
        _supersede(order, by)

    _publish_placed(order, OrderState.ACKNOWLEDGED)
    lifecycle.move(order, "acknowledge", by=by, note="Complete and valid.")
    lifecycle.move_items(order, "acknowledge")
    reasons = special_handling_reasons(order)
    assessment = _feasibility_on_record(order) if reasons else None
    if not reasons:
        lifecycle.move(order, "issue", by=by, note="Standard order: issued at once.")
        _start_fulfilment(order)
        return SubmissionOutcome(order, issued=True)
    if assessment is not None:
        lifecycle.move(
            order,
            "issue",
            by=by,
            note=f"Feasibility assessment of {assessment.assessed_at:%Y-%m-%d} on record: issued.",
        )
        _start_fulfilment(order)
        return SubmissionOutcome(order, issued=True)
    reasons.append("No positive feasibility assessment on record.")
    lifecycle.move(order, "hold_for_special_handling", by=by, note="Marked for special handling.", args=(reasons,))
    lifecycle.move_items(order, "hold")
    return SubmissionOutcome(order, held_reasons=reasons)


def _start_fulfilment(order: Order) -> None:
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


def _credit_refusal(customer: Customer, value: Decimal) -> str:
    """Issuing rule 2: ask the credit bureau when the value or the customer calls for it; why not, or ""."""
    if not needs_credit_check(customer, value):
        return ""
    decision = credit_bureau().check(customer, value)
    Customer.objects.filter(pk=customer.pk).update(credit_class=decision.credit_class, credit_checked_at=timezone.now())
    return "" if decision.approved else decision.reason


def _outcome_of(order: Order) -> SubmissionOutcome:
    return SubmissionOutcome(
        order,
        issued=order.issued_at is not None,
        held_reasons=list(order.special_handling_reasons) if order.needs_special_handling else [],
        rejected_reasons=list(order.rejection_reasons),
    )


# --- placing a whole order at once ---------------------------------------------------------------


@dataclass
class ItemRequest:
    """One item of an order that arrives whole (place_order); `relies_on` names other items by item_id."""

    item_id: str
    offering: ProductOffering | None
    intent: str = ItemIntent.PROVIDE
    requested_offering: str = ""
    characteristics: dict = field(default_factory=dict)
    quantity: int = 1
    install_address: Address | None = None
    product: InstalledProduct | None = None
    new_owner: Customer | None = None
    relies_on: list[str] = field(default_factory=list)


@transaction.atomic(savepoint=False)
def place_order(
    *,
    customer: Customer,
    by: User,
    items: list[ItemRequest],
    initiating_request: InitiatingRequest,
    channel: str | None = None,
    created_by_client=None,
    notes: list[str] = (),
    refusals: list[FieldError] = (),
    keep_error=None,
    **fields,
) -> SubmissionOutcome:
    """Capture and submit an order that arrives whole, as the API sends it, in one transaction.

    The rules are those of create_draft_order, add_item and submit_order(reject_if_incomplete=True),
    but the rows are built and moved through their transitions in memory and written in bulk, so
    the number of statements does not grow with the number of items. `refusals` are problems the
    channel found itself (a party or offering it does not know): the order is kept and rejected with
    them, and completeness errors about the same items are left out; `keep_error` may drop other
    errors that make no sense to the channel. Notes are customer-visible. Idempotency is the
    caller's: a unique key of its own written in this transaction.
    """
    if not lifecycle.may_act_for(by, customer):
        raise PermissionDenied
    unknown = set(fields) - ORDER_FIELDS
    if unknown:
        raise TypeError(f"Unknown order fields: {', '.join(sorted(unknown))}")
    if initiating_request.pk is None:
        initiating_request.customer, initiating_request.recorded_by = customer, by
        initiating_request.clean_fields(exclude=["customer", "recorded_by"])
        initiating_request.save()
    order = Order(
        customer=customer,
        channel=channel or lifecycle.channel_of(by),
        captured_by=by,
        created_by_client=created_by_client,
        initiating_request=initiating_request,
        **fields,
    )
    lines = [_order_item(order, request) for request in items]

    reasons = [str(refusal) for refusal in refusals]
    refused_items = {str(r).split(".", 1)[0] for r in refusals if str(r).startswith("items[")}
    for error in completeness_errors(order, lines):
        if str(error).split(".", 1)[0] not in refused_items and (keep_error is None or keep_error(error)):
            reasons.append(str(error))
    if not reasons:
        refusal = _credit_refusal(customer, _order_value(order, lines))
        reasons += [refusal] if refusal else []
    reasons = list(dict.fromkeys(reasons))

    plans = {}
    if reasons:
        history = [lifecycle.apply(order, "reject", by=by, note="; ".join(reasons), args=(reasons,))]
        _move_lines(lines, "reject")
        outcome = SubmissionOutcome(order, rejected_reasons=reasons)
    else:
        history = [lifecycle.apply(order, "acknowledge", by=by, note="Complete and valid.")]
        _move_lines(lines, "acknowledge")
        held = special_handling_reasons(order, lines)
        if held:  # a new order has no feasibility assessment yet
            held.append("No positive feasibility assessment on record.")
            history.append(
                lifecycle.apply(
                    order, "hold_for_special_handling", by=by, note="Marked for special handling.", args=(held,)
                )
            )
            _move_lines(lines, "hold")
            outcome = SubmissionOutcome(order, held_reasons=held)
        else:
            history.append(lifecycle.apply(order, "issue", by=by, note="Standard order: issued at once."))
            _move_lines(lines, "start")
            plans = orchestration.plan_items(lines)
            order.expected_completion_date = orchestration.expected_completion_date(plans)
            outcome = SubmissionOutcome(order, issued=True)

    order.save()
    OrderItem.objects.bulk_create(lines)
    relies = {request.item_id: request.relies_on for request in items if request.relies_on}
    by_id = {line.item_id: line for line in lines}
    if relies:
        Link = OrderItem.relies_on.through
        Link.objects.bulk_create(
            Link(from_orderitem=by_id[item_id], to_orderitem=by_id[other])
            for item_id, others in relies.items()
            for other in others
            if other in by_id
        )
    _remember_related(order, "items", lines)
    for line in lines:
        _remember_related(line, "relies_on", [by_id[other] for other in relies.get(line.item_id, []) if other in by_id])
    OrderEvent.objects.bulk_create(history)
    created = OutboxEvent(
        order=order, event_type=OutboxEvent.Type.CREATE, payload=lifecycle.event_body(order, state=history[0].to_state)
    )
    events = [created] + [
        OutboxEvent(
            order=order,
            event_type=OutboxEvent.Type.STATE_CHANGE,
            payload=lifecycle.event_body(
                order, state=event.to_state, previousState=event.from_state, reason=event.note
            ),
        )
        for event in history
    ]
    if outcome.issued:
        tasks = orchestration.create_tasks(order, lines, plans, relies, dispatch=True)
        orchestration.create_pending_products(order, lines)
        events += filter(None, [orchestration.started_milestone(order, tasks)])
    lifecycle.publish_all(events)
    written = [OrderNote(order=order, author=by, text=text, customer_visible=True) for text in notes]
    written += [
        OrderNote(order=order, author=None, text=f"Rejected: {reason}", customer_visible=True)
        for reason in outcome.rejected_reasons
    ]
    order.visible_notes = OrderNote.objects.bulk_create(written) if written else []
    return outcome


def _order_item(order: Order, request: ItemRequest) -> OrderItem:
    offering = request.offering
    return OrderItem(
        order=order,
        item_id=request.item_id,
        action=ACTION_FOR_INTENT[request.intent],
        intent=request.intent,
        offering=offering,
        requested_offering="" if offering else request.requested_offering[:100],
        characteristics=request.characteristics,
        quantity=request.quantity,
        install_address=request.install_address,
        product=request.product,
        new_owner=request.new_owner,
        one_off_price=offering.one_off_price if offering else Decimal("0"),
        recurring_price=offering.recurring_price if offering else Decimal("0"),
        is_bespoke=offering.is_bespoke if offering else False,
    )


def _remember_related(instance, name: str, objects: list) -> None:
    """Fill a to-many relation's prefetch cache with rows just written, so reading them back costs no query."""
    queryset = getattr(instance, name).all()
    queryset._result_cache, queryset._prefetch_done = list(objects), True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset


def _move_lines(items: list[OrderItem], transition_name: str) -> None:
    """Move items along with their order, in memory (those the transition allows)."""
    for item in items:
        bound = getattr(item, transition_name)
        if bound._django_fsm.has_transition(item.state):
            bound()


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
    _start_fulfilment(order)
    return order


@transaction.atomic
def refuse_special_handling(order: Order, *, by: User, reason: str) -> Order:
    """End a held order whose special requirements cannot be met, saying why."""
    if not reason.strip():
        raise ActionRefused("Give the reason for refusing the order.")
    order = lifecycle.lock(order)
    lifecycle.move(order, "refuse", by=by, note=reason)
    lifecycle.move_items(order, "cancel")
    OrderNote.objects.create(order=order, author=by, text=f"Refused: {reason}", customer_visible=True)
    return order


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


# --- cancellation --------------------------------------------------------------------------------


@transaction.atomic
def request_cancellation(order: Order, *, by: User, reason: str) -> CancellationRequest:
    """Cancel an order in flight, or refuse with the reason once an item passed its point of no return."""
    if not reason.strip():
        raise ActionRefused("Give a reason for the cancellation.")
    order = lifecycle.lock(order)
    if order.state not in IN_FLIGHT_STATES:
        raise ActionRefused(f"{order.number} is {order.get_state_display().lower()}; it cannot be cancelled now.")
    cancellation = CancellationRequest.objects.create(
        order=order, reason=reason.strip(), requested_by=by, channel=lifecycle.channel_of(by)
    )
    lifecycle.publish(order, OutboxEvent.Type.CANCEL_CREATE, cancellationReason=cancellation.reason)
    item_states = {item.pk: item.state for item in order.items.all()}
    lifecycle.move(order, "assess_cancellation", by=by, note=f"Cancellation requested: {cancellation.reason}")
    lifecycle.move_items(order, "assess_cancellation")

    refusal = _past_point_of_no_return(order, "cancel")
    if refusal:
        lifecycle.move(order, "refuse_cancellation", by=by, note=refusal)
        for item in order.items.all():
            if item.state == ItemState.ASSESSING_CANCELLATION:
                item.refuse_cancellation(item_states[item.pk])
                item.save()
        _decide(cancellation, CancellationRequest.State.REJECTED, refusal)
        return cancellation
    lifecycle.move(order, "accept_cancellation", by=by, note="No item has passed its point of no return.")
    lifecycle.move_items(order, "accept_cancellation")
    orchestration.stop_fulfilment(order)
    lifecycle.move(order, "cancel", by=by, note="Outstanding work stopped.")
    lifecycle.move_items(order, "cancel")
    _decide(cancellation, CancellationRequest.State.DONE)
    return cancellation


def _decide(cancellation: CancellationRequest, state: str, refusal: str = "") -> None:
    cancellation.state, cancellation.refusal_reason, cancellation.decided_at = state, refusal, timezone.now()
    cancellation.save()
    lifecycle.publish(
        cancellation.order, OutboxEvent.Type.CANCEL_STATE_CHANGE, cancellationState=state, refusalReason=refusal
    )


# --- amendment -----------------------------------------------------------------------------------

COPIED_ORDER_FIELDS = [
    "customer",
    "channel",
    "category",
    "priority",
    "description",
    "external_id",
    "initiating_request",
    "requested_start_date",
    "requested_completion_date",
    "special_requirements",
    "appointment_preference",
]


@transaction.atomic
def start_amendment(order: Order, *, by: User) -> Order:
    """Open a draft revision of an order in flight; submitting it supersedes the original."""
    lifecycle.require_perm(by, "amend_order")
    order = lifecycle.lock(order)
    if order.state not in IN_FLIGHT_STATES:
        raise ActionRefused(
            f"{order.number} is {order.get_state_display().lower()}; only orders in flight can be amended."
        )
    existing = order.revisions.filter(state=OrderState.DRAFT).first()
    if existing is not None:
        return existing
    _refuse_if_past_point_of_no_return(order, "amend")
    revision = Order.objects.create(
        **{name: getattr(order, name) for name in COPIED_ORDER_FIELDS},
        revision=order.revision + 1,
        revision_of=order,
        captured_by=by,
    )
    copies = {}
    for item in order.items.all():
        relies_on = list(item.relies_on.all())
        copies[item.pk] = OrderItem.objects.create(
            order=revision,
            item_id=item.item_id,
            action=item.action,
            intent=item.intent,
            offering=item.offering,
            product=item.product,
            new_owner=item.new_owner,
            characteristics=item.characteristics,
            quantity=item.quantity,
            install_address=item.install_address,
            is_bespoke=item.is_bespoke,
            one_off_price=item.one_off_price,
            recurring_price=item.recurring_price,
        )
        copies[item.pk]._relies_on_originals = relies_on
    for copy in copies.values():
        copy.relies_on.set([copies[o.pk] for o in copy._relies_on_originals if o.pk in copies])
    return revision


def _refuse_if_past_point_of_no_return(order: Order, verb: str) -> None:
    refusal = _past_point_of_no_return(order, f"{verb} {order.number}")
    if refusal:
        raise ActionRefused(refusal)


def _past_point_of_no_return(order: Order, what: str) -> str:
    """Why `what` is too late for this order, or "" while no item has passed its point of no return."""
    too_late = [i for i in order.items.all() if i.past_point_of_no_return]
    if not too_late:
        return ""
    names = ", ".join(f"item {i.item_id} ({i.offering.name})" for i in too_late)
    return f"Too late to {what}: {names} passed the point of no return."


def _supersede(revision: Order, by: User) -> None:
    original = lifecycle.lock(revision.revision_of)
    if original.state not in IN_FLIGHT_STATES:
        raise ActionRefused(
            f"{original.number} is {original.get_state_display().lower()}; this revision can no longer replace it."
        )
    _refuse_if_past_point_of_no_return(original, "amend")
    lifecycle.move(
        original, "supersede", by=by, note=f"Superseded by revision {revision.revision} ({revision.number})."
    )
    lifecycle.move_items(original, "cancel")
    orchestration.stop_fulfilment(original)
    original.superseded_by = revision
    original.save(update_fields=["superseded_by"])


@dataclass(frozen=True)
class Difference:
    field: str
    before: object
    after: object


def revision_differences(before: Order, after: Order) -> list[Difference]:
    """What a revision changed, field by field (order fields, then items by their id)."""
    diffs = [
        Difference(name, getattr(before, name), getattr(after, name))
        for name in COPIED_ORDER_FIELDS
        if getattr(before, name) != getattr(after, name)
    ]
    old_items = {i.item_id: i for i in before.items.all()}
    new_items = {i.item_id: i for i in after.items.all()}
    for item_id in sorted(old_items.keys() | new_items.keys(), key=lambda k: (len(k), k)):
        old, new = old_items.get(item_id), new_items.get(item_id)
        label = f"items[{item_id}]"
        if old is None or new is None:
            diffs.append(Difference(label, str(old) if old else None, str(new) if new else None))
            continue
        for name in ("intent", "offering", "quantity", "install_address", "new_owner"):
            if getattr(old, name) != getattr(new, name):
                diffs.append(Difference(f"{label}.{name}", getattr(old, name), getattr(new, name)))
        old_flat, new_flat = _flatten(old.characteristics), _flatten(new.characteristics)
        for path in sorted(old_flat.keys() | new_flat.keys()):
            if old_flat.get(path) != new_flat.get(path):
                diffs.append(Difference(f"{label}.characteristics.{path}", old_flat.get(path), new_flat.get(path)))
    return diffs


def _flatten(value, prefix: str = "") -> dict[str, object]:
    if isinstance(value, dict):
        flat = {}
        for key, inner in value.items():
            flat.update(_flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(value, list) and any(isinstance(v, dict) for v in value):
        flat = {}
        for index, inner in enumerate(value):
            flat.update(_flatten(inner, f"{prefix}[{index}]"))
        return flat
    return {prefix: value}


# --- change orders from the installed base -------------------------------------------------------

ALLOWED_FROM = {
    ItemIntent.CHANGE: {ProductStatus.ACTIVE},
    ItemIntent.SUSPEND: {ProductStatus.ACTIVE},
    ItemIntent.RESUME: {ProductStatus.SUSPENDED},
    ItemIntent.CHANGE_OWNERSHIP: {ProductStatus.ACTIVE, ProductStatus.SUSPENDED},
    ItemIntent.REPACKAGE: {ProductStatus.ACTIVE},
    ItemIntent.DISCONTINUE: {ProductStatus.ACTIVE, ProductStatus.SUSPENDED},
}


def _check_change_makes_sense(
    product: InstalledProduct | None,
    intent: str,
    *,
    customer: Customer,
    new_owner: Customer | None = None,
    new_offering: ProductOffering | None = None,
    ignore_order: Order | None = None,
) -> None:
    if product is None:
        raise ActionRefused("Choose the product to change.")
    if product.customer_id != customer.pk:
        raise ActionRefused("That product belongs to another customer.")
    allowed = ALLOWED_FROM[intent]
    if product.status not in allowed:
        wanted = " or ".join(ProductStatus(s).label.lower() for s in sorted(allowed))
        raise ActionRefused(
            f"Cannot {ItemIntent(intent).label.lower()} {product.name}: it is "
            f"{product.get_status_display().lower()}, and must be {wanted}."
        )
    if intent == ItemIntent.CHANGE_OWNERSHIP:
        if new_owner is None:
            raise ActionRefused("Choose the customer who takes the product over.")
        if new_owner.pk == customer.pk:
            raise ActionRefused("The product already belongs to this customer.")
    if intent == ItemIntent.REPACKAGE and (new_offering is None or new_offering.pk == product.offering_id):
        raise ActionRefused("Choose a different offering to repackage into.")
    open_items = OrderItem.objects.filter(product=product).exclude(
        order__state__in=[
            OrderState.REJECTED,
            OrderState.CANCELLED,
            OrderState.COMPLETED,
            OrderState.PARTIAL,
            OrderState.FAILED,
        ]
    )
    if ignore_order is not None and ignore_order.pk is not None:
        open_items = open_items.exclude(order=ignore_order)
    busy = open_items.select_related("order").first()
    if busy is not None:
        raise ActionRefused(f"{product.name} already has an open order: {busy.order.number}.")


@transaction.atomic
def create_change_order(
    product: InstalledProduct,
    *,
    intent: str,
    by: User,
    reason: str = "",
    characteristics: dict | None = None,
    new_owner: Customer | None = None,
    new_offering: ProductOffering | None = None,
) -> Order:
    """A draft order that changes, suspends, resumes, transfers, repackages or ends an installed product."""
    if intent in (ItemIntent.PROVIDE, ItemIntent.CONTEXT):
        raise ActionRefused("Use a new order to provide products.")
    customer = product.customer
    if not lifecycle.may_act_for(by, customer):
        raise PermissionDenied
    _check_change_makes_sense(product, intent, customer=customer, new_owner=new_owner, new_offering=new_offering)
    offering = new_offering if intent == ItemIntent.REPACKAGE else product.offering
    if characteristics is None:
        characteristics = {} if intent == ItemIntent.REPACKAGE else dict(product.characteristics)
    initiating = record_initiating_request(
        customer=customer,
        by=by,
        kind=InitiatingRequest.Kind.CUSTOMER_REQUEST,
        details=reason or f"{ItemIntent(intent).label}: {product.name}",
    )
    order = create_draft_order(
        customer=customer,
        by=by,
        initiating_request=initiating,
        description=f"{ItemIntent(intent).label}: {product.name}",
    )
    add_item(
        order,
        by=by,
        offering=offering,
        intent=intent,
        characteristics=characteristics,
        product=product,
        new_owner=new_owner,
        install_address=product.install_address,
    )
    return order
