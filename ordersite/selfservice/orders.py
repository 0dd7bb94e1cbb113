"""The customer's own pages at /my/: follow orders, answer questions, sign off, cancel, change products, order.

Views only translate. Reads go through the self-service selectors in customers/selectors.py, which
scope every order and product to the signed-in customer and answer 404 for anything else (the
same answer as for something that does not exist). Writes go through the commands every channel
uses (orders/services.py, orders/fulfilment/orchestration.py); they record the channel as
self-service because the user is a customer login, and check ownership once more themselves.

What a customer reads is worded for them: friendly state names, a timeline of what happened and
what comes next, no staff notes, no staff names ("us"), no internal reasons.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from django_fsm import can_proceed

from customers.access import customer_required
from customers.models import Channel, CustomerKind, ProductStatus
from customers.selectors import (
    draft_for_customer,
    installation_addresses_of,
    offerings_for_self_service,
    order_for_customer,
    order_page_for_customer,
    orders_needing_attention,
    orders_of_customer,
    product_for_customer,
    products_of_customer,
)
from orders.fulfilment.models import DeliverySignOff, TaskState
from orders.fulfilment.orchestration import sign_off_delivery
from orders.models import (
    TERMINAL_STATES,
    InitiatingRequest,
    ItemIntent,
    OfferingCategory,
    Order,
    OrderCategory,
    OrderItem,
    OrderState,
)
from orders.services import (
    ALLOWED_FROM,
    ActionRefused,
    ConcurrentTransition,
    OrderIncomplete,
    TransitionNotAllowed,
    add_item,
    answer_information,
    completeness_errors,
    create_change_order,
    create_draft_order,
    discard_draft,
    record_initiating_request,
    request_cancellation,
    submit_order,
    update_draft_order,
    update_item,
)
from ordersite.presentation.capture import ADD_ROW, REMOVE_ROW, CharacteristicsForm, describe, path_label
from ordersite.presentation.live import LiveParts, live_page, live_poll, polls_sign_in_again, steps_done

REFUSALS = (ActionRefused, TransitionNotAllowed, ConcurrentTransition)
ORDERS_PER_PAGE = 20
CHARGED_INTENTS = (ItemIntent.PROVIDE, ItemIntent.REPACKAGE)

# --- words for customers -------------------------------------------------------------------------

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


def state_explanation(order: Order, *, open_question=None) -> str:
    """One sentence on what the state means for the customer."""
    state = order.state
    if state == OrderState.DRAFT:
        if order.channel == Channel.SELF_SERVICE:
            return "You haven't placed this order yet. Finish it and place it when you're ready."
        return "Our team is still preparing this order with you; nothing has been sent yet."
    if state == OrderState.ACKNOWLEDGED:
        return "We have your order and are checking it."
    if state == OrderState.IN_PROGRESS:
        return "We're working on it. This page shows each step as it happens."
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
    if state in (OrderState.ASSESSING_CANCELLATION, OrderState.PENDING_CANCELLATION):
        return "We're stopping the work on this order."
    if state == OrderState.CANCELLED:
        return "This order was cancelled. Nothing more will happen with it."
    if state == OrderState.COMPLETED:
        return "All done: everything in this order has been carried out."
    if state == OrderState.PARTIAL:
        return "Part of this order is delivered; the rest could not be."
    if state == OrderState.REJECTED:
        return "We couldn't accept this order."
    if state == OrderState.FAILED:
        return "We couldn't deliver this order. We're sorry: contact us if you'd like to try again."
    return ""


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


@dataclass
class OrderRow:
    order: Order
    label: str
    summary: str
    needs_you: str

    @classmethod
    def of(cls, order: Order) -> OrderRow:
        return cls(order=order, label=state_label(order), summary=order_summary(order), needs_you=waiting_for(order))


def _by_customer(user, order: Order) -> bool:
    return user is not None and user.customer_id == order.customer_id


# --- the timeline: what happened and what comes next ---------------------------------------------


@dataclass
class Moment:
    """One line of the timeline."""

    title: str
    when: object = None  # a datetime when it happened, a date when it is expected
    text: str = ""
    tone: str = "done"  # done, now, next, problem, ended
    icon: str = "check-lg"
    link: str = ""
    link_label: str = ""

    @property
    def is_expected(self) -> bool:
        return isinstance(self.when, dt.date) and not isinstance(self.when, dt.datetime)


# Transitions a customer reads about, in their words; the others are covered by a moment of their
# own (a question, an answer, a cancellation request, a sign-off) or stay internal.
TRANSITION_MOMENTS = {
    "acknowledge": ("We received your order", "inbox", "done"),
    "issue": ("Order confirmed: work has started", "play-fill", "done"),
    "hold_for_special_handling": ("Passed to our specialist team for review", "search", "done"),
    "approve": ("Review done: work has started", "play-fill", "done"),
    "refuse": ("We couldn't go ahead with this order", "x-lg", "ended"),
    "reject": ("Order not accepted", "x-lg", "ended"),
    "hold": ("We hit a problem and are sorting it out", "exclamation-lg", "problem"),
    "release": ("Problem sorted: work carries on", "play-fill", "done"),
    "abandon": ("Order closed without completing", "x-lg", "ended"),
    "cancel": ("Order cancelled", "x-lg", "ended"),
    "supersede": ("Replaced by an updated order", "arrow-repeat", "ended"),
    "complete": ("All done", "check-lg", "done"),
    "complete_partially": ("Partly done", "check-lg", "problem"),
    "fail": ("We couldn't complete this order", "x-lg", "ended"),
}

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


def _too_late_items(order: Order) -> list[OrderItem]:
    return [item for item in order.items.all() if item.past_point_of_no_return]


def too_late_text(items: list[OrderItem]) -> str:
    names = ", ".join(item_title(item) for item in items)
    return f"Work on {names} has passed the point where it can be stopped, so this order can no longer be cancelled."


def history(order: Order, *, number_of_items: int) -> list[Moment]:
    """What happened, oldest first, from the prefetched history; staff are "us", staff notes are left out."""
    moments = [
        Moment(
            "You started this order online"
            if order.channel == Channel.SELF_SERVICE
            else "We started this order for you",
            order.created_at,
            icon="pencil",
        )
    ]
    for event in order.events.all():
        if event.transition == "await_customer" and event.actor_id is None:
            moments.append(
                Moment("Delivered: over to you to test and sign off", event.created_at, icon="box-seam", tone="done")
            )
            continue
        if event.transition not in TRANSITION_MOMENTS:
            continue
        title, icon, tone = TRANSITION_MOMENTS[event.transition]
        text = ""
        if event.transition == "acknowledge" and _by_customer(event.actor, order):
            title = "You placed your order"
        elif event.transition == "supersede" and order.superseded_by_id:
            text = f"The updated order is {order.superseded_by.number}."
        moments.append(Moment(title, event.created_at, text=text, icon=icon, tone=tone))
    for question in order.information_requests.all():
        moments.append(Moment("We asked you a question", question.asked_at, text=question.question, icon="chat-left"))
        if question.answered_at:
            title = "You answered" if _by_customer(question.answered_by, order) else "We noted your answer"
            moments.append(Moment(title, question.answered_at, text=question.answer, icon="reply"))
    for cancellation in order.cancellation_requests.all():
        title = "You asked to cancel" if _by_customer(cancellation.requested_by, order) else "Cancellation requested"
        moments.append(Moment(title, cancellation.requested_at, text=cancellation.reason, icon="slash-circle"))
        if cancellation.state == cancellation.State.REJECTED and cancellation.decided_at:
            moments.append(
                Moment(
                    "We couldn't cancel",
                    cancellation.decided_at,
                    text=_customer_refusal(order, cancellation.refusal_reason),
                    icon="exclamation-lg",
                    tone="problem",
                )
            )
    for signoff in order.signoffs.all():
        passed = signoff.accepted and signoff.test_result != DeliverySignOff.TestResult.FAILED
        who = "You" if _by_customer(signoff.signed_by, order) else "We"
        title = f"{who} signed off the delivery" if passed else f"{who} reported a problem with the delivery"
        text = TEST_RESULT_WORDS.get(signoff.test_result, signoff.get_test_result_display())
        text += ", accepted." if signoff.accepted else ", not accepted."
        if signoff.remarks:
            text += f" “{signoff.remarks}”"
        moments.append(
            Moment(
                title, signoff.signed_at, text=text, icon="pen" if passed else "exclamation-lg", tone=tone_of(passed)
            )
        )
    for task in order.tasks.all():
        if task.state == TaskState.COMPLETED and task.completed_at:
            moments.append(
                Moment(task.name, task.completed_at, text=_task_context(task, order, number_of_items), icon="check-lg")
            )
    rejection_notes = {f"Rejected: {reason}" for reason in order.rejection_reasons}
    for note in order.notes.all():  # customer-visible ones only (order_page_for_customer)
        if note.text not in rejection_notes:
            moments.append(Moment("Message from us", note.created_at, text=note.text, icon="envelope"))
    moments.sort(key=lambda m: m.when)
    return moments


def tone_of(passed: bool) -> str:
    return "done" if passed else "problem"


FIELD_PATH = re.compile(r"^[a-z_]+(\[\d+\])?(\.[a-z_]+(\[\d+\])?)*: ")


def customer_reason(reason: str) -> str:
    """A reason worded for the customer: "items[0].install_address: X is not available" -> "X is not available."."""
    return _sentence(FIELD_PATH.sub("", reason.strip()))


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _customer_refusal(order: Order, refusal: str) -> str:
    late = _too_late_items(order)
    return too_late_text(late) if late else _sentence(refusal) if refusal else ""


def _task_context(task, order: Order, number_of_items: int) -> str:
    if number_of_items < 2:
        return ""
    item = next((i for i in order.items.all() if i.pk == task.item_id), None)
    return f"For {item_title(item)}" if item is not None else ""


def next_steps(order: Order, *, open_question, number_of_items: int, sign_off_url: str, details_url: str):
    """What comes next, in order: the step under way now, then the ones still to come."""
    state = order.state
    steps: list[Moment] = []
    if state == OrderState.DRAFT:
        if order.channel == Channel.SELF_SERVICE:
            steps.append(
                Moment(
                    "Finish and place your order",
                    tone="now",
                    icon="arrow-right",
                    link=details_url,
                    link_label="Continue",
                )
            )
        else:
            steps.append(Moment("Our team is preparing this order with you", tone="now", icon="three-dots"))
        steps.append(Moment("We confirm it and start work", tone="next", icon="circle"))
        return steps
    if state in TERMINAL_STATES:
        return steps
    if state == OrderState.ACKNOWLEDGED:
        steps.append(Moment("We check your order", tone="now", icon="three-dots"))
    elif state == OrderState.HELD and order.needs_special_handling:
        steps.append(
            Moment(
                "Our specialist team reviews your request",
                tone="now",
                icon="search",
                text="We'll contact you if we need more details.",
            )
        )
        steps.append(Moment("We confirm and start work", tone="next", icon="circle"))
    elif state == OrderState.HELD:
        steps.append(
            Moment("We're sorting out a problem", tone="problem", icon="tools", text="There's nothing you need to do.")
        )
    elif state == OrderState.PENDING and open_question is not None:
        steps.append(
            Moment(
                "Answer our question",
                tone="now",
                icon="chat-left-dots",
                text=f"Please reply by {open_question.deadline:%-d %B %Y}.",
                link="#question",
                link_label="Answer now",
            )
        )
        if order.needs_special_handling:  # asked while our specialists review it: they carry on after
            steps.append(Moment("Our specialist team reviews your request", tone="next", icon="circle"))
            steps.append(Moment("We confirm and start work", tone="next", icon="circle"))
    elif state == OrderState.PENDING and order.awaiting_signoff:
        steps.append(
            Moment(
                "Test the service and sign off",
                tone="now",
                icon="clipboard-check",
                link=sign_off_url,
                link_label="Sign off",
            )
        )
    elif state in (OrderState.ASSESSING_CANCELLATION, OrderState.PENDING_CANCELLATION):
        steps.append(Moment("We stop the work", tone="now", icon="three-dots"))
        return steps
    for task in order.tasks.all():
        context = _task_context(task, order, number_of_items)
        if task.state == TaskState.DISPATCHED:
            text = "Under way" + (f" · {context}" if context else "")
            steps.append(Moment(task.name, tone="now", icon="arrow-right", text=text))
        elif task.state == TaskState.FAILED:
            text = "Delayed: we're on it" + (f" · {context}" if context else "")
            steps.append(Moment(task.name, tone="problem", icon="exclamation-lg", text=text))
        elif task.state == TaskState.WAITING:
            steps.append(Moment(task.name, tone="next", icon="circle", text=context))
    wants_signoff = any(i.offering_id and i.offering.requires_customer_signoff for i in order.items.all())
    signed = any(s.accepted for s in order.signoffs.all())
    if wants_signoff and not signed and not order.awaiting_signoff:
        steps.append(Moment("You test the service and sign off", tone="next", icon="circle"))
    steps.append(Moment("All done", when=order.expected_completion_date, tone="next", icon="flag"))
    return steps


# --- items and prices ----------------------------------------------------------------------------


@dataclass
class ItemView:
    item: OrderItem
    title: str
    intent_label: str
    charged: bool
    configuration: list = field(default_factory=list)


def item_views(items: list[OrderItem]) -> list[ItemView]:
    return [
        ItemView(
            item=item,
            title=item_title(item),
            intent_label=INTENT_LABELS.get(item.intent, item.get_intent_display()),
            charged=item.intent in CHARGED_INTENTS,
            configuration=describe(item.offering.data_requirements if item.offering_id else [], item.characteristics)
            if item.intent in (ItemIntent.PROVIDE, ItemIntent.CHANGE, ItemIntent.REPACKAGE)
            else [],
        )
        for item in items
    ]


def totals(items: list[OrderItem]) -> dict:
    charged = [i for i in items if i.intent in CHARGED_INTENTS]
    return {
        "one_off": sum((i.one_off_price * i.quantity for i in charged), Decimal("0")),
        "monthly": sum((i.recurring_price * i.quantity for i in charged), Decimal("0")),
        "currency": next((i.offering.currency for i in items if i.offering_id), "GBP"),
    }


# --- forms ---------------------------------------------------------------------------------------


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label="Your answer",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={"required": "Write your answer before sending it."},
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why do you want to cancel?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Tell us briefly why you want to cancel."},
    )


class SignOffForm(forms.Form):
    test_result = forms.ChoiceField(
        label="How did the test go?",
        widget=forms.RadioSelect,
        choices=list(TEST_RESULT_WORDS.items()),
        error_messages={"required": "Choose how the test went."},
    )
    accepted = forms.BooleanField(required=False, label="I accept the delivery")
    remarks = forms.CharField(
        required=False,
        label="Remarks",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="What you noticed, especially if something doesn't work.",
    )
    training = forms.ChoiceField(
        required=False, label="Would you like training?", widget=forms.RadioSelect, choices=list(TRAINING_WORDS.items())
    )
    training_date = forms.DateField(
        required=False,
        label="Training date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, offers_training: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.offers_training = offers_training
        if not offers_training:
            del self.fields["training"]
            del self.fields["training_date"]

    def clean(self):
        cleaned = super().clean()
        result, accepted = cleaned.get("test_result"), cleaned.get("accepted")
        if result == DeliverySignOff.TestResult.FAILED and accepted:
            self.add_error("accepted", "You can't accept a delivery whose test failed: tell us what doesn't work.")
        if result and (result != DeliverySignOff.TestResult.PASSED or not accepted) and not cleaned.get("remarks"):
            self.add_error("remarks", "Tell us what you noticed, so we can put it right.")
        if self.offers_training:
            training = cleaned.get("training")
            if not training:
                self.add_error("training", "Choose whether you'd like training.")
            elif training == DeliverySignOff.Training.SCHEDULED:
                date = cleaned.get("training_date")
                if date is None:
                    self.add_error("training_date", "Choose a date for the training session.")
                elif date < timezone.localdate():
                    self.add_error("training_date", "Choose today or a later date.")
        return cleaned


class ProductActionForm(forms.Form):
    reason = forms.CharField(
        required=False,
        label="Anything we should know?",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=500,
        help_text="Optional.",
    )

    def __init__(self, *args, intent: str, **kwargs):
        super().__init__(*args, **kwargs)
        if intent == ItemIntent.DISCONTINUE:
            self.fields["confirm"] = forms.BooleanField(
                label="I understand the service stops for good",
                error_messages={"required": "Tick the box to confirm you want to end it for good."},
            )


APPOINTMENT_CHOICES = [
    ("", "No preference"),
    ("Weekday morning (8am to 12pm)", "Weekday morning (8am to 12pm)"),
    ("Weekday afternoon (12pm to 5pm)", "Weekday afternoon (12pm to 5pm)"),
    ("Weekday evening (5pm to 8pm)", "Weekday evening (5pm to 8pm)"),
    ("Saturday", "Saturday"),
]


class DeliveryForm(forms.Form):
    """Where and when, for a new product; what is needed, for a bespoke one."""

    install_address = forms.ChoiceField(label="Where should it be installed?", widget=forms.RadioSelect)
    requested_start_date = forms.DateField(
        required=False,
        label="Wanted from",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Leave empty for as soon as possible.",
    )
    appointment_preference = forms.ChoiceField(
        choices=APPOINTMENT_CHOICES,
        required=False,
        label="Best time for an engineer visit",
    )
    special_requirements = forms.CharField(
        label="Tell us what you need",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="Sites, timing, anything special. Our specialist team reviews it and contacts you.",
        error_messages={"required": "Describe what you need, so our team can prepare it."},
    )

    def __init__(self, *args, addresses, needs_address: bool, bespoke: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.addresses = {str(a.pk): a for a in addresses}
        if needs_address and len(addresses) > 1:
            self.fields["install_address"].choices = [(str(a.pk), str(a)) for a in addresses]
        else:
            del self.fields["install_address"]
        if not needs_address:
            del self.fields["appointment_preference"]
        if not bespoke:
            del self.fields["special_requirements"]

    def clean_requested_start_date(self):
        date = self.cleaned_data.get("requested_start_date")
        if date and date < timezone.localdate():
            raise forms.ValidationError("Choose today or a later date.")
        return date

    def clean_install_address(self):
        # Only the customer's own serviceable addresses are choices; anything else is refused here.
        return self.addresses[self.cleaned_data["install_address"]]


# --- overview ------------------------------------------------------------------------------------


@customer_required
@require_GET
def my_home(request):
    customer = request.user.customer
    attention = orders_needing_attention(customer)
    # The orders waiting for the customer are listed on their own, above the others.
    orders = list(
        orders_of_customer(customer).exclude(state__in=TERMINAL_STATES).exclude(pk__in=[o.pk for o in attention])[:5]
    )
    products = list(products_of_customer(customer))
    for product in products:
        product.status_label = product_status_label(product)
    return render(
        request,
        "customers/my_home.html",
        {
            "customer": customer,
            "products": products,
            "open_orders": [OrderRow.of(o) for o in orders],
            "attention": [OrderRow.of(o) for o in attention],
            "my_section": "home",
        },
    )


# --- my orders -----------------------------------------------------------------------------------

ORDER_FILTERS = {
    "open": ("Open", lambda qs: qs.exclude(state__in=TERMINAL_STATES)),
    "closed": ("Finished", lambda qs: qs.filter(state__in=TERMINAL_STATES)),
    "all": ("All", lambda qs: qs),
}


@customer_required
@require_GET
def my_orders(request):
    show = request.GET.get("show", "all")
    if show not in ORDER_FILTERS:
        show = "all"
    orders = ORDER_FILTERS[show][1](orders_of_customer(request.user.customer))
    page = Paginator(orders, ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "customers/my/orders.html",
        {
            "rows": [OrderRow.of(order) for order in page.object_list],
            "page": page,
            "show": show,
            "filters": [(key, label) for key, (label, _) in ORDER_FILTERS.items()],
            "my_section": "orders",
        },
    )


def _order_url(order: Order, anchor: str = "") -> str:
    return reverse("selfservice:my-order", args=[order.number]) + (f"#{anchor}" if anchor else "")


def _render_order(request, order: Order, *, answer_form=None):
    context = _order_context(order, answer_form=answer_form)
    context["live"] = live_page(order, _live_parts(order, context))
    return render(request, "customers/my/order_detail.html", context)


def _order_context(order: Order, *, answer_form=None) -> dict:
    items = list(order.items.all())
    questions = list(order.information_requests.all())
    open_question = next((q for q in questions if q.is_open), None) if order.state == OrderState.PENDING else None
    # The order is the customer's (the selector saw to it); request_cancellation checks permission again.
    may_cancel = can_proceed(order.assess_cancellation)
    too_late = _too_late_items(order) if may_cancel else []
    sign_off_url = reverse("selfservice:my-order-signoff", args=[order.number])
    details_url = reverse("selfservice:my-order-details", args=[order.number])
    return {
        "order": order,
        "label": state_label(order),
        "explanation": state_explanation(order, open_question=open_question),
        "channel_label": CHANNEL_LABELS.get(order.channel, order.get_channel_display()),
        "items": item_views(items),
        "totals": totals(items),
        "address": next((i.install_address for i in items if i.install_address_id), None),
        "history": list(reversed(history(order, number_of_items=len(items)))),
        "next_steps": next_steps(
            order,
            open_question=open_question,
            number_of_items=len(items),
            sign_off_url=sign_off_url,
            details_url=details_url,
        ),
        "open_question": open_question,
        "answer_form": answer_form or AnswerForm(),
        "may_cancel": may_cancel and not too_late,
        "too_late": too_late_text(too_late) if too_late else "",
        "may_sign_off": order.state == OrderState.PENDING and order.awaiting_signoff,
        "may_continue": order.state == OrderState.DRAFT and order.channel == Channel.SELF_SERVICE,
        "your_note": _your_note(order),
        "rejection_reasons": [customer_reason(r) for r in order.rejection_reasons]
        if order.state == OrderState.REJECTED
        else [],
        "my_section": "orders",
    }


def _live_parts(order: Order, context: dict) -> LiveParts:
    """What the page's polls follow (presentation.live.live_poll): the status card polls, the rest comes with it."""
    steps = steps_done(order) if order.state != OrderState.CANCELLED else ""
    return LiveParts(
        url=_order_url(order),
        poller="customers/my/includes/order_status.html",
        regions="customers/partials/my_order_progress.html",
        context=context,
        announcement=f"Your order: {context['label']}" + (f", {steps}." if steps else "."),
        # Everything else on the page follows by itself; a question's answer form does not.
        moved_on_note=" We have a question for you: reload the page to answer it." if context["open_question"] else "",
    )


