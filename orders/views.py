from django.db.models import Count, Q
from django.shortcuts import render

from customers.access import staff_required
from customers.models import Customer
from orders.models import LifecycleStatus, ProductOffering


@staff_required
def agent_home(request):
    offerings = ProductOffering.objects.filter(lifecycle_status=LifecycleStatus.LAUNCHED).order_by("category", "name")
    recent_customers = Customer.objects.annotate(
        active_products=Count("products", filter=Q(products__status="active"))
    ).order_by("-created_at")[:10]
    return render(request, "orders/agent_home.html", {"offerings": offerings, "recent_customers": recent_customers})
