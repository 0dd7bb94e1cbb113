"""Words for customers: friendly state and status labels, what a state means, item titles, reasons.

What a customer reads is worded for them: no staff notes, no staff names ("us"), no internal reasons.
"""

from __future__ import annotations

from customers.models import Channel, ProductStatus
from orders.models import DeliverySignOff, ItemIntent, Order, OrderItem, OrderState
from orders.requirements import split_reason

STATE_LABELS = {
    OrderState.DRAFT: "Not sent yet",
    OrderState.ACKNOWLEDGED: "Received",
    OrderState.IN_PROGRESS: "In progress",
    OrderState.PENDING: "Waiting for you",
    OrderState.HELD: "We're working on an issue",
    OrderState.ASSESSING_CANCELLATION: "Cancellation requested",
    OrderState.PENDING_CANCELLATION: "Cancellation requested",
    OrderState.CANCELLED: "Cancelled",
    OrderState.COMPLETED: "Done",
    OrderState.PARTIAL: "Partly done",
    OrderState.REJECTED: "Not accepted",
    OrderState.FAILED: "Could not be completed",
}

PRODUCT_STATUS_LABELS = {
    ProductStatus.CREATED: "Being set up",
    ProductStatus.PENDING_ACTIVE: "Being set up",
    ProductStatus.PENDING_TERMINATE: "Ending soon",
}

INTENT_LABELS = {
    ItemIntent.PROVIDE: "New",
    ItemIntent.CHANGE: "Change",
    ItemIntent.SUSPEND: "Suspend",
    ItemIntent.RESUME: "Resume",
    ItemIntent.CHANGE_OWNERSHIP: "Transfer",
    ItemIntent.REPACKAGE: "Switch plan",
    ItemIntent.DISCONTINUE: "End",
    ItemIntent.CONTEXT: "Included",
}

CHANNEL_LABELS = {
    Channel.SELF_SERVICE: "Online, by you",
    Channel.CALL_CENTRE: "By phone with us",
    Channel.RETAIL: "In one of our stores",
    Channel.DEALER: "Through a dealer",
    Channel.AFFILIATE: "Through a partner",
    Channel.API: "Through a partner",
}

# The changes a customer may start on their own; transfers and repackaging go through an agent.
CUSTOMER_INTENTS = {
    ItemIntent.CHANGE: {
        "verb": "Change settings",
        "title": "Change the settings of {name}",
        "lead": "Change what you need below. We send the change as an order and tell you when it is done.",
        "button": "Send the change",
        "sent": "Your change to {name}",
        "icon": "sliders",
    },
    ItemIntent.SUSPEND: {
        "verb": "Suspend",
        "title": "Suspend {name}",
        "lead": "The service pauses until you resume it. You can resume it here at any time.",
        "button": "Suspend it",
        "sent": "Your request to suspend {name}",
        "icon": "pause-circle",
    },
    ItemIntent.RESUME: {
        "verb": "Resume",
        "title": "Resume {name}",
        "lead": "The service starts again with the settings it had before.",
        "button": "Resume it",
        "sent": "Your request to resume {name}",
        "icon": "play-circle",
    },
    ItemIntent.DISCONTINUE: {
        "verb": "End",
        "title": "End {name}",
        "lead": "The service stops for good and leaves your account. This cannot be undone.",
        "button": "End it for good",
        "sent": "Your request to end {name}",
        "icon": "x-octagon",
    },
}


def state_label(order: Order) -> str:
    if order.state == OrderState.HELD and order.needs_special_handling:
        return "Being reviewed"
    return STATE_LABELS.get(order.state, order.get_state_display())


STATE_EXPLANATION = {
    OrderState.ACKNOWLEDGED: "We have your order and are checking it.",
    OrderState.IN_PROGRESS: "We're working on it. This page shows each step as it happens.",
    OrderState.ASSESSING_CANCELLATION: "We're stopping the work on this order.",
    OrderState.PENDING_CANCELLATION: "We're stopping the work on this order.",
    OrderState.CANCELLED: "This order was cancelled. Nothing more will happen with it.",
    OrderState.COMPLETED: "All done: everything in this order has been carried out.",
    OrderState.PARTIAL: "Part of this order is delivered; the rest could not be.",
    OrderState.REJECTED: "We couldn't accept this order.",
    OrderState.FAILED: "We couldn't deliver this order. We're sorry: contact us if you'd like to try again.",
}


