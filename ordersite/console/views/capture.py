"""Guided capture: the draft starts with step 1 (customer and request), then one view serves every step.

The steps themselves: request and products here, configuration, delivery and review in their own modules.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from customers.access import staff_required
from customers.models import Address, Customer, CustomerKind, InstalledProduct, ProductStatus
from customers.selectors import installation_addresses_of, search_customers
from orders import catalog, selectors
from orders.models import ItemIntent, Order, OrderCategory, OrderPriority, OrderState
from orders.qualification import qualify_all, technology_names
from orders.services import (
    ALLOWED_FROM,
    add_item,
    add_offering,
    change_initiating_request,
    remove_item,
    start_order,
)
from ordersite.console.forms.orders import AddOfferingForm, ChangeProductForm, RequestStepForm
from ordersite.console.outcomes import order_outcome
from ordersite.console.presenters import INTENT_VERBS, item_totals, item_views
from ordersite.console.shortcuts import REFUSALS, detail_url, order_or_404, refusal_message
from ordersite.console.views.capture_configure import configure_step
from ordersite.console.views.capture_delivery import delivery_step
from ordersite.console.views.capture_review import review_step
from ordersite.console.wizard import after_save, capture_context, step_url


@staff_required
def capture_start(request):
    """Step 1 for a new order: find the customer, then record what led to the order; the draft starts here."""
    number = (request.POST.get("customer") or request.GET.get("customer") or "").strip()
    if not number:
        query = request.GET.get("q", "").strip()
        return render(
            request,
            "console/capture/choose_customer.html",
            {
                "query": query,
                "results": customers_found(query) if query else [],
                **capture_context(None, "request", None),
            },
        )
    customer = get_object_or_404(Customer, number__iexact=number)
    initial = {
        "category": OrderCategory.BUSINESS if customer.kind == CustomerKind.ORGANISATION else OrderCategory.CONSUMER,
        "priority": OrderPriority.NORMAL,
    }
    form = RequestStepForm(request.POST if request.method == "POST" else None, customer=customer, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            order = start_order(customer, by=request.user, **_request_step(form))
        except ValidationError as invalid:
            form.add_error(None, invalid)
        else:
            messages.success(request, f"Draft {order.number} started: it is saved at every step.")
            return after_save(request, order, "request")
    return render(request, "console/capture/request.html", capture_context(None, "request", customer, form=form))


def customers_found(query: str) -> list[Customer]:
    """The customers a search finds, and the customer of an order number: creating a customer is offered
    only when nothing matched at all (an agent who types an order number must not make a duplicate)."""
    results = list(search_customers(query))
    owner = selectors.customer_of_order(query)
    if owner is not None and owner.pk not in {c.pk for c in results}:
        results.append(owner)
    return results


def _request_step(form: RequestStepForm) -> dict:
    """What the request step sets: the request on record the agent chose (or what a new one says),
    the order's category, priority and description."""
    data = form.cleaned_data
    if data.get("existing_request"):
        initiating = data["existing_request"]
    else:
        initiating = {"kind": data["kind"], "reference": data["reference"].strip(), "details": data["details"]}
    return {
        "request": initiating,
        "category": data["category"],
        "priority": data["priority"],
        "description": data["description"],
    }


@staff_required
def capture_step(request, number: str, step: str):
    handler = CAPTURE_STEPS.get(step)
    if handler is None:
        raise Http404("No such step.")
    order = order_or_404(number, selectors.order_for_capture)
    if order.state != OrderState.DRAFT:
        messages.info(request, f"{order.number} has been submitted; it can no longer be edited.")
        return redirect(detail_url(order))
    try:
        return handler(request, order)
    except REFUSALS as refusal:
        messages.error(request, refusal_message(refusal))
        return redirect(step_url(order, step))