# Views that take an order number or product id load it first, through the selectors: anything
# that is not the customer's answers 404 whatever the method, before a form is even read.


def _your_note(order: Order) -> str:
    """What the customer wrote when they asked for a change online (their own words, nothing of ours)."""
    request = order.initiating_request
    if order.channel != Channel.SELF_SERVICE or request is None:
        return ""
    if request.kind != InitiatingRequest.Kind.CUSTOMER_REQUEST or not request.details:
        return ""
    return "" if request.details.startswith(tuple(f"{label}:" for label in ItemIntent.labels)) else request.details


def _refuse_method(request, *allowed: str) -> HttpResponseNotAllowed | None:
    return None if request.method in allowed else HttpResponseNotAllowed(allowed)


@polls_sign_in_again
@customer_required
def my_order(request, number: str):
    order = order_page_for_customer(customer=request.user.customer, number=number)
    if refused := _refuse_method(request, "GET", "HEAD"):
        return refused
    if request.htmx:  # the page's own poll (templates/customers/my/includes/order_status.html)
        return live_poll(request, order, _live_parts(order, _order_context(order)))
    return _render_order(request, order)


@customer_required
def my_order_answer(request, number: str):
    customer = request.user.customer
    order = order_for_customer(customer=customer, number=number)
    if refused := _refuse_method(request, "POST"):
        return refused
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _render_order(request, order_page_for_customer(customer=customer, number=number), answer_form=form)
    try:
        answer_information(order, by=request.user, answer=form.cleaned_data["answer"])
    except REFUSALS as refusal:
        messages.error(request, _refusal_message(refusal, "This order isn't waiting for an answer any more."))
    else:
        messages.success(request, "Thank you: we have your answer, and your order carries on.")
    return redirect(_order_url(order))


