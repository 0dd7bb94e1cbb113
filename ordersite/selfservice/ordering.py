"""New online orders, in three steps: choose an offering, its details, review and send; or discard the draft."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse

from customers.access import customer_required
from customers.models import Channel, CustomerKind
from customers.selectors import installation_addresses_of
from orders.models import InitiatingRequest, ItemIntent, OfferingCategory, Order, OrderCategory, OrderItem, OrderState
from orders.qualification import (
    CUSTOMER_KIND,
    NOT_ON_SALE,
    PLACE_CODES,
    held_prerequisites,
    qualify,
    technology_names,
)
from orders.selectors import draft_for_customer, offerings_for_self_service, orders_of_customer
from orders.services import (
    OrderIncomplete,
    completeness_errors,
    configure_items,
    discard_draft,
    start_order,
    submit_order,
)
from ordersite.presentation.capture import CharacteristicsForm, changes_rows, path_label
from ordersite.selfservice.forms import DeliveryForm
from ordersite.selfservice.outcomes import REFUSALS, order_url, refusal_message, say_outcome, submission_key_for
from ordersite.selfservice.presenters import OrderRow, item_views, totals, where_posted
from ordersite.selfservice.wording import item_title, sentence

CATEGORY_ORDER = {
    OfferingCategory.BROADBAND: 0,
    OfferingCategory.MOBILE: 1,
    OfferingCategory.TV: 2,
    OfferingCategory.VOICE: 3,
    OfferingCategory.CONNECTIVITY: 4,
}


# Reasons that hold wherever the customer is: such an offering is not shown at all.
NEVER_FOR_THIS_CUSTOMER = {CUSTOMER_KIND, NOT_ON_SALE}


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
    """Every offering the customer could have, with where, or why they can't order it online.

    Asks the qualification service at each of the customer's install addresses. What is never for
    this customer (a business product for a person, anything not on sale) is left out altogether.
    """
    addresses = installation_addresses_of(customer)
    choices = []
    # Off-the-shelf first, in the order people usually shop; bespoke ("made for you") last.
    offerings = sorted(
        offerings_for_self_service(),
        key=lambda o: (o.is_bespoke, CATEGORY_ORDER.get(o.category, len(CATEGORY_ORDER)), o.recurring_price, o.name),
    )
    held = held_prerequisites(customer, offerings)
    for offering in offerings:
        anywhere = qualify(offering, customer, None, held=held)
        if anywhere.reason_codes & NEVER_FOR_THIS_CUSTOMER:
            continue
        choice = Choice(offering)
        if offering.requires_install_address:
            answers = [(a, qualify(offering, customer, a, held=held)) for a in addresses]
            choice.addresses = [a for a, answer in answers if answer.eligible]
            if not addresses:
                choice.reason = "We have no installation address for you yet: call us to add one."
            elif all(answer.reason_codes & PLACE_CODES for _, answer in answers):
                choice.reason = _not_here(offering, answers)
        if not choice.reason and anywhere.missing_prerequisites:
            choice.reason = f"Needs {' or '.join(r.name for r in anywhere.missing_prerequisites)}."
        choices.append(choice)
    return choices, addresses


def _not_here(offering, answers) -> str:
    """Why none of the customer's addresses can have it, in a few plain words."""
    served = {code for _, answer in answers for code in answer.technologies}
    if not served:  # no address matched the reference data: nothing to compare
        return "We couldn't check your address online: call us and we'll look."
    where = "your address" if len(answers) == 1 else "your addresses"
    return (
        f"Not available at {where}: it needs {technology_names(offering.serviceable_technologies)}, "
        f"and {where} {'has' if len(answers) == 1 else 'have'} {technology_names(served, 'and')}."
    )


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
        "selfservice/order_new.html",
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


