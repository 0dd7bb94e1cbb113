import sys

from django.views.defaults import server_error as django_server_error

from ordersite.middleware import DATABASE_DOWN_ERRORS, database_unavailable_response


def server_error(request, template_name="500.html"):
    """Django's 500 page, unless the failure was the database being unreachable (then 503)."""
    if isinstance(sys.exc_info()[1], DATABASE_DOWN_ERRORS):
        return database_unavailable_response()
    return django_server_error(request, template_name)
