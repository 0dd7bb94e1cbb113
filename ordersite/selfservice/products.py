"""The customer's products, and the changes they may start on their own: change settings, suspend, resume, end."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from customers.access import customer_required
from customers.models import ProductStatus
from orders.models import ItemIntent, Order
from orders.selectors import product_for_customer, products_of_customer
from orders.services import ALLOWED_FROM, OrderIncomplete, send_change
from ordersite.presentation.capture import CharacteristicsForm, changes_rows, describe, path_label
from ordersite.selfservice.forms import ProductActionForm
from ordersite.selfservice.outcomes import REFUSALS, order_url, say_outcome, submission_key_for
from ordersite.selfservice.wording import CUSTOMER_INTENTS, product_status_label, sentence, state_label

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
        "selfservice/products.html",
        {
            "products": [p for p in products if p.status not in ENDED_STATUSES],
            "ended": [p for p in products if p.status in ENDED_STATUSES],
            "my_section": "products",
        },
    )


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
        characteristics = CharacteristicsForm.editing(
            product.offering.data_requirements,
            product.characteristics,
            prefix="c",
            data=request.POST if request.method == "POST" else None,
        )
    if request.method == "POST":
        if open_item is not None or not allowed:
            messages.error(request, f"{product.name} can't be changed like that right now.")
            return redirect("selfservice:my-products")
        rows_changed = changes_rows(request.POST)
        valid = form.is_valid() & (characteristics is None or characteristics.is_valid())
        if characteristics is not None and valid and characteristics.document == product.characteristics:
            form.add_error(None, "Nothing has changed yet: change a setting first.")
            valid = False
        if valid and not rows_changed:
            order = _send_change(request, product, intent, form, characteristics)
            if order is not None:
                return redirect(order_url(order))
    return render(
        request,
        "selfservice/product_action.html",
        {
            "product": product,
            "status_label": product_status_label(product),
            "intent": intent,
            "words": {k: v.format(name=product.display_name) if isinstance(v, str) else v for k, v in words.items()},
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
        outcome = send_change(
            product,
            by=request.user,
            intent=intent,
            reason=form.cleaned_data["reason"],
            characteristics=characteristics.document if characteristics is not None else None,
            submission_key=submission_key_for,
        )
    except OrderIncomplete as incomplete:
        if characteristics is None:
            # The product's details on record no longer satisfy the catalog: nothing the customer can fix here.
            form.add_error(None, f"We can't do this online for {product.name}. Please call us and we'll sort it out.")
        for error in incomplete.errors if characteristics is not None else []:
            where = error.path.partition(".characteristics.")[2]
            label = path_label(product.offering.data_requirements, where) if where else ""
            form.add_error(None, f"{label}: {sentence(error.message)}" if label else sentence(error.message))
        return None
    except REFUSALS as refusal:
        form.add_error(None, str(refusal))
        return None
    say_outcome(request, outcome, sent=CUSTOMER_INTENTS[intent]["sent"].format(name=product.display_name))
    return outcome.order
