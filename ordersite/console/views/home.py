"""The agent's home: search for a customer, an address or an order; drafts, orders waiting on customers."""

from __future__ import annotations

from django.shortcuts import render

from customers.access import staff_required
from customers.selectors import customers_with_active_product_counts, search_customers
from orders import selectors
from orders.models import order_pk_from_number
from ordersite.console.forms.orders import offerings_on_sale


@staff_required
def agent_home(request):
    query = request.GET.get("q", "").strip()
    context = {"query": query, "offerings": offerings_on_sale()}
    if query:
        customers = list(search_customers(query))
        known = {c.pk for c in customers}
        customers += [c for c in selectors.customers_at_address(query) if c.pk not in known]
        order_pk = order_pk_from_number(query)
        found = selectors.orders_for_tracking().filter(pk=order_pk).first() if order_pk else None
        if found is not None and found.customer_id not in known:
            # The order's customer matches too: "no customer matches" would invite a duplicate customer.
            customers.append(selectors.customer_of_order(query))
        context.update(recent_customers=customers, found_order=found)
    else:
        context.update(
            recent_customers=customers_with_active_product_counts().order_by("-created_at")[:8],
            drafts=selectors.drafts_captured_by(request.user),
            waiting=selectors.orders_waiting_on_customer(),
            recent_orders=selectors.recent_orders_captured_by(request.user),
        )
    return render(request, "console/agent_home.html", context)
