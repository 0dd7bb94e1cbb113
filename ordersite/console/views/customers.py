"""The console's customers: the list and search, a new customer, the customer 360, interactions, the picker."""

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from customers import commands
from customers.access import staff_required
from customers.models import Customer
from customers.selectors import customers_with_active_product_counts, search_customers
from orders.selectors import customer_documents, customer_for_console, customer_orders, customers_at_address
from orders.services import ALLOWED_FROM
from ordersite.console.forms.customers import CustomerForm, InteractionForm
from ordersite.console.presenters import INTENT_VERBS

CUSTOMERS_PER_PAGE = 25


@staff_required
@require_GET
def customer_list(request):
    query = request.GET.get("q", "").strip()
    if query:
        customers = list(search_customers(query))
        known = {c.pk for c in customers}
        customers += [c for c in customers_at_address(query) if c.pk not in known]
        page = None
    else:
        page = Paginator(customers_with_active_product_counts().order_by("name"), CUSTOMERS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        customers = page.object_list
    return render(request, "console/customer_list.html", {"query": query, "customers": customers, "page": page})


@staff_required
def customer_create(request):
    """Step 1 of 2: who the customer is and how to reach them; step 2 is their address."""
    form = CustomerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            customer = commands.create_customer(
                by=request.user, channel=request.user.channel, **form.customer_details()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{customer.name} is customer {customer.number}. Now add their address.")
            return redirect(reverse("console:add-address", args=[customer.number]) + "?new=1")
    return render(request, "console/customer_form.html", {"form": form, "step": 1})


@staff_required
@require_GET
def customer_detail(request, number: str):
    customer = customer_for_console(number)
    products = list(customer.products.all())
    for product in products:
        product.open_item = product.open_items[0] if product.open_items else None
        product.actions = [
            (intent, INTENT_VERBS[intent]) for intent, allowed in ALLOWED_FROM.items() if product.status in allowed
        ]
    return render(
        request,
        "console/customer_detail.html",
        {
            "customer": customer,
            "contacts": list(customer.contacts.all()),
            "addresses": list(customer.addresses.all()),
            "products": products,
            "orders": customer_orders(customer),
            "interactions": list(customer.interactions.all()[:10]),
            "documents": customer_documents(customer),
            "interaction_form": InteractionForm(),
        },
    )


@staff_required
@require_POST
def record_interaction(request, number: str):
    customer = get_object_or_404(Customer, number__iexact=number)
    form = InteractionForm(request.POST)
    if form.is_valid():
        commands.record_interaction(
            customer,
            by=request.user,
            kind=form.cleaned_data["kind"],
            channel=request.user.channel,
            summary=form.cleaned_data["summary"],
        )
        messages.success(request, "Interaction recorded.")
    else:
        messages.error(request, "Write what was said or done before recording the interaction.")
    return redirect(reverse("console:customer-detail", args=[customer.number]) + "#interactions")


FIELD_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,59}$")


@staff_required
@require_GET
def customer_lookup(request):
    """Customers matching ?q=, as radio buttons named ?field= (htmx): the picker for a transfer's new owner."""
    field = request.GET.get("field", "")
    if not FIELD_NAME.match(field):
        field = "customer"
    # The picker's search box is named <field>-q, so it never mixes with the form it sits in.
    query = (request.GET.get("q") or request.GET.get(f"{field}-q") or "").strip()
    exclude = request.GET.get("exclude", "")
    results = []
    if len(query) >= 2:
        results = [c for c in search_customers(query, limit=8) if c.number != exclude]
    return render(
        request,
        "console/partials/customer_choices.html",
        {"field": field, "query": query, "results": results, "chosen": request.GET.get("chosen", "")},
    )