def _refusal_message(refusal: Exception, moved_on: str) -> str:
    if isinstance(refusal, (TransitionNotAllowed, ConcurrentTransition)):
        return f"{moved_on} Nothing was changed; the page shows where it is now."
    return str(refusal)


@customer_required
def my_order_cancel(request, number: str):
    customer = request.user.customer
    order = order_page_for_customer(customer=customer, number=number)
    if not can_proceed(order.assess_cancellation):
        messages.info(request, f"{order.number} is {state_label(order).lower()}: it can't be cancelled now.")
        return redirect(_order_url(order))
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            cancellation = request_cancellation(order, by=request.user, reason=form.cleaned_data["reason"])
        except REFUSALS as refusal:
            messages.error(request, _refusal_message(refusal, "This order has just moved on."))
        else:
            if cancellation.state == cancellation.State.DONE:
                messages.success(request, f"{order.number} is cancelled. Nothing more will happen with it.")
            else:
                refusal = _customer_refusal(order, cancellation.refusal_reason)
                messages.error(request, f"We couldn't cancel {order.number}. {refusal}")
        return redirect(_order_url(order))
    items = list(order.items.all())
    too_late = _too_late_items(order)
    return render(
        request,
        "customers/my/order_cancel.html",
        {
            "order": order,
            "label": state_label(order),
            "summary": order_summary(order),
            "items": item_views(items),
            "too_late": too_late_text(too_late) if too_late else "",
            "form": form,
            "my_section": "orders",
        },
    )


