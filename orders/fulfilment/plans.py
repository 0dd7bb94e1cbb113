"""Which fulfilment steps an item needs: its offering's plan to provide it, fixed plans for changes."""

from __future__ import annotations

from dataclasses import dataclass

from customers.models import Address
from orders.models import FulfilmentStep, ItemIntent, OrderItem
from orders.pricing import CHARGED_INTENTS

System = FulfilmentStep.System


@dataclass(frozen=True)
class Step:
    code: str
    name: str
    system: str
    is_point_of_no_return: bool = False
    depends_on: tuple[str, ...] = ()
    expected_duration_hours: int = 4
    waits_for_signoff: bool = False


# Changes to an installed product need the same few steps whatever the offering.
CHANGE_PLANS: dict[str, list[Step]] = {
    ItemIntent.CHANGE: [
        Step("reconfigure", "Reconfigure service", System.NETWORK, True),
        Step("update-billing", "Update billing", System.BILLING, False, ("reconfigure",), 1),
    ],
    ItemIntent.SUSPEND: [
        Step("suspend-service", "Suspend service", System.NETWORK, True),
        Step("pause-billing", "Pause billing", System.BILLING, False, ("suspend-service",), 1),
    ],
    ItemIntent.RESUME: [
        Step("resume-service", "Resume service", System.NETWORK, True),
        Step("resume-billing", "Resume billing", System.BILLING, False, ("resume-service",), 1),
    ],
    ItemIntent.CHANGE_OWNERSHIP: [
        Step("transfer-account", "Transfer billing account", System.BILLING, True, (), 24),
        Step("update-records", "Update service records", System.NETWORK, False, ("transfer-account",), 1),
    ],
    ItemIntent.DISCONTINUE: [
        Step("cease-service", "Cease service", System.NETWORK, True, (), 24),
        Step("stop-billing", "Stop billing", System.BILLING, False, ("cease-service",), 1),
        Step("collect-equipment", "Collect equipment", System.LOGISTICS, False, ("cease-service",), 72),
    ],
}

# Repackaging provides the new offering, then ceases the old product once the new one works.
CEASE_OLD = Step("cease-old-product", "Cease the replaced product", System.NETWORK, False, (), 1)


def plan_for(item: OrderItem) -> list[Step]:
    """The steps for one item, in order, with dependencies by step code.

    A step that does not apply to the item's configuration (`applies_when`) is left out, and what
    depended on it depends on what it depended on. Billing of an offering the customer signs off
    waits for the sign-off.
    """
    if item.intent in CHARGED_INTENTS:  # the items that provide an offering
        configured = list(item.offering.fulfilment_steps.all())
        skipped = {
            step.code: [dep.code for dep in step.depends_on.all()]
            for step in configured
            if not applies_to(step.applies_when, item.characteristics)
        }
        after_signoff = item.offering.requires_customer_signoff
        steps = [
            Step(
                step.code,
                step.name,
                step.system,
                step.is_point_of_no_return,
                _bypassing(skipped, [dep.code for dep in step.depends_on.all()]),
                step.expected_duration_hours,
                waits_for_signoff=after_signoff and step.system == System.BILLING,
            )
            for step in configured
            if step.code not in skipped
        ]
        if not steps:
            steps = [Step("activate", f"Activate {item.offering.name}", System.NETWORK, True)]
        if item.intent == ItemIntent.REPACKAGE:
            leaves = tuple(s.code for s in steps if not any(s.code in o.depends_on for o in steps))
            steps.append(Step(CEASE_OLD.code, CEASE_OLD.name, CEASE_OLD.system, False, leaves, 1))
        return steps
    return list(CHANGE_PLANS.get(item.intent, []))


def applies_to(condition: dict, characteristics: dict | None) -> bool:
    """Whether a step's `applies_when` holds for an item's characteristics (every value matches)."""
    characteristics = characteristics or {}
    return all(characteristics.get(name) == value for name, value in (condition or {}).items())


def _bypassing(skipped: dict[str, list[str]], depends_on: list[str], seen: frozenset[str] = frozenset()) -> tuple:
    """The dependencies, with each skipped step replaced by the steps it depended on."""
    kept: list[str] = []
    for code in depends_on:
        if code in skipped and code not in seen:
            inherited = _bypassing(skipped, skipped[code], seen | {code})
        elif code in skipped:
            inherited = ()
        else:
            inherited = (code,)
        kept += [c for c in inherited if c not in kept]
    return tuple(kept)


def critical_path_hours(steps_by_code: dict[str, Step], cross_waits: dict[str, float] | None = None) -> float:
    """Length of the longest chain of steps, in hours (what the expected completion rests on)."""
    finish: dict[str, float] = {}

    def finish_of(code: str) -> float:
        if code not in finish:
            step = steps_by_code[code]
            start = max((finish_of(dep) for dep in step.depends_on if dep in steps_by_code), default=0.0)
            finish[code] = start + (cross_waits or {}).get(code, 0.0) + step.expected_duration_hours
        return finish[code]

    return max((finish_of(code) for code in steps_by_code), default=0.0)


def ships_equipment(item: OrderItem) -> bool:
    """Whether fulfilling the item posts something to the customer (a SIM, a box) in its configuration."""
    return item.intent in CHARGED_INTENTS and any(
        step.system == System.LOGISTICS and applies_to(step.applies_when, item.characteristics)
        for step in item.offering.fulfilment_steps.all()
    )


# Where the post goes when the item is not installed anywhere: the first of these the customer has.
POSTING_PURPOSES = (Address.Purpose.POSTAL, Address.Purpose.INSTALLATION, Address.Purpose.BILLING)


def delivery_address(item: OrderItem, addresses: list[Address]) -> Address | None:
    """Where the item's equipment is posted: its install address, else the customer's postal address."""
    if item.install_address_id:
        return item.install_address
    for purpose in POSTING_PURPOSES:
        found = next((address for address in addresses if address.purpose == purpose), None)
        if found is not None:
            return found
    return None
