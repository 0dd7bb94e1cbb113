"""Amending an order: a revision that supersedes the original when it is submitted."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from customers.models import User
from orders import lifecycle
from orders.fulfilment import orchestration
from orders.models import (
    IN_FLIGHT_STATES,
    Order,
    OrderItem,
    OrderState,
)
from orders.services.outcomes import ActionRefused

# --- amendment -----------------------------------------------------------------------------------

# What a revision starts from: the order's and its items' captured details, not their progress.
# noqa below: field names read better a word each than a line each.
COPIED_ORDER_FIELDS = (  # noqa: SIM905
    "customer channel category priority description external_id initiating_request requested_start_date "
    "requested_completion_date special_requirements appointment_preference"
).split()
COPIED_ITEM_FIELDS = (  # noqa: SIM905
    "item_id action intent offering product new_owner characteristics quantity install_address is_bespoke "
    "one_off_price recurring_price"
).split()


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
            order=revision, **{field: getattr(item, field) for field in COPIED_ITEM_FIELDS}
        )
        copies[item.pk]._relies_on_originals = relies_on
    for copy in copies.values():
        copy.relies_on.set([copies[o.pk] for o in copy._relies_on_originals if o.pk in copies])
    return revision


def _refuse_if_past_point_of_no_return(order: Order, verb: str) -> None:
    refusal = past_point_of_no_return(order, f"{verb} {order.number}")
    if refusal:
        raise ActionRefused(refusal)


def past_point_of_no_return(order: Order, what: str) -> str:
    """Why `what` is too late for this order, or "" while no item has passed its point of no return.

    A delivered order waiting for the customer's sign-off is past it whatever its items say: replacing it
    would cancel work that is done, and an offering whose plan names no point of no return never gets there.
    """
    if order.awaiting_signoff:
        return f"Too late to {what}: it is delivered and waits for the customer's sign-off."
    too_late = [i for i in order.items.all() if i.past_point_of_no_return]
    if not too_late:
        return ""
    names = ", ".join(f"item {i.item_id} ({i.offering.name})" for i in too_late)
    return f"Too late to {what}: {names} passed the point of no return."


def supersede(revision: Order, by: User) -> None:
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