@customer_required
def my_order_signoff(request, number: str):
    customer = request.user.customer
    order = order_page_for_customer(customer=customer, number=number)
    if not (order.state == OrderState.PENDING and order.awaiting_signoff):
        messages.info(request, f"{order.number} isn't waiting for your sign-off.")
        return redirect(_order_url(order))
    items = list(order.items.all())
    offers_training = any(i.offering_id and i.offering.offers_training for i in items)
    form = SignOffForm(request.POST if request.method == "POST" else None, offers_training=offers_training)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            signoff = sign_off_delivery(
                order,
                by=request.user,
                test_result=data["test_result"],
                accepted=data["accepted"],
                remarks=data["remarks"],
                training=data.get("training") or DeliverySignOff.Training.NOT_OFFERED,
                training_date=data.get("training_date")
                if data.get("training") == DeliverySignOff.Training.SCHEDULED
                else None,
            )
        except REFUSALS as refusal:
            messages.error(request, _refusal_message(refusal, "This order has just moved on."))
        else:
            if signoff.accepted and signoff.test_result != DeliverySignOff.TestResult.FAILED:
                messages.success(request, f"Thank you for signing off. {order.number} is done.")
            else:
                messages.warning(
                    request, "Thank you: we've passed what you noticed to our team, who will put it right."
                )
        return redirect(_order_url(order))
    return render(
        request,
        "customers/my/order_signoff.html",
        {
            "order": order,
            "label": state_label(order),
            "items": item_views(items),
            "form": form,
            "my_section": "orders",
        },
    )


