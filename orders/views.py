from django.shortcuts import render

from customers.access import staff_required
from customers.selectors import customers_with_active_product_counts, search_customers
from orders.models import LifecycleStatus, ProductOffering


@staff_required
def agent_home(request):
    query = request.GET.get("q", "").strip()
    customers = (
        search_customers(query) if query else customers_with_active_product_counts().order_by("-created_at")[:10]
    )
    offerings = ProductOffering.objects.filter(lifecycle_status=LifecycleStatus.LAUNCHED).order_by("category", "name")
    return render(
        request, "orders/agent_home.html", {"offerings": offerings, "recent_customers": customers, "query": query}
    )