def _step_request(request, order: Order):
    customer = order.customer
    initial = {
        "existing_request": order.initiating_request_id,
        "category": order.category,
        "priority": order.priority,
        "description": order.description,
    }
    form = RequestStepForm(request.POST if request.method == "POST" else None, customer=customer, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            change_initiating_request(order, by=request.user, **_request_step(form))
        except ValidationError as invalid:
            form.add_error(None, invalid)
        else:
            return after_save(request, order, "request")
    return render(request, "console/capture/request.html", capture_context(order, "request", customer, form=form))


def _step_products(request, order: Order):
    customer = order.customer
    if request.method == "POST":
        return _change_products(request, order)
    products = list(
        InstalledProduct.objects.filter(customer=customer)
        .exclude(status__in=[ProductStatus.TERMINATED, ProductStatus.CANCELLED])
        .select_related("install_address", "telephone_number")  # the page names products, not their offerings
    )
    in_this_order = {item.product_id for item in order.items.all() if item.product_id}
    for product in products:
        product.actions = [
            (intent, INTENT_VERBS[intent]) for intent, allowed in ALLOWED_FROM.items() if product.status in allowed
        ]
        product.in_this_order = product.pk in in_this_order
    places = installation_addresses_of(customer)
    place = _qualification_place(request.GET, order, places)
    ordering = {item.offering_id for item in order.items.all() if item.intent == ItemIntent.PROVIDE}
    # The products listed are every one the customer holds, so they answer the add-on prerequisites too.
    answers = qualify_all(catalog.offerings_on_sale(), customer, place, ordering=ordering, holdings=products)
    context = capture_context(
        order,
        "products",
        customer,
        offerings=[answer.offering for answer in answers if answer.eligible],
        unavailable=[answer for answer in answers if not answer.eligible],
        places=places,
        place=place,
        place_technologies=technology_names(place.technologies, "and") if place else "",
        products=products,
    )
    context["totals"] = item_totals(context["items"])
    return render(request, "console/capture/products.html", context)


def _qualification_place(data, order: Order, places: list[Address]) -> Address | None:
    """Where the catalog is qualified: the address the agent chose, else the one an item already
    goes to, else the customer's first install address (None if they have none on record yet)."""
    by_pk = {str(place.pk): place for place in places}
    if data.get("place") in by_pk:
        return by_pk[data["place"]]
    chosen = next(
        (by_pk[str(i.install_address_id)] for i in order.items.all() if str(i.install_address_id) in by_pk), None
    )
    return chosen or (places[0] if places else None)


def _change_products(request, order: Order):
    by = request.user
    if "remove_item" in request.POST:
        item = next((i for i in order.items.all() if str(i.pk) == request.POST["remove_item"]), None)
        if item is None:
            raise Http404("No such item.")
        remove_item(item, by=by)
        messages.success(request, f"Removed {item.offering.name if item.offering_id else 'the item'}.")
        return redirect(step_url(order, "products", "order-items"))
    if "offering" in request.POST:
        form = AddOfferingForm(request.POST)
        if not form.is_valid():
            messages.error(request, "That offering is not on sale.")
            return redirect(step_url(order, "products"))
        offering = form.cleaned_data["offering"]
        place = _qualification_place(request.POST, order, installation_addresses_of(order.customer))
        add_offering(order, by=by, offering=offering, place=place)
        messages.success(request, f"Added {offering.name}.")
        return redirect(step_url(order, "products", "order-items"))
    form = ChangeProductForm(request.POST)
    if form.is_valid():
        product = get_object_or_404(InstalledProduct, pk=form.cleaned_data["product"], customer=order.customer)
        intent = form.cleaned_data["intent"]
        if intent not in ALLOWED_FROM or product.status not in ALLOWED_FROM[intent]:
            messages.error(
                request, f"{product.name} is {product.get_status_display().lower()}: it cannot be changed so."
            )
            return redirect(step_url(order, "products"))
        add_item(
            order,
            by=by,
            offering=product.offering,
            intent=intent,
            product=product,
            # A repackage starts from the product's configuration; the configure step keeps what
            # still applies once the new offering is chosen.
            characteristics=dict(product.characteristics),
            install_address=product.install_address,
        )
        messages.success(request, f"Added: {ItemIntent(intent).label.lower()} {product.name}.")
    return redirect(step_url(order, "products", "order-items"))


CAPTURE_STEPS = {
    "request": _step_request,
    "products": _step_products,
    "configure": configure_step,
    "delivery": delivery_step,
    "review": review_step,
}


@staff_required
@require_GET
def capture_outcome(request, number: str):
    order = order_or_404(number, selectors.order_for_capture)
    if order.state == OrderState.DRAFT:
        return redirect(step_url(order, "review"))
    items = list(order.items.all())
    return render(
        request,
        "console/capture/outcome.html",
        {
            "order": order,
            "customer": order.customer,
            "outcome": order_outcome(order),
            "item_views": item_views(items),
            "totals": item_totals(items),
        },
    )