# --- my products ---------------------------------------------------------------------------------

ENDED_STATUSES = (ProductStatus.TERMINATED, ProductStatus.CANCELLED)


def _actions_for(product) -> list[tuple[str, dict]]:
    return [
        (intent, words)
        for intent, words in CUSTOMER_INTENTS.items()
        if product.status in ALLOWED_FROM[intent]
        and (intent != ItemIntent.CHANGE or product.offering.data_requirements)
    ]


@customer_required
@require_GET
def my_products(request):
    products = list(products_of_customer(request.user.customer))
    for product in products:
        product.status_label = product_status_label(product)
        product.open_item = product.open_items[0] if product.open_items else None
        if product.open_item is not None:
            product.open_item.order.label = state_label(product.open_item.order)
        product.actions = [] if product.open_item else _actions_for(product)
        product.configuration = describe(product.offering.data_requirements, product.characteristics)
    return render(
        request,
        "customers/my/products.html",
        {
            "products": [p for p in products if p.status not in ENDED_STATUSES],
            "ended": [p for p in products if p.status in ENDED_STATUSES],
            "my_section": "products",
        },
    )


def submission_key_for(order: Order) -> str:
    """What submit_order remembers: the same order sent twice gives the first outcome back."""
    return f"self-service-{order.number}"


