"""The customer's overview at /my/: what waits for them, their open orders, their products."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from customers.access import customer_required
from orders.models import TERMINAL_STATES
from orders.selectors import orders_needing_attention, orders_of_customer, products_of_customer
from ordersite.selfservice.presenters import OrderRow
from ordersite.selfservice.wording import product_status_label


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
        "selfservice/home.html",
        {
            "customer": customer,
            "products": products,
            "open_orders": [OrderRow.of(o) for o in orders],
            "attention": [OrderRow.of(o) for o in attention],
            "my_section": "home",
        },
    )
