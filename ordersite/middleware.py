"""Cross-cutting HTTP behaviour: no caching of private pages, and a 503 when the database is down."""

import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers, patch_vary_headers

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


@receiver(got_request_exception)
def _note_database_outage(sender, request=None, **kwargs):
    # Django turns exceptions into 500 responses inside every middleware layer, so the outer
    # layer never sees them; this signal fires while the exception is still being handled.
    if request is not None and isinstance(sys.exc_info()[1], DATABASE_DOWN_ERRORS):
        request.database_unavailable = True


class DatabaseUnavailableMiddleware:
    """Outermost layer: a request that failed because the database is unreachable gets a 503."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "database_unavailable", False):
            return database_unavailable_response()
        return response


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


def is_poll(request) -> bool:
    """A request the page makes by itself (htmx polling, marked `hx-headers='{"X-Poll": "1"}'`), not the user."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("X-Poll") == "1"


class PollingLeavesSessionIdleMiddleware:
    """A page polling for updates is not the user being active: the 30 idle minutes still run out.

    SESSION_SAVE_EVERY_REQUEST pushes the session's expiry on with every request, so an order page
    polling every few seconds would keep an unattended screen signed in for ever. Listed right after
    SessionMiddleware, this sees the response first: when a poll changed nothing in the session, it
    takes the session off the request, and SessionMiddleware (which skips a request without one)
    neither saves it, so the expiry stays where the user's last own request put it, nor sends the
    cookie again. Once the session has expired, the poll finds nobody signed in and the page goes to
    the login page (ordersite.presentation.live.polls_sign_in_again).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and is_poll(request) and not session.modified:
            patch_vary_headers(response, ("Cookie",))  # as SessionMiddleware would have, for a session it read
            del request.session
        return response
