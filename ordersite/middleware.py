"""Cross-cutting HTTP behaviour: no caching of private pages, a 503 when the database is down, a 400 for
text no database column can hold (NUL, lone surrogates)."""

import re
import sys
import time
from importlib import import_module

from django.conf import settings
from django.core.exceptions import BadRequest
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import get_resolver
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


# How often a user's own requests push the session's expiry on. The idle timeout then ends a session
# between SESSION_COOKIE_AGE minus this and SESSION_COOKIE_AGE after the user's last request: never
# later than the 30 idle minutes, and a user clicking through a page a second no longer costs a session
# write (three statements) on every request.
SESSION_REFRESH_SECONDS = 60
SESSION_REFRESHED_AT = "_expiry_pushed_at"


def _recently_refreshed(session) -> bool:
    pushed = session.get(SESSION_REFRESHED_AT)
    return isinstance(pushed, int | float) and 0 <= time.time() - pushed < SESSION_REFRESH_SECONDS


class PollingLeavesSessionIdleMiddleware:
    """A page polling for updates is not the user being active: the 30 idle minutes still run out.
    And a session is written at most once a minute for the user's own requests.

    SESSION_SAVE_EVERY_REQUEST pushes the session's expiry on with every request, so an order page
    polling every few seconds would keep an unattended screen signed in for ever. Listed right after
    SessionMiddleware, this sees the response first: when a poll changed nothing in the session, it
    takes the session off the request, and SessionMiddleware (which skips a request without one)
    neither saves it, so the expiry stays where the user's last own request put it, nor sends the
    cookie again. Once the session has expired, the poll finds nobody signed in and the page goes to
    the login page (ordersite.presentation.live.polls_sign_in_again).

    A request of the user's own that changed nothing does the same when the expiry was pushed less than
    SESSION_REFRESH_SECONDS ago (the time is kept in the session); otherwise it records the time, and
    SessionMiddleware saves the session and sends the cookie with the new expiry, as it always did.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.modified:
            return response
        if is_poll(request) or _recently_refreshed(session):
            patch_vary_headers(response, ("Cookie",))  # as SessionMiddleware would have, for a session it read
            del request.session
        elif not session.is_empty():  # (a visitor without a session, or whose session ended, gets none)
            session[SESSION_REFRESHED_AT] = int(time.time())
        return response


# U+0000 and the UTF-16 surrogate halves: PostgreSQL stores neither in text or jsonb, and a lone
# surrogate cannot even be encoded as UTF-8, so either one turns the first query into a 500.
UNSTORABLE_CHARACTERS = re.compile("[\x00\ud800-\udfff]")
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class UnstorableInput(BadRequest):
    """Text in a request that no field could ever hold; the message says where, for the person or client."""


def unstorable_character(text: str) -> str | None:
    """What is wrong with this text, if it holds a character that cannot be stored."""
    found = UNSTORABLE_CHARACTERS.search(text)
    if found is None:
        return None
    return "a NUL character (U+0000)" if found.group() == "\x00" else "a lone UTF-16 surrogate"


def printable(text: str) -> str:
    """The text with its unstorable characters shown as U+FFFD, so the message itself can be sent."""
    return UNSTORABLE_CHARACTERS.sub("\ufffd", text)


def find_unstorable_input(request) -> str | None:
    """Where the request carries such a character: its path, a query parameter or a form field.

    Form fields are read only for form bodies (JSON bodies are the API parser's, and reading
    request.POST would consume a body a view reads raw). Uploaded files are checked by their names.
    """
    problem = unstorable_character(request.path_info)
    if problem:
        return f"The address contains {problem}, which is not accepted."
    places = [("query parameter", request.GET)]
    if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
        places += [("form field", request.POST), ("uploaded file", request.FILES)]
    for kind, data in places:
        for name, values in data.lists():
            problem = unstorable_character(name)
            if problem:
                return f"The name of a {kind} ({printable(name)!r}) contains {problem}, which is not accepted."
            for value in values:
                text = value if isinstance(value, str) else (value.name or "")
                problem = unstorable_character(text)
                if problem:
                    return f"The {kind} {name!r} contains {problem}, which is not accepted."
    return None


class RefuseUnstorableInputMiddleware:
    """A NUL or a lone surrogate in the address, the query string, a form body or a cookie: a 400 that says where.

    One place for every page, form and API operation, instead of each view learning that the database
    refuses these characters. The answer is the root URLconf's handler400 (ordersite.views.bad_request:
    the TMF630 Error body under /tmf-api/, the 400 page elsewhere). JSON bodies are checked by the API's
    parser (ordersite/tmf/tmf630/parsers.py). Forms still reject NUL themselves (Django's CharField has
    ProhibitNullCharactersValidator), for any path that reaches them without this layer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bad_cookies = [name for name, value in request.COOKIES.items() if unstorable_character(name + value)]
        if bad_cookies:
            forget_session(request)
            problem = (
                f"A cookie your browser sent ({printable(bad_cookies[0])!r}) contains "
                f"{unstorable_character(bad_cookies[0] + request.COOKIES[bad_cookies[0]])}; it has been "
                "cleared, so please sign in again."
            )
        else:
            problem = find_unstorable_input(request)
        if problem is None:
            return self.get_response(request)
        handler = get_resolver(getattr(request, "urlconf", None)).resolve_error_handler(400)
        response = handler(request, UnstorableInput(problem))
        for name in bad_cookies:  # or the browser would send it, and be refused, on every request
            response.delete_cookie(name)
        return response


def forget_session(request) -> None:
    """An empty session and nobody signed in: the session (and the user) would be looked up by a bad key.

    A cookie's value can carry any character (RFC 6265 quoting lets "\\000" through as a NUL), and the
    session key goes to the database as it came. SessionMiddleware then deletes the empty session's cookie.
    """
    from django.contrib.auth.models import AnonymousUser  # apps must be ready first

    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    request.user = AnonymousUser()
