"""The customer's orders: the list, one order's page (and its polls), answer a question, cancel, sign off."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django_fsm import can_proceed

from customers.access import customer_required
from customers.models import Channel
from orders.fulfilment.orchestration import sign_off_delivery
from orders.models import (
    TERMINAL_STATES,
    DeliverySignOff,
    InitiatingRequest,
    ItemIntent,
    Order,
    OrderItem,
    OrderState,
)
from orders.selectors import order_for_customer, order_page_for_customer, orders_of_customer
from orders.services import answer_information, request_cancellation
from ordersite.presentation.live import LiveParts, live_page, live_poll, polls_sign_in_again, steps_done
from ordersite.selfservice.forms import AnswerForm, CancelForm, SignOffForm
from ordersite.selfservice.outcomes import REFUSALS, order_url, refusal_message
from ordersite.selfservice.presenters import OrderRow, amendment_changes, item_views, totals, where_posted
from ordersite.selfservice.timeline import history, next_steps
from ordersite.selfservice.wording import (
    CHANNEL_LABELS,
    customer_reason,
    customer_refusal,
    order_summary,
    state_explanation,
    state_label,
    too_late_items,
    too_late_text,
    why_not_cancellable,
)

ORDERS_PER_PAGE = 20
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
        "selfservice/orders.html",
        {
            "rows": [OrderRow.of(order) for order in page.object_list],
            "page": page,
            "show": show,
            "filters": [(key, label) for key, (label, _) in ORDER_FILTERS.items()],
            "my_section": "orders",
        },
    )


def _render_order(request, order: Order, *, answer_form=None):
    context = _order_context(order, answer_form=answer_form)
    context["live"] = live_page(order, _live_parts(order, context))
    return render(request, "selfservice/order_detail.html", context)


def _order_context(order: Order, *, answer_form=None) -> dict:
    items = list(order.items.all())
    questions = list(order.information_requests.all())
    open_question = next((q for q in questions if q.is_open), None) if order.state == OrderState.PENDING else None
    # The order is the customer's (the selector saw to it); request_cancellation checks permission again.
    may_cancel = can_proceed(order.assess_cancellation)
    too_late = too_late_items(order) if may_cancel else []
    sign_off_url = reverse("selfservice:my-order-signoff", args=[order.number])
    details_url = reverse("selfservice:my-order-details", args=[order.number])
    return {
        "order": order,
        "label": state_label(order),
        "explanation": state_explanation(order, open_question=open_question),
        "channel_label": CHANNEL_LABELS.get(order.channel, order.get_channel_display()),
        "items": item_views(items, where_posted(items, order.customer_id)),
        "totals": totals(items),
        "address": next((i.install_address for i in items if i.install_address_id), None),
        "changes_from": amendment_changes(_with_items(order.revision_of), order) if order.revision_of_id else [],
        "changes_in": amendment_changes(order, _with_items(order.superseded_by)) if order.superseded_by_id else [],
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
        "too_late": too_late_text(too_late) if too_late else why_not_cancellable(order),
        "may_sign_off": order.state == OrderState.PENDING and order.awaiting_signoff,
        "may_continue": order.state == OrderState.DRAFT and order.channel == Channel.SELF_SERVICE,
        "your_note": _your_note(order),
        "rejection_reasons": [customer_reason(r) for r in order.rejection_reasons]
        if order.state == OrderState.REJECTED
        else [],
        "my_section": "orders",
    }


def _with_items(order: Order) -> Order:
    """The other order of an amendment, with what its changes are read from (this one's are prefetched)."""
    items = OrderItem.objects.select_related("offering", "product", "install_address").order_by("id")
    prefetch_related_objects([order], Prefetch("items", queryset=items))
    return order


def _live_parts(order: Order, context: dict) -> LiveParts:
    """What the page's polls follow (presentation.live.live_poll): the status card polls, the rest comes with it."""
    steps = steps_done(order) if order.state != OrderState.CANCELLED else ""
    return LiveParts(
        url=order_url(order),
        poller="selfservice/includes/order_status.html",
        regions="selfservice/partials/order_progress.html",
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
    if request.htmx:  # the page's own poll (templates/selfservice/includes/order_status.html)
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
        messages.error(request, refusal_message(refusal, "This order isn't waiting for an answer any more."))
    else:
        messages.success(request, "Thank you: we have your answer, and your order carries on.")
    return redirect(order_url(order))


@customer_required
def my_order_cancel(request, number: str):
    customer = request.user.customer
    order = order_page_for_customer(customer=customer, number=number)
    if not can_proceed(order.assess_cancellation):
        reason = why_not_cancellable(order)
        if reason:
            messages.info(request, f"{order.number}: {reason}")
        else:
            messages.info(request, f"{order.number} is {state_label(order).lower()}: it can't be cancelled now.")
        return redirect(order_url(order))
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            cancellation = request_cancellation(order, by=request.user, reason=form.cleaned_data["reason"])
        except REFUSALS as refusal:
            messages.error(request, refusal_message(refusal, "This order has just moved on."))
        else:
            if cancellation.state == cancellation.State.DONE:
                messages.success(request, f"{order.number} is cancelled. Nothing more will happen with it.")
            else:
                refusal = customer_refusal(order, cancellation.refusal_reason)
                messages.error(request, f"We couldn't cancel {order.number}. {refusal}")
        return redirect(order_url(order))
    items = list(order.items.all())
    too_late = too_late_items(order)
    return render(
        request,
        "selfservice/order_cancel.html",
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
        return redirect(order_url(order))
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
            messages.error(request, refusal_message(refusal, "This order has just moved on."))
        else:
            if signoff.accepted and signoff.test_result != DeliverySignOff.TestResult.FAILED:
                messages.success(request, f"Thank you for signing off. {order.number} is done.")
            else:
                messages.warning(
                    request, "Thank you: we've passed what you noticed to our team, who will put it right."
                )
        return redirect(order_url(order))
    return render(
        request,
        "selfservice/order_signoff.html",
        {
            "order": order,
            "label": state_label(order),
            "items": item_views(items),
            "form": form,
            "my_section": "orders",
        },
    )
