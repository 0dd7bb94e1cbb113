"""The site's own pages: `/` sends each user to where they work."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from customers.roles import Role, request_role

HOME_BY_ROLE = {Role.AGENT: "console:agent-home", Role.SUPERVISOR: "admin:index", Role.CUSTOMER: "selfservice:my-home"}


@login_required
def home(request):
    """Send each user to where they work."""
    role = request_role(request)
    if role is None:
        return render(request, "no_role.html", status=403)
    return redirect(HOME_BY_ROLE[role])
