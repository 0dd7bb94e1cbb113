from customers.roles import request_role


def role(request):
    """The signed-in user's role, so the base template can draw the right navigation."""
    return {"role": request_role(request) if hasattr(request, "user") else None}
