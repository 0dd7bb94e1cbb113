"""Change orders from the installed base: change, suspend, resume, transfer, repackage or end a product."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from customers.access import staff_required
from customers.models import Customer, InstalledProduct
from orders.models import ItemIntent
from orders.services import ALLOWED_FROM, create_change_order
from ordersite.console.forms.orders import ProductActionForm
from ordersite.console.shortcuts import REFUSALS, refusal_message
from ordersite.console.wizard import step_url


@staff_required
def product_action(request, pk: int, intent: str):
    """Start a change order for an installed product (change, suspend, resume, transfer, repackage, end)."""
    product = get_object_or_404(
        InstalledProduct.objects.select_related("customer", "offering", "install_address", "telephone_number"), pk=pk
    )
    if intent not in ALLOWED_FROM:
        raise Http404("No such action.")
    form = ProductActionForm(request.POST if request.method == "POST" else None, product=product, intent=intent)
    if request.method == "POST" and form.is_valid():
        try:
            order = create_change_order(
                product,
                intent=intent,
                by=request.user,
                reason=form.cleaned_data["reason"],
                new_owner=form.cleaned_data.get("new_owner"),
                new_offering=form.cleaned_data.get("new_offering"),
            )
        except REFUSALS as refusal:
            form.add_error(None, refusal_message(refusal))
        else:
            messages.success(
                request, f"Draft {order.number} started: {ItemIntent(intent).label.lower()} {product.name}."
            )
            next_step = "configure" if intent in (ItemIntent.CHANGE, ItemIntent.REPACKAGE) else "review"
            return redirect(step_url(order, next_step))
    allowed = product.status in ALLOWED_FROM[intent]
    chosen = form["new_owner"].value() if "new_owner" in form.fields else ""
    return render(
        request,
        "console/product_action.html",
        {
            "current_owner": Customer.objects.filter(number__iexact=chosen).first() if chosen else None,
            "product": product,
            "customer": product.customer,
            "intent": ItemIntent(intent),
            "form": form,
            "allowed": allowed,
        },
    )
