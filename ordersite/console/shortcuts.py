"""What every order view in the console needs: the order by its number (or 404), its page's URL, and a
command's refusal in words.
"""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse

from orders.models import Order, order_pk_from_number
from orders.services import ActionRefused, ConcurrentTransition, TransitionNotAllowed

REFUSALS = (ActionRefused, TransitionNotAllowed, ConcurrentTransition)


def refusal_message(refusal: Exception) -> str:
    if isinstance(refusal, ConcurrentTransition):
        return "Someone else changed this order at the same moment, so nothing was changed. Check it and try again."
    if isinstance(refusal, TransitionNotAllowed):
        return f"This order has moved on, so nothing was changed. {refusal}".strip()
    return str(refusal)


def order_or_404(number: str, load=None) -> Order:
    pk = order_pk_from_number(number)
    if pk is None:
        raise Http404("No such order.")
    try:
        return load(pk) if load else Order.objects.select_related("customer").get(pk=pk)
    except Order.DoesNotExist as missing:
        raise Http404("No such order.") from missing


def detail_url(order: Order, anchor: str = "") -> str:
    return reverse("console:order-detail", args=[order.number]) + (f"#{anchor}" if anchor else "")
