"""The site's own pages: `/` sends each user to where they work; the 400 answer for every channel."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import requires_csrf_token

from customers.roles import Role, request_role
from ordersite.middleware import UnstorableInput
from ordersite.tmf.tmf630.errors import error_body

# Where the TM Forum APIs answer (ordersite/urls.py): their clients read a TMF630 Error, never a page.
API_PATH_PREFIX = "/tmf-api/"
GENERIC_BAD_REQUEST = "The request could not be understood."

HOME_BY_ROLE = {Role.AGENT: "console:agent-home", Role.SUPERVISOR: "admin:index", Role.CUSTOMER: "selfservice:my-home"}


@login_required
def home(request):
    """Send each user to where they work."""
    role = request_role(request)
    if role is None:
        return render(request, "no_role.html", status=403)
    return redirect(HOME_BY_ROLE[role])


@requires_csrf_token
def bad_request(request, exception):
    """handler400: the TMF630 Error body under /tmf-api/, the 400 page elsewhere.

    Our own refusals (ordersite.middleware.UnstorableInput) say what was wrong and where; Django's
    (a malformed host, too many fields) keep their details for the log.
    """
    message = str(exception) if isinstance(exception, UnstorableInput) else GENERIC_BAD_REQUEST
    if request.path.startswith(API_PATH_PREFIX):
        return JsonResponse(error_body(400, message), status=400)
    return render(request, "400.html", {"message": message}, status=400)