def state_explanation(order: Order, *, open_question=None) -> str:
    """One sentence on what the state means for the customer."""
    state = order.state
    if state == OrderState.DRAFT:
        if order.channel == Channel.SELF_SERVICE:
            return "You haven't placed this order yet. Finish it and place it when you're ready."
        return "Our team is still preparing this order with you; nothing has been sent yet."
    if state == OrderState.PENDING:
        if order.awaiting_signoff:
            return "Everything is delivered. Please test it and sign off, so we can finish your order."
        if open_question is not None:
            return "We need an answer from you to carry on."
        return "We're waiting for something from you; we'll be in touch."
    if state == OrderState.HELD:
        if order.needs_special_handling:
            return "Our specialist team is reviewing what you asked for. We'll contact you if we need anything."
        return "Something held up the work. We're sorting it out; there's nothing you need to do."
    return STATE_EXPLANATION.get(state, "")


def product_status_label(product) -> str:
    return PRODUCT_STATUS_LABELS.get(product.status, product.get_status_display())


def item_title(item: OrderItem) -> str:
    """What an item does, in the customer's words: "Fibre Broadband 500", "Suspend Mobile Unlimited"."""
    name = item.product.name if item.product_id else (item.offering.name if item.offering_id else "A product")
    if item.intent == ItemIntent.PROVIDE:
        return item.offering.name if item.offering_id else (item.requested_offering or "A product we don't offer")
    if item.intent == ItemIntent.REPACKAGE and item.offering_id:
        return f"Switch {name} to {item.offering.name}"
    return f"{INTENT_LABELS.get(item.intent, item.get_intent_display())} {name}"


def order_summary(order: Order) -> str:
    """The order in a few words, from its (prefetched) items."""
    items = list(order.items.all())
    if not items:
        return order.description or "Nothing in it yet"
    first = item_title(items[0])
    return first if len(items) == 1 else f"{first} and {len(items) - 1} more"


def waiting_for(order: Order) -> str:
    """What the customer has to do for an order from orders_of_customer (which notes open questions)."""
    if order.state != OrderState.PENDING:
        return ""
    if order.awaiting_signoff:
        return "Test and sign off"
    if getattr(order, "has_open_question", False):
        return "Answer our question"
    return ""


TEST_RESULT_WORDS = {
    DeliverySignOff.TestResult.PASSED: "Everything works",
    DeliverySignOff.TestResult.PASSED_WITH_REMARKS: "It works, with remarks",
    DeliverySignOff.TestResult.FAILED: "It doesn't work",
}

TRAINING_WORDS = {
    DeliverySignOff.Training.DECLINED: "No training, thanks",
    DeliverySignOff.Training.SCHEDULED: "Book a training session",
    DeliverySignOff.Training.COMPLETED: "Training already done",
}


def too_late_items(order: Order) -> list[OrderItem]:
    return [item for item in order.items.all() if item.past_point_of_no_return]


def too_late_text(items: list[OrderItem]) -> str:
    names = ", ".join(item_title(item) for item in items)
    return f"Work on {names} has passed the point where it can be stopped, so this order can no longer be cancelled."


DELIVERED_NOT_CANCELLABLE = (
    "Everything in this order is delivered, so it can no longer be cancelled. "
    "If something isn't right, say so when you sign off."
)


def why_not_cancellable(order: Order) -> str:
    """Why the customer cannot cancel an order they could otherwise cancel now (order.why_not_cancellable)."""
    return DELIVERED_NOT_CANCELLABLE if order.awaiting_signoff and order.state == OrderState.PENDING else ""


def customer_reason(reason: str) -> str:
    """A reason worded for the customer: "items[0].install_address: X is not available" -> "X is not available."."""
    return sentence(split_reason(reason)[1])


def sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."


def customer_refusal(order: Order, refusal: str) -> str:
    late = too_late_items(order)
    return too_late_text(late) if late else sentence(refusal) if refusal else ""