@customer_required
def my_product_action(request, pk: int, intent: str):
    """Start a change, suspension, resumption or end of one of the customer's products, and send it."""
    product = product_for_customer(customer=request.user.customer, pk=pk)
    if intent not in CUSTOMER_INTENTS:
        raise Http404("No such action.")
    words = CUSTOMER_INTENTS[intent]
    open_item = product.open_items[0] if product.open_items else None
    allowed = product.status in ALLOWED_FROM[intent]
    form = ProductActionForm(request.POST if request.method == "POST" else None, intent=intent)
    characteristics = None
    if intent == ItemIntent.CHANGE:
        characteristics = CharacteristicsForm(
            product.offering.data_requirements,
            prefix="c",
            data=request.POST if request.method == "POST" else None,
            initial=product.characteristics,
            add=request.POST.get(ADD_ROW) if request.method == "POST" else None,
            remove=request.POST.get(REMOVE_ROW) if request.method == "POST" else None,
        )
    if request.method == "POST":
        if open_item is not None or not allowed:
            messages.error(request, f"{product.name} can't be changed like that right now.")
            return redirect("selfservice:my-products")
        rows_changed = ADD_ROW in request.POST or REMOVE_ROW in request.POST
        valid = form.is_valid() & (characteristics is None or characteristics.is_valid())
        if characteristics is not None and valid and characteristics.document == product.characteristics:
            form.add_error(None, "Nothing has changed yet: change a setting first.")
            valid = False
        if valid and not rows_changed:
            order = _send_change(request, product, intent, form, characteristics)
            if order is not None:
                return redirect(_order_url(order))
    return render(
        request,
        "customers/my/product_action.html",
        {
            "product": product,
            "status_label": product_status_label(product),
            "intent": intent,
            "words": {k: v.format(name=product.name) if isinstance(v, str) else v for k, v in words.items()},
            "allowed": allowed,
            "open_item": open_item,
            "open_label": state_label(open_item.order) if open_item else "",
            "form": form,
            "characteristics": characteristics,
            "configuration": describe(product.offering.data_requirements, product.characteristics),
            "my_section": "products",
        },
    )


def _send_change(request, product, intent: str, form: ProductActionForm, characteristics) -> Order | None:
    """Create the change order and submit it in one go; None (with the form showing why) when refused."""
    try:
        with transaction.atomic():
            order = create_change_order(
                product,
                intent=intent,
                by=request.user,
                reason=form.cleaned_data["reason"],
                characteristics=characteristics.document if characteristics is not None else None,
            )
            outcome = submit_order(order, by=request.user, submission_key=submission_key_for(order))
    except OrderIncomplete as incomplete:
        if characteristics is None:
            # The product's details on record no longer satisfy the catalog: nothing the customer can fix here.
            form.add_error(None, f"We can't do this online for {product.name}. Please call us and we'll sort it out.")
        for error in incomplete.errors if characteristics is not None else []:
            where = error.path.partition(".characteristics.")[2]
            label = path_label(product.offering.data_requirements, where) if where else ""
            form.add_error(None, f"{label}: {_sentence(error.message)}" if label else _sentence(error.message))
        return None
    except REFUSALS as refusal:
        form.add_error(None, str(refusal))
        return None
    _say_outcome(request, outcome, sent=CUSTOMER_INTENTS[intent]["sent"].format(name=product.name))
    return outcome.order


def _say_outcome(request, outcome, *, sent: str) -> None:
    order = outcome.order
    if outcome.rejected_reasons:
        reasons = " ".join(customer_reason(r) for r in outcome.rejected_reasons)
        messages.error(request, f"Sorry, we couldn't accept {order.number}. {reasons}")
    elif outcome.held_reasons:
        messages.success(
            request, f"{sent} is with us as {order.number}. Our team reviews it and contacts you if needed."
        )
    else:
        messages.success(request, f"{sent} is confirmed as {order.number}. This page shows how it's going.")


