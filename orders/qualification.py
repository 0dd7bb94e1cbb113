"""Qualification: can this customer have this offering at this place, and if not, why not.

One rule for every door. The console's products step, self-service's "order something", the
submission's completeness check and, later, the TMF679 (Product Offering Qualification) API all ask
this module, so an agent learns before configuring anything what the order would be refused for at
submission. Each answer is plain data (a code and a sentence per reason, technology codes, offering
codes) so an API can serialise it as it is; channels may reword a reason from its code.

The rules, from the catalog and the facts on record:
- the offering is on sale (launched);
- it is sold to this kind of customer (`customer_kinds`; empty: everyone);
- the place is served by one of the technologies that deliver it (`serviceable_technologies`), read
  from the address's reference data; an address that did not match the reference data can't be judged;
- an add-on: the customer holds or is ordering one of the products it `requires`.
With no place given (none chosen yet), the technology rule is left for when one is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import prefetch_related_objects

from customers.models import Address, Customer, CustomerKind, InstalledProduct, ProductStatus, Technology
from orders.models import LifecycleStatus, ProductOffering

# What the customer "holds" for an add-on's prerequisite: a product that is live or on its way.
HELD_STATUSES = (ProductStatus.ACTIVE, ProductStatus.SUSPENDED, ProductStatus.PENDING_ACTIVE)

NOT_ON_SALE = "not_on_sale"
CUSTOMER_KIND = "customer_kind"
ADDRESS_NOT_VALIDATED = "address_not_validated"
NOT_SERVICEABLE = "not_serviceable"
MISSING_PREREQUISITE = "missing_prerequisite"

# The rules about the place: a channel shows these against the address, the others against the offering.
PLACE_CODES = frozenset({ADDRESS_NOT_VALIDATED, NOT_SERVICEABLE})

KIND_PLURALS = {CustomerKind.INDIVIDUAL: "individuals", CustomerKind.ORGANISATION: "organisations"}


@dataclass(frozen=True)
class Reason:
    """Why an offering can't be had: a stable code for machines and a plain sentence for people."""

    code: str
    message: str

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class Qualification:
    """The answer for one offering: eligible or not and why, what serves the place, what is missing."""

    offering: ProductOffering
    reasons: tuple[Reason, ...] = ()
    technologies: frozenset[str] = frozenset()  # serving the place; empty with no place or an unmatched one
    missing_prerequisites: tuple[ProductOffering, ...] = ()  # any one of them would do

    @property
    def eligible(self) -> bool:
        return not self.reasons

    @property
    def reason_codes(self) -> set[str]:
        return {reason.code for reason in self.reasons}

    @property
    def explanation(self) -> str:
        return " ".join(reason.message for reason in self.reasons)

    def as_dict(self) -> dict:
        return {
            "offering": self.offering.code,
            "eligible": self.eligible,
            "reasons": [reason.as_dict() for reason in self.reasons],
            "technologies": sorted(self.technologies),
            "missingPrerequisites": [offering.code for offering in self.missing_prerequisites],
        }


def held_prerequisites(customer: Customer, offerings: Iterable[ProductOffering]) -> set[int]:
    """Which of these add-ons' prerequisites the customer holds (live or on their way).

    One query, and only when an add-on is among them; it reads the prerequisites, never the whole
    installed base, so its cost does not grow with a business customer's thousands of lines.
    """
    needed = {required.pk for offering in offerings if offering.is_addon for required in offering.requires.all()}
    if not needed:
        return set()
    # No ordering: the products' default one would join the customer and widen the DISTINCT.
    held = customer.products.filter(status__in=HELD_STATUSES, offering_id__in=needed).order_by()
    return set(held.values_list("offering_id", flat=True).distinct())


def technology_names(codes: Iterable[str], conjunction: str = "or") -> str:
    """The technologies' names in a sentence: "Fibre (FTTP) or VDSL (copper)"."""
    labels = [str(Technology(code).label) if code in Technology.values else code for code in sorted(codes)]
    if len(labels) < 2:
        return "".join(labels)
    return f"{', '.join(labels[:-1])} {conjunction} {labels[-1]}"


def _place_reasons(offering: ProductOffering, place: Address | None) -> list[Reason]:
    if place is None or not offering.requires_install_address or not offering.serviceable_technologies:
        return []
    if not place.is_validated:
        return [
            Reason(
                ADDRESS_NOT_VALIDATED,
                f"{offering.name} can't be checked at {place}: the address did not match the reference data.",
            )
        ]
    if offering.is_serviceable_with(place.technologies):
        return []
    served = technology_names(place.technologies, "and") or "nothing we sell"
    return [
        Reason(
            NOT_SERVICEABLE,
            f"{offering.name} is not available at {place}: it needs "
            f"{technology_names(offering.serviceable_technologies)}, and the address is served by {served}.",
        )
    ]


def qualify(
    offering: ProductOffering,
    customer: Customer,
    place: Address | None = None,
    *,
    ordering: Iterable[int] = (),
    held: set[int] | None = None,
) -> Qualification:
    """Whether `customer` can have `offering` at `place`, and why not.

    `ordering`: ids of the offerings being ordered alongside it (they satisfy a prerequisite).
    `held`: held_prerequisites(customer, offerings), when the caller asks for several offerings.
    """
    reasons: list[Reason] = []
    if offering.lifecycle_status != LifecycleStatus.LAUNCHED:
        reasons.append(Reason(NOT_ON_SALE, f"{offering.name} is not on sale."))
    if not offering.is_sold_to(customer.kind):
        kinds = " and ".join(KIND_PLURALS.get(kind, kind) for kind in offering.customer_kinds)
        reasons.append(Reason(CUSTOMER_KIND, f"{offering.name} is sold to {kinds} only."))
    reasons.extend(_place_reasons(offering, place))
    missing: tuple[ProductOffering, ...] = ()
    required = list(offering.requires.all()) if offering.is_addon else []
    if required:
        held = held_prerequisites(customer, [offering]) if held is None else held
        satisfied_by = held | set(ordering)
        if not any(r.pk in satisfied_by for r in required):
            missing = tuple(required)
            names = " or ".join(r.name for r in required)
            reasons.append(
                Reason(
                    MISSING_PREREQUISITE, f"{offering.name} needs {names}: the customer has none and none is ordered."
                )
            )
    technologies = frozenset(place.technologies) if place is not None else frozenset()
    return Qualification(offering, tuple(reasons), technologies, missing)


def qualify_all(
    offerings: Iterable[ProductOffering],
    customer: Customer,
    place: Address | None = None,
    *,
    ordering: Iterable[int] = (),
    holdings: Iterable[InstalledProduct] | None = None,
) -> list[Qualification]:
    """qualify() for each offering, in the order given, in a constant number of queries.

    At most: the offerings (if a queryset), their prerequisites, the customer's holdings and the
    place's reference data, whatever the size of the catalog. `holdings`: the customer's products
    (all but terminated and cancelled ones), when the caller has them loaded already.
    """
    offerings = list(offerings)
    prefetch_related_objects(offerings, "requires")
    if holdings is None:
        held = held_prerequisites(customer, offerings)
    else:
        held = {product.offering_id for product in holdings if product.status in HELD_STATUSES}
    if place is not None and place.reference_street_id:
        place.technologies  # noqa: B018 (reads the reference data once, not once per offering)
    ordering = set(ordering)
    return [qualify(offering, customer, place, ordering=ordering, held=held) for offering in offerings]
