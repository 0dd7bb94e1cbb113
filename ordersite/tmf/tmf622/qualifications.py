"""The TMF679 qualification an order item says it was ordered on (productOfferingQualificationItem, qualification).

A reference is checked, not trusted: the qualification must be one this client asked for, about
the order's customer, with the item named (or, naming only the qualification, an item for the
offering ordered), and that item must be about the offering ordered. A reference that fails is one
more reason the order is rejected; one that holds is kept on the item and shown back.
The qualification's answer is not taken as the decision: the order is judged again on today's facts.
"""

from __future__ import annotations

from dataclasses import dataclass

from customers.models import Customer
from orders.models import ApiClient, OfferingQualification
from orders.requirements import FieldError


@dataclass(frozen=True)
class Reference:
    qualification_id: str
    item_id: str  # "" when only the qualification is named


def reference_in(item: dict) -> Reference | None:
    """What the item refers to: its productOfferingQualificationItem, else its first qualification."""
    named = item.get("productOfferingQualificationItem")
    if named:
        return Reference(named["productOfferingQualificationId"].strip(), named["id"].strip())
    whole = item.get("qualification") or []
    return Reference(whole[0]["id"].strip(), "") if whole else None


def qualifications_named(client: ApiClient, items: list[dict]) -> dict[str, OfferingQualification]:
    """The client's own qualifications the items name, by id, in one query (none when no item names one)."""
    ids = {ref.qualification_id for ref in map(reference_in, items) if ref}
    keys = [int(i) for i in ids if i.isdigit() and len(i) < 19]
    if not keys:
        return {}
    return {str(q.pk): q for q in OfferingQualification.objects.filter(client=client, pk__in=keys)}


def check_reference(
    reference: Reference, known: dict[str, OfferingQualification], customer: Customer | None, offering_code: str
) -> tuple[OfferingQualification | None, str, FieldError | None]:
    """The qualification and item id to keep on the order item, or the problem with the reference."""
    qualification, item_id = known.get(reference.qualification_id), reference.item_id
    if qualification is None:
        return _refused(f"{reference.qualification_id!r} is not a qualification this client asked for")
    if customer is not None and qualification.customer_id != customer.pk:
        return _refused(f"productOfferingQualification {qualification.pk} is about another party")
    if item_id:
        answer = next((a for a in qualification.items if a["id"] == item_id), None)
        if answer is None:
            return _refused(f"productOfferingQualification {qualification.pk} has no item {item_id!r}")
    else:
        answer = next((a for a in qualification.items if _covers(a, offering_code)), None)
        if answer is None:
            return _refused(f"productOfferingQualification {qualification.pk} has none for {offering_code!r}")
    if offering_code and not _covers(answer, offering_code):
        return _refused(f"qualification item {answer['id']!r} is not about {offering_code!r}")
    return qualification, answer["id"], None


def _covers(answer: dict, offering_code: str) -> bool:
    """Whether a qualification item is about this offering: named by it, or proposed for it."""
    offerings = [answer.get("productOffering", {}).get("id")]
    offerings += [p["productOffering"]["id"] for p in answer.get("alternateProductOfferingProposal", [])]
    return offering_code in offerings


def _refused(message: str) -> tuple[None, str, FieldError]:
    return None, "", FieldError("qualification", message)