# --- order something -----------------------------------------------------------------------------


CATEGORY_ORDER = {
    OfferingCategory.BROADBAND: 0,
    OfferingCategory.MOBILE: 1,
    OfferingCategory.TV: 2,
    OfferingCategory.VOICE: 3,
    OfferingCategory.CONNECTIVITY: 4,
}


@dataclass
class Choice:
    """An offering as the customer sees it on the "order something" page."""

    offering: object
    addresses: list = field(default_factory=list)  # where it can be installed
    reason: str = ""  # why it can't be ordered here, if it can't

    @property
    def available(self) -> bool:
        return not self.reason


def offering_choices(customer) -> tuple[list[Choice], list]:
    """Every offering on sale, with where the customer could have it, or why they can't order it online."""
    addresses = installation_addresses_of(customer)
    owned = set(
        products_of_customer(customer)
        .filter(status__in=[ProductStatus.ACTIVE, ProductStatus.SUSPENDED, ProductStatus.PENDING_ACTIVE])
        .values_list("offering_id", flat=True)
    )
    choices = []
    # Off-the-shelf first, in the order people usually shop; bespoke ("made for you") last.
    offerings = sorted(
        offerings_for_self_service(),
        key=lambda o: (o.is_bespoke, CATEGORY_ORDER.get(o.category, len(CATEGORY_ORDER)), o.recurring_price, o.name),
    )
    for offering in offerings:
        choice = Choice(offering)
        if offering.requires_install_address:
            choice.addresses = [a for a in addresses if offering.is_serviceable_with(a.technologies)]
            if not addresses:
                choice.reason = "We have no installation address for you yet: call us to add one."
            elif not choice.addresses:
                choice.reason = "Not available at your address."
        required = list(offering.requires.all()) if offering.is_addon else []
        if not choice.reason and required and not any(r.pk in owned for r in required):
            choice.reason = f"Needs {' or '.join(r.name for r in required)}."
        choices.append(choice)
    return choices, addresses


FLOW_STEPS = [("choose", "Choose"), ("details", "Details"), ("review", "Review and send")]


def _flow(current: str, order: Order | None = None) -> list[dict]:
    position = [slug for slug, _ in FLOW_STEPS].index(current)
    urls = {
        "choose": reverse("selfservice:my-order-new"),
        "details": reverse("selfservice:my-order-details", args=[order.number]) if order else "",
        "review": reverse("selfservice:my-order-review", args=[order.number]) if order else "",
    }
    return [
        {
            "number": index + 1,
            "title": title,
            "state": "current" if index == position else "done" if index < position else "todo",
            "url": urls[slug] if index < position and slug != "choose" else "",
        }
        for index, (slug, title) in enumerate(FLOW_STEPS)
    ]


@customer_required
def my_order_new(request):
    """Step 1: choose an offering that can be had at the customer's address; a draft starts here."""
    customer = request.user.customer
    choices, addresses = offering_choices(customer)
    if request.method == "POST":
        wanted = request.POST.get("offering", "")
        choice = next((c for c in choices if str(c.offering.pk) == wanted and c.available), None)
        if choice is None:
            messages.error(request, "That product can't be ordered online at your address. Choose another one.")
            return redirect("selfservice:my-order-new")
        order = _start_draft(request, customer, choice)
        return redirect("selfservice:my-order-details", number=order.number)
    drafts = [
        OrderRow.of(o)
        for o in orders_of_customer(customer).filter(state=OrderState.DRAFT, channel=Channel.SELF_SERVICE)[:3]
    ]
    return render(
        request,
        "customers/my/order_new.html",
        {
            "available": [c for c in choices if c.available],
            "unavailable": [c for c in choices if not c.available],
            "address": addresses[0] if len(addresses) == 1 else None,
            "addresses": addresses,
            "drafts": drafts,
            "flow": _flow("choose"),
            "my_section": "new",
        },
    )


@transaction.atomic
def _start_draft(request, customer, choice: Choice) -> Order:
    offering = choice.offering
    initiating = record_initiating_request(
        customer=customer,
        by=request.user,
        kind=InitiatingRequest.Kind.SALES_PROPOSAL,
        details=f"Ordered online: {offering.name}.",
    )
    order = create_draft_order(
        customer=customer,
        by=request.user,
        initiating_request=initiating,
        category=OrderCategory.BUSINESS if customer.kind == CustomerKind.ORGANISATION else OrderCategory.CONSUMER,
        description=offering.name,
    )
    add_item(
        order,
        by=request.user,
        offering=offering,
        install_address=choice.addresses[0] if choice.addresses else None,
    )
    return order


def _self_service_draft(request, number: str) -> Order | None:
    """The customer's own online draft, or None (with a message) when it can no longer be edited here."""
    order = draft_for_customer(customer=request.user.customer, number=number)
    return order if _still_an_online_draft(request, order) else None


def _still_an_online_draft(request, order: Order) -> bool:
    if order.state != OrderState.DRAFT:
        messages.info(request, f"{order.number} has been sent: it can no longer be changed here.")
        return False
    if order.channel != Channel.SELF_SERVICE:
        messages.info(request, f"Our team is preparing {order.number} with you; call us to change it.")
        return False
    return True


@customer_required
def my_order_discard(request, number: str):
    """Throw away an online order the customer started and never sent."""
    order = draft_for_customer(customer=request.user.customer, number=number)  # 404 unless theirs, any method
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not _still_an_online_draft(request, order):
        return redirect(_order_url(order))
    try:
        discard_draft(order, by=request.user)
    except REFUSALS as refusal:
        messages.error(request, _refusal_message(refusal, "This order has just been sent."))
        return redirect(_order_url(order))
    messages.success(request, f"Your unsent order {order.number} is deleted. Nothing was ordered.")
    return redirect("selfservice:my-orders")


