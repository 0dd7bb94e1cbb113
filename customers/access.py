"""Page guards: each page names the roles that may open it; the server checks on every request."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from customers.roles import Role, request_role

STAFF_ROLES = (Role.AGENT, Role.SUPERVISOR)


def role_required(*roles: Role):
    """Signed-out visitors go to the login page; signed-in users without the role get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request_role(request) not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


staff_required = role_required(*STAFF_ROLES)
customer_required = role_required(Role.CUSTOMER)
