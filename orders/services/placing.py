"""Orders that arrive whole (the API): captured, checked and submitted in one transaction, written in bulk."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model

from customers.models import Address, Customer, InstalledProduct, User
from orders import lifecycle, numbers, outbox
from orders.fulfilment import orchestration
from orders.models import (
    ACTION_FOR_INTENT,
    InitiatingRequest,
    ItemIntent,
    OfferingQualification,
    Order,
    OrderItem,
    OrderNote,
    OutboxEvent,
    ProductOffering,
)
from orders.pricing import configured_prices
from orders.requirements import FieldError
from orders.rows import Rows
from orders.services.drafts import ORDER_FIELDS
from orders.services.outcomes import SubmissionOutcome
from orders.services.submission import completeness_errors, issuing_verdict

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
    qualification: OfferingQualification | None = None  # the TMF679 answer the client ordered on
    qualification_item_id: str = ""


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
    recorded_with: list[Model] = (),
    **fields,
) -> SubmissionOutcome:
    """Capture and submit an order that arrives whole, as the API sends it, in one transaction.

    The rules are those of create_draft_order, add_item and submit_order(reject_if_incomplete=True),
    but the rows are built and moved through their transitions in memory and written in bulk, so
    the number of statements does not grow with the number of items. `refusals` are problems the
    channel found itself (a party or offering it does not know): the order is kept and rejected with
    them, and completeness errors about the same items are left out; `keep_error` may drop other
    errors that make no sense to the channel. Notes are customer-visible. Idempotency is the
    caller's: a unique key of its own written in this transaction, with `recorded_with` (rows of the
    caller's about the order, written with it: their `order` is set).
    """
    if not lifecycle.may_act_for(by, customer):
        raise PermissionDenied
    unknown = set(fields) - ORDER_FIELDS
    if unknown:
        raise TypeError(f"Unknown order fields: {', '.join(sorted(unknown))}")
    if initiating_request.pk is None:
        initiating_request.customer, initiating_request.recorded_by = customer, by
        initiating_request.clean_fields(exclude=["customer", "recorded_by"])
    order = Order(
        customer=customer,
        channel=channel or lifecycle.channel_of(by),
        captured_by=by,
        created_by_client=created_by_client,
        initiating_request=initiating_request,
        **fields,
    )
    lines = [_order_item(order, request) for request in items]

    problems = [str(refusal) for refusal in refusals]
    refused_items = {str(r).split(".", 1)[0] for r in refusals if str(r).startswith("items[")}
    for error in completeness_errors(order, lines):
        if str(error).split(".", 1)[0] not in refused_items and (keep_error is None or keep_error(error)):
            problems.append(str(error))
    problems += [str(error) for error in numbers.numbers_not_to_be_had(lines)]
    verdict = issuing_verdict(order, lines, problems=problems)

    plans = {}
    if verdict.transition == "reject":
        history = [lifecycle.apply(order, "reject", by=by, note=verdict.note, args=(verdict.reasons,))]
        _move_lines(lines, "reject")
        outcome = SubmissionOutcome(order, rejected_reasons=verdict.reasons)
    else:
        history = [lifecycle.apply(order, "acknowledge", by=by, note="Complete and valid.")]
        _move_lines(lines, "acknowledge")
        if verdict.transition == "issue":
            history.append(lifecycle.apply(order, "issue", by=by, note=verdict.note))
            _move_lines(lines, "start")
            plans = orchestration.plan_items(lines)
            order.expected_completion_date = orchestration.expected_completion_date(plans)
            outcome = SubmissionOutcome(order, issued=True)
        else:
            history.append(
                lifecycle.apply(order, verdict.transition, by=by, note=verdict.note, args=(verdict.reasons,))
            )
            _move_lines(lines, "hold")
            outcome = SubmissionOutcome(order, held_reasons=verdict.reasons)

    # Every row is built in memory and written at once (orders.rows): on PostgreSQL two round trips.
    rows = Rows()
    if initiating_request.pk is None:
        rows.add(initiating_request, as_saved=True)
    rows.add(order, as_saved=True)
    rows.add(lines)
    tasks, task_links = [], []
    if outcome.issued:
        tasks, task_links = orchestration.build_tasks(order, lines, plans, relies_on(items), dispatch=True)
        rows.add(tasks)
        rows.add(orchestration.pending_products(order, lines))
    written = [OrderNote(order=order, author=by, text=text, customer_visible=True) for text in notes]
    written += [
        OrderNote(order=order, author=None, text=f"Rejected: {reason}", customer_visible=True)
        for reason in outcome.rejected_reasons
    ]
    rows.add(written)
    for row in recorded_with:
        row.order = order
        rows.add(row)
    rows.give_ids()  # the order's number is in its events
    order.visible_notes = written

    relies = relies_on(items)
    by_id = {line.item_id: line for line in lines}
    Link = OrderItem.relies_on.through
    rows.add(
        Link(from_orderitem=by_id[item_id], to_orderitem=by_id[other])
        for item_id, others in relies.items()
        for other in others
        if other in by_id
    )
    rows.add(task_links)
    rows.add(history)
    events = [
        OutboxEvent(
            order=order,
            event_type=OutboxEvent.Type.CREATE,
            payload=lifecycle.event_body(order, state=history[0].to_state),
        )
    ]
    events += [
        OutboxEvent(
            order=order,
            event_type=OutboxEvent.Type.STATE_CHANGE,
            payload=lifecycle.event_body(
                order, state=event.to_state, previousState=event.from_state, reason=event.note
            ),
        )
        for event in history
    ]
    events += filter(None, [orchestration.started_milestone(order, tasks)])
    rows.add(events)
    rows.write()
    outbox.nudge()
    if verdict.transition != "reject":
        numbers.hold_numbers_of(lines)
    _remember_related(order, "items", lines)
    for line in lines:
        _remember_related(line, "relies_on", [by_id[other] for other in relies.get(line.item_id, []) if other in by_id])
    return outcome


def relies_on(items: list[ItemRequest]) -> dict[str, list[str]]:
    return {request.item_id: request.relies_on for request in items if request.relies_on}


def _order_item(order: Order, request: ItemRequest) -> OrderItem:
    offering = request.offering
    prices = configured_prices(offering, request.characteristics)
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
        one_off_price=prices.one_off,
        recurring_price=prices.recurring,
        is_bespoke=offering.is_bespoke if offering else False,
        qualification=request.qualification,
        qualification_item_id=request.qualification_item_id,
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