def _configured(item: OrderItem) -> bool:
    return item.intent in (ItemIntent.PROVIDE, ItemIntent.CHANGE) and item.offering_id is not None


@customer_required
def my_order_details(request, number: str):
    """Step 2: the product's settings (generated from the catalog), where and when; saved on every post."""
    order = _self_service_draft(request, number)
    if order is None:
        return redirect("selfservice:my-order", number=number)
    items = list(order.items.all())
    posted = request.POST if request.method == "POST" else None
    add = posted.get(ADD_ROW) if posted else None
    remove = posted.get(REMOVE_ROW) if posted else None
    sections = [
        (
            item,
            CharacteristicsForm(
                item.offering.data_requirements,
                prefix=f"i{item.pk}-c",
                data=posted,
                initial=item.characteristics,
                add=add,
                remove=remove,
            ),
        )
        for item in items
        if _configured(item)
    ]
    needing = [
        i for i in items if i.offering_id and i.offering.requires_install_address and i.intent == ItemIntent.PROVIDE
    ]
    addresses = [
        a
        for a in installation_addresses_of(request.user.customer)
        if all(i.offering.is_serviceable_with(a.technologies) for i in needing)
    ]
    bespoke = any(i.is_bespoke for i in items)
    current = next((i.install_address_id for i in needing if i.install_address_id), None)
    delivery = DeliveryForm(
        posted,
        addresses=addresses,
        needs_address=bool(needing),
        bespoke=bespoke,
        initial={
            "install_address": str(current or (addresses[0].pk if addresses else "")),
            "requested_start_date": order.requested_start_date,
            "appointment_preference": order.appointment_preference,
            "special_requirements": order.special_requirements,
        },
    )
    if posted is not None:
        delivery_valid = delivery.is_valid()
        with transaction.atomic():
            # Whatever was typed is kept, valid or not: a closed browser loses nothing.
            for item, form in sections:
                if form.document != item.characteristics:
                    update_item(item, by=request.user, characteristics=form.document)
            if delivery_valid:
                data = delivery.cleaned_data
                address = data.get("install_address")
                for item in needing:
                    if address is not None and item.install_address_id != address.pk:
                        update_item(item, by=request.user, install_address=address)
                update_draft_order(
                    order,
                    by=request.user,
                    requested_start_date=data.get("requested_start_date"),
                    appointment_preference=data.get("appointment_preference", ""),
                    special_requirements=data.get("special_requirements", "").strip(),
                )
        rows_changed = add is not None or remove is not None
        forms_valid = all([form.is_valid() for _, form in sections])  # noqa: C419 (every form shows its errors)
        if not rows_changed and delivery_valid and forms_valid:
            return redirect("selfservice:my-order-review", number=order.number)
    elif any(item.characteristics for item, _ in sections):
        for _, form in sections:
            form.is_valid()
    summary = [entry for _, form in sections if form.errors for entry in form.error_summary()]
    return render(
        request,
        "customers/my/order_details.html",
        {
            "order": order,
            "sections": [{"item": item, "title": item_title(item), "form": form} for item, form in sections],
            "items": item_views(items),
            "totals": totals(items),
            "delivery": delivery,
            "needing": needing,
            "address": addresses[0] if len(addresses) == 1 and needing else None,
            "bespoke": bespoke,
            "error_summary": summary,
            "flow": _flow("details", order),
            "my_section": "new",
        },
    )


@customer_required
def my_order_review(request, number: str):
    """Step 3: everything at a glance, then send it; sending twice is harmless."""
    order = _self_service_draft(request, number)
    if order is None:
        return redirect("selfservice:my-order", number=number)
    if request.method == "POST":
        try:
            outcome = submit_order(order, by=request.user, submission_key=submission_key_for(order))
        except OrderIncomplete as incomplete:
            messages.error(request, "Your order isn't complete yet: fix what's listed below, then send it.")
            return _render_review(request, order, incomplete.errors)
        except REFUSALS as refusal:
            messages.error(request, str(refusal))
            return redirect(_order_url(order))
        _say_outcome(request, outcome, sent="Thank you! Your order")
        return redirect(_order_url(order))
    return _render_review(request, order, completeness_errors(order))


def _render_review(request, order: Order, errors):
    items = list(order.items.all())
    details_url = reverse("selfservice:my-order-details", args=[order.number])
    problems = []
    for error in errors:
        index, _, rest = error.path.partition("].")
        item = None
        if index.startswith("items["):
            position = int(index[6:]) if index[6:].isdigit() else -1
            item = items[position] if 0 <= position < len(items) else None
        where = ""
        if item is not None and rest.startswith("characteristics."):
            where = path_label(item.offering.data_requirements, rest[len("characteristics.") :])
        elif item is not None and rest == "install_address":
            where = "Address"
        problems.append({"text": f"{where}: {_sentence(error.message)}" if where else _sentence(error.message)})
    bespoke = any(i.is_bespoke for i in items)
    return render(
        request,
        "customers/my/order_review.html",
        {
            "order": order,
            "items": item_views(items),
            "totals": totals(items),
            "address": next((i.install_address for i in items if i.install_address_id), None),
            "problems": problems,
            "details_url": details_url,
            "bespoke": bespoke,
            "flow": _flow("review", order),
            "my_section": "new",
        },
    )
