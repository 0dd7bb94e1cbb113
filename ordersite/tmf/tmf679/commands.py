"""TMF679 create: qualify the items on the qualification service and keep the answer.

The rules are orders.qualification's, the same the console and self-service apply: an API client
is told what an agent would be told. Only the API's own cases are handled here: a party the client
may not act for, an offering or a category we do not sell, alternatives and the client's flags.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from customers.models import Address, Customer
from orders.models import ApiClient, LifecycleStatus, OfferingCategory, OfferingQualification, ProductOffering
from orders.qualification import Qualification, Reason, qualify_all
from ordersite.tmf.tmf629.selectors import customer_for

CUSTOMER_ROLES = {"customer", "buyer", "orderer"}
Result = OfferingQualification.Result

UNKNOWN_PARTY = "unknown_party"
UNKNOWN_OFFERING = "unknown_offering"
UNKNOWN_CATEGORY = "unknown_category"
UNKNOWN_PLACE = "unknown_place"
NONE_IN_CATEGORY = "none_in_category"
NOTHING_NAMED = "nothing_named"


@dataclass
class _Asked:
    """What the request names, each kind read in one query."""

    customer: Customer | None
    place: Address | None
    offerings: dict[str, ProductOffering]
    answers: dict[int, Qualification] = field(default_factory=dict)
    problems: list[Reason] = field(default_factory=list)  # about the whole request (party, place)


def check_qualification(*, client: ApiClient, data: dict) -> OfferingQualification:
    """Qualify every item and store the qualification with its answers.

    Everything is read first; the one write is a single INSERT, so it needs no transaction of its own.
    """
    parties = data.get("relatedParty", [])
    party = _customer_party(parties)
    asked = _read(client, party, data)
    flags = {
        "provide_alternative": data.get("provideAlternative", False),
        "provide_only_available": data.get("provideOnlyAvailable", False),
        "provide_unavailability_reason": data.get("provideUnavailabilityReason", True),
    }
    items = [_answer(item, asked, **flags) for item in data["productOfferingQualificationItem"]]
    results = {item["qualificationItemResult"] for item in items}
    result = next(r for r in (Result.UNQUALIFIED, Result.ALTERNATE, Result.QUALIFIED) if r in results)
    channel = data.get("channel", {})
    return OfferingQualification.objects.create(
        client=client,
        customer=asked.customer,
        party_id=party["id"].strip() if party else "",
        party_role=party.get("role", "").strip() if party else "",
        related_party=[_party(p) for p in parties],
        channel_id=channel.get("id", "").strip(),
        channel=_plain(channel, ("id", "href", "name", "@referredType")),
        description=data.get("description", "").strip(),
        expected_qualification_date=data.get("expectedQualificationDate"),
        place=[_plain(p, ("id", "href", "name", "role", "@referredType")) for p in data.get("place", [])],
        items=items,
        result=result.value,
        **flags,
    )


def _customer_party(parties: list[dict]) -> dict | None:
    for party in parties:
        if party.get("role", "").strip().lower() in CUSTOMER_ROLES:
            return party
    return parties[0] if parties else None


def _party(party: dict) -> dict:
    """The party as sent, with the @referredType TMF679 v4 requires (Customer for a customer's role)."""
    role = party.get("role", "").strip().lower()
    return {
        "@referredType": "Customer" if role in CUSTOMER_ROLES else "Party",
        **_plain(party, ("id", "href", "name", "role", "@referredType")),
    }


def _plain(ref: dict, keys) -> dict:
    return {key: ref[key] for key in keys if ref.get(key)}


def _read(client: ApiClient, party: dict | None, data: dict) -> _Asked:
    customer = customer_for(client, party["id"]) if party else None
    items = data["productOfferingQualificationItem"]
    codes = {item["productOffering"]["id"].strip() for item in items if item.get("productOffering")}
    categories = {item["category"]["id"].strip().lower() for item in items if item.get("category")}
    wanted = Q(code__in=codes) | Q(category__in=categories, lifecycle_status=LifecycleStatus.LAUNCHED)
    if data.get("provideAlternative"):  # alternatives come from the named offerings' categories
        wanted |= Q(lifecycle_status=LifecycleStatus.LAUNCHED)
    offerings = list(
        ProductOffering.objects.exclude(lifecycle_status=LifecycleStatus.IN_DESIGN).filter(wanted).order_by("name")
    )
    asked = _Asked(customer, None, {offering.code: offering for offering in offerings})
    if party is None:
        asked.problems.append(Reason(UNKNOWN_PARTY, "Name the customer (a relatedParty with role customer)."))
    elif customer is None:
        asked.problems.append(Reason(UNKNOWN_PARTY, f"{party['id']!r} is not a customer this client may act for."))
        return asked
    else:
        asked.place, problem = _place(customer, data.get("place", []))
        if problem:
            asked.problems.append(problem)
    if customer is not None:
        ordering = {asked.offerings[code].pk for code in codes if code in asked.offerings}
        for answer in qualify_all(offerings, customer, asked.place, ordering=ordering):
            asked.answers[answer.offering.pk] = answer
    return asked


def _place(customer: Customer, places: list[dict]) -> tuple[Address | None, Reason | None]:
    """The address named (one of the customer's), else the installation address an order would get."""
    addresses = customer.addresses.select_related("reference_street__district")
    if places:
        place_id = places[0]["id"].strip()
        address = addresses.filter(pk=int(place_id)).first() if place_id.isdigit() and len(place_id) < 19 else None
        if address is None:
            return None, Reason(UNKNOWN_PLACE, f"{place_id!r} is not an address of this customer.")
        return address, None
    installation = (
        addresses.filter(purpose=Address.Purpose.INSTALLATION, reference_street__isnull=False)
        .order_by("-validated_at", "-pk")
        .first()
    )
    return installation, None


def _offering_ref(offering: ProductOffering | None, ref: dict) -> dict:
    if offering is None:
        return _plain(ref, ("id", "name"))
    return {
        "id": offering.code,
        "href": f"/tmf-api/productCatalogManagement/v4/productOffering/{offering.code}",
        "name": offering.name,
        "@referredType": "ProductOffering",
    }


def _reasons(reasons) -> list[dict]:
    return [{"code": reason.code, "label": reason.message} for reason in reasons]


def _answer(item: dict, asked: _Asked, *, provide_alternative, provide_only_available, provide_unavailability_reason):
    """One item's answer: its result, the reasons if asked for, proposals when there are any."""
    answer = {"id": item["id"], "action": item.get("action", "add")}
    if item.get("expectedActivationDate"):
        answer["expectedActivationDate"] = item["expectedActivationDate"].isoformat()
    reasons: list[Reason] = list(asked.problems)
    proposals: list[ProductOffering] = []
    offering_ref = item.get("productOffering")
    if offering_ref:
        code = offering_ref["id"].strip()
        offering = asked.offerings.get(code)
        answer["productOffering"] = _offering_ref(offering, offering_ref)
        if offering is None:
            reasons.append(Reason(UNKNOWN_OFFERING, f"{code!r} is not an offering we sell."))
        elif offering.pk in asked.answers:
            reasons.extend(asked.answers[offering.pk].reasons)
        if reasons and provide_alternative and offering is not None:
            proposals = _eligible(asked, offering.category, besides=offering.pk)
        result = Result.QUALIFIED if not reasons else Result.ALTERNATE if proposals else Result.UNQUALIFIED
    elif not item.get("category"):
        reasons.append(Reason(NOTHING_NAMED, "Name a productOffering or a category to qualify."))
        result = Result.UNQUALIFIED
    else:
        category = item["category"]
        answer["category"] = _plain(category, ("id", "name", "version"))
        key = category["id"].strip().lower()
        if key not in OfferingCategory.values:
            reasons.append(Reason(UNKNOWN_CATEGORY, f"{category['id']!r} is not a category we sell in."))
        elif not reasons:
            proposals = _eligible(asked, key)
            if not provide_only_available:
                reasons = [r for q in _in_category(asked, key) if not q.eligible for r in q.reasons]
            if not proposals and not reasons:
                reasons = [Reason(NONE_IN_CATEGORY, f"Nothing in {OfferingCategory(key).label} is on sale.")]
        result = Result.QUALIFIED if proposals else Result.UNQUALIFIED
    answer["state"] = "done"
    answer["qualificationItemResult"] = result.value
    answer["eligibilityUnavailabilityReason"] = _reasons(reasons) if provide_unavailability_reason else []
    if proposals:
        answer["alternateProductOfferingProposal"] = [
            {"id": str(index), "productOffering": _offering_ref(o, {})} for index, o in enumerate(proposals, 1)
        ]
    return answer


def _in_category(asked: _Asked, category: str) -> list[Qualification]:
    return [
        answer
        for answer in asked.answers.values()
        if answer.offering.category == category and answer.offering.lifecycle_status == LifecycleStatus.LAUNCHED
    ]


def _eligible(asked: _Asked, category: str, besides: int | None = None) -> list[ProductOffering]:
    return [q.offering for q in _in_category(asked, category) if q.eligible and q.offering.pk != besides]
