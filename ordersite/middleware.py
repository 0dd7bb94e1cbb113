"""Cross-cutting HTTP behaviour: no caching of private pages, and a 503 when the database is down."""

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.template.loader import render_to_string
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers

# Connection loss, timeouts and serialization failures: all of them are worth retrying later.
DATABASE_DOWN_ERRORS = (OperationalError, InterfaceError)


def database_unavailable_response() -> HttpResponse:
    """A 503 the client can retry, instead of a 500 that reads like our bug."""
    try:
        body = render_to_string("503.html")
    except Exception:  # the template layer must not turn an outage into a 500
        body = "<h1>Service temporarily unavailable</h1><p>Please try again shortly.</p>"
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(settings.DATABASE_UNAVAILABLE_RETRY_AFTER)
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    """Outermost layer: answers 503 + Retry-After for a lost database connection.

    Errors raised in views arrive through process_exception; those raised in inner middleware
    (a session lookup, the login throttle) are already turned into 500 responses by Django, so
    the 500 handler (ordersite.views.server_error) repeats the same check.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        except DATABASE_DOWN_ERRORS:
            return database_unavailable_response()

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_DOWN_ERRORS):
            return database_unavailable_response()
        return None


class NoStoreForAuthenticatedMiddleware:
    """Pages for a signed-in user hold personal data: browsers and proxies must not keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
