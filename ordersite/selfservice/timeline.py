"""The customer's timeline of an order: what happened (oldest first) and what comes next."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from customers.models import Channel
from orders.models import TERMINAL_STATES, DeliverySignOff, Order, OrderState, TaskState
from ordersite.selfservice.wording import TEST_RESULT_WORDS, customer_refusal, item_title


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
    step_done: bool = False  # a fulfilment step done: runs of them fold into one moment

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


def _by_customer(user, order: Order) -> bool:
    return user is not None and user.customer_id == order.customer_id


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
                    text=customer_refusal(order, cancellation.refusal_reason),
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
                Moment(
                    task.name,
                    task.completed_at,
                    text=_task_context(task, order, number_of_items),
                    icon="check-lg",
                    step_done=True,
                )
            )
    rejection_notes = {f"Rejected: {reason}" for reason in order.rejection_reasons}
    for note in order.notes.all():  # customer-visible ones only (order_page_for_customer)
        if note.text not in rejection_notes:
            moments.append(Moment("Message from us", note.created_at, text=note.text, icon="envelope"))
    moments.sort(key=lambda m: m.when)
    return fold_steps_done(moments)


# A run of at least this many steps done one after another reads as one moment that names them.
FOLD_STEPS_FROM = 3


def fold_steps_done(moments: list[Moment]) -> list[Moment]:
    """Each run of consecutive fulfilment steps done becomes one moment ("4 steps done") that lists them."""
    folded: list[Moment] = []
    run: list[Moment] = []

    def close_run():
        if len(run) >= FOLD_STEPS_FROM:
            steps = "; ".join(f"{m.title} ({m.text})" if m.text else m.title for m in run)
            folded.append(Moment(f"{len(run)} steps done", run[-1].when, text=f"{steps}.", icon="check2-all"))
        else:
            folded.extend(run)
        run.clear()

    for moment in moments:
        if moment.step_done:
            run.append(moment)
            continue
        close_run()
        folded.append(moment)
    close_run()
    return folded


def tone_of(passed: bool) -> str:
    return "done" if passed else "problem"


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
    tasks = list(order.tasks.all())
    # What is held for the sign-off comes after it, in the list as in the work.
    after_signoff = [task for task in tasks if task.waits_for_signoff and task.state == TaskState.WAITING]
    steps += _task_moments([task for task in tasks if task not in after_signoff], order, number_of_items)
    wants_signoff = any(i.offering_id and i.offering.requires_customer_signoff for i in order.items.all())
    signed = any(s.accepted for s in order.signoffs.all())
    if wants_signoff and not signed and not order.awaiting_signoff:
        steps.append(Moment("You test the service and sign off", tone="next", icon="circle"))
    steps += _task_moments(after_signoff, order, number_of_items)
    steps.append(Moment("All done", when=order.expected_completion_date, tone="next", icon="flag"))
    return steps


def _task_moments(tasks, order: Order, number_of_items: int) -> list[Moment]:
    steps = []
    for task in tasks:
        context = _task_context(task, order, number_of_items)
        if task.state == TaskState.DISPATCHED:
            text = "Under way" + (f" · {context}" if context else "")
            steps.append(Moment(task.name, tone="now", icon="arrow-right", text=text))
        elif task.state == TaskState.FAILED:
            text = "Delayed: we're on it" + (f" · {context}" if context else "")
            steps.append(Moment(task.name, tone="problem", icon="exclamation-lg", text=text))
        elif task.state == TaskState.WAITING:
            steps.append(Moment(task.name, tone="next", icon="circle", text=context))
    return steps
