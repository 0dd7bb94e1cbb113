from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from customers.access import customer_required
from customers.roles import Role, request_role

HOME_BY_ROLE = {Role.AGENT: "orders:agent-home", Role.SUPERVISOR: "admin:index", Role.CUSTOMER: "customers:my-home"}


@login_required
def home(request):
    """Send each user to where they work."""
    role = request_role(request)
    if role is None:
        return render(request, "no_role.html", status=403)
    return redirect(HOME_BY_ROLE[role])


@customer_required
def my_home(request):
    customer = request.user.customer
    products = customer.products.select_related("offering", "install_address").order_by("-created_at")
    return render(request, "customers/my_home.html", {"customer": customer, "products": products})
