"""What the console says about where an order stands: the capture's outcome and the review panel.

The words come from the order's current state (not from what the submission answered at the time), and
the panel's tone from orders.states.STATE_TONE, so a message never contradicts the badge beside it: an
order the simulator completed in the same second reads "Completed", not "Issued".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from orders import states
from orders.models import Order, OrderState
from orders.services.submission import Verdict, held_reasons

# The state each issuing verdict moves a submitted order to (the review panel announces it).
VERDICT_STATES = {
    "issue": OrderState.IN_PROGRESS,
    "hold_for_special_handling": OrderState.HELD,
    "reject": OrderState.REJECTED,
}


@dataclass
class Outcome:
    title: str
    text: str = ""
    reasons: list[str] = field(default_factory=list)
    after: str = ""  # what the agent tells the customer
    icon: str = "check-circle-fill"
    tone: str = ""


def order_outcome(order: Order) -> Outcome:
    """The outcome of a submitted order, as it stands now."""
    state = order.state
    tone = states.tone(state)
    replaces = f"; it replaces {order.revision_of_number}" if order.revision_of_id else ""
    if state == OrderState.REJECTED:
        return Outcome(
            "Rejected",
            "The order could not be accepted:",
            list(order.rejection_reasons),
            "Tell the customer why. A new order can be captured once the problem is solved.",
            "x-octagon-fill",
            tone,
        )
    if state == OrderState.HELD and order.needs_special_handling:
        return Outcome(
            "Held for special handling",
            "A supervisor reviews the order before it goes any further, because:",
            held_reasons(order),
            "Tell the customer we will be in touch once it is reviewed.",
            "pause-circle-fill",
            tone,
        )
    if state == OrderState.HELD:
        return Outcome(
            "Held: fulfilment hit a problem",
            "The order was issued, and a fulfilment step failed; the back office is sorting it out.",
            icon="pause-circle-fill",
            tone=tone,
        )
    if state == OrderState.IN_PROGRESS:
        return Outcome(
            "Issued", f"The order is complete and valid, and has been issued for fulfilment{replaces}.", tone=tone
        )
    if state == OrderState.PENDING:
        return Outcome(
            "Waiting for the customer",
            f"The order was issued{replaces} and now waits for the customer (an answer or their sign-off).",
            icon="hourglass-split",
            tone=tone,
        )
    if state == OrderState.COMPLETED:
        return Outcome(
            "Completed",
            f"The order was issued and fulfilled{replaces}: everything it asked for is done.",
            icon="check-circle-fill",
            tone=tone,
        )
    if state == OrderState.PARTIAL:
        return Outcome(
            "Partially completed",
            "Some items were fulfilled; the others were given up.",
            icon="check-circle",
            tone=tone,
        )
    if state == OrderState.CANCELLED:
        return Outcome(
            "Cancelled", "The order was cancelled: nothing more happens to it.", icon="slash-circle", tone=tone
        )
    if state == OrderState.FAILED:
        return Outcome("Failed", "The order could not be fulfilled.", icon="x-octagon-fill", tone=tone)
    return Outcome(order.get_state_display(), icon="info-circle-fill", tone=tone)


def review_panel(verdict: Verdict, *, special: bool) -> Outcome:
    """The capture review's panel: what submitting will do, in the tone of the state it leads to.

    `special`: the order has special requirements or bespoke items (issued at once only when a positive
    feasibility assessment is on record).
    """
    tone = states.tone(VERDICT_STATES.get(verdict.transition, ""))
    if verdict.transition == "hold_for_special_handling":
        return Outcome(
            "Ready to submit: it will be held for review",
            "It will be held for special handling until a supervisor reviews it, because:",
            list(verdict.reasons),
            icon="pause-circle-fill",
            tone=tone,
        )
    if special:
        return Outcome(
            "Ready to submit",
            "It has special requirements, but a positive feasibility result is on record: it will be issued at once.",
            tone=tone,
        )
    return Outcome("Ready to submit", "A standard order: it will be issued at once for fulfilment.", tone=tone)