def _start_draft(request, customer, choice: Choice) -> Order:
    offering = choice.offering
    return start_order(
        customer,
        by=request.user,
        request={"kind": InitiatingRequest.Kind.SALES_PROPOSAL, "details": f"Ordered online: {offering.name}."},
        items=[{"offering": offering, "install_address": choice.addresses[0] if choice.addresses else None}],
        category=OrderCategory.BUSINESS if customer.kind == CustomerKind.ORGANISATION else OrderCategory.CONSUMER,
        description=offering.name,
    )


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
        return redirect(order_url(order))
    try:
        discard_draft(order, by=request.user)
    except REFUSALS as refusal:
        messages.error(request, refusal_message(refusal, "This order has just been sent."))
        return redirect(order_url(order))
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
    sections = [(item, CharacteristicsForm.for_item(item, posted)) for item in items if _configured(item)]
    needing = [
        i for i in items if i.offering_id and i.offering.requires_install_address and i.intent == ItemIntent.PROVIDE
    ]
    addresses, unavailable = _places_for(request.user.customer, needing)
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
        # Whatever was typed is kept, valid or not: a closed browser loses nothing.
        changes = {
            item: {"characteristics": form.document} for item, form in sections if form.document != item.characteristics
        }
        details = {}
        if delivery_valid:
            data = delivery.cleaned_data
            # One address where it can be had: no question asked, that is where it goes.
            address = data.get("install_address") or (addresses[0] if len(addresses) == 1 else None)
            for item in needing:
                if address is not None and item.install_address_id != address.pk:
                    changes.setdefault(item, {})["install_address"] = address
            details = {
                "requested_start_date": data.get("requested_start_date"),
                "appointment_preference": data.get("appointment_preference", ""),
                "special_requirements": data.get("special_requirements", "").strip(),
            }
        if changes or details:
            configure_items(order, by=request.user, changes=changes, **details)
        rows_changed = changes_rows(posted)
        forms_valid = all([form.is_valid() for _, form in sections])  # noqa: C419 (every form shows its errors)
        if not rows_changed and delivery_valid and forms_valid:
            return redirect("selfservice:my-order-review", number=order.number)
    elif any(item.characteristics for item, _ in sections):
        for _, form in sections:
            form.is_valid()
    summary = [entry for _, form in sections if form.errors for entry in form.error_summary()]
    return render(
        request,
        "selfservice/order_details.html",
        {
            "order": order,
            "sections": [{"item": item, "title": item_title(item), "form": form} for item, form in sections],
            "items": item_views(items, where_posted(items, request.user.customer_id)),
            "totals": totals(items),
            "delivery": delivery,
            "needing": needing,
            "unavailable": unavailable,
            "address": addresses[0] if len(addresses) == 1 and needing else None,
            "bespoke": bespoke,
            "error_summary": summary,
            "flow": _flow("details", order),
            "my_section": "new",
        },
    )


def _places_for(customer, needing: list[OrderItem]) -> tuple[list, list[str]]:
    """The customer's addresses where every item can be installed, and why the others can't (plain sentences)."""
    addresses = installation_addresses_of(customer)
    if not needing:
        return addresses, []
    offerings = [item.offering for item in needing]
    held = held_prerequisites(customer, offerings)
    ordering = {item.offering_id for item in needing}
    places, reasons = [], []
    for address in addresses:
        answers = [qualify(offering, customer, address, ordering=ordering, held=held) for offering in offerings]
        refused = [reason for answer in answers for reason in answer.reasons if reason.code in PLACE_CODES]
        if refused:
            reasons += [reason.message for reason in refused]
        else:
            places.append(address)
    return places, reasons


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
            return redirect(order_url(order))
        say_outcome(request, outcome, sent="Thank you! Your order")
        return redirect(order_url(order))
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
        problems.append({"text": f"{where}: {sentence(error.message)}" if where else sentence(error.message)})
    bespoke = any(i.is_bespoke for i in items)
    return render(
        request,
        "selfservice/order_review.html",
        {
            "order": order,
            "items": item_views(items, where_posted(items, request.user.customer_id)),
            "totals": totals(items),
            "address": next((i.install_address for i in items if i.install_address_id), None),
            "problems": problems,
            "details_url": details_url,
            "bespoke": bespoke,
            "flow": _flow("review", order),
            "my_section": "new",
        },
    )
