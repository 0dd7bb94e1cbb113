"""The second step of signing in: nobody who owes a code (or an enrolment) reaches any other page.

At sign-in (Django's user_logged_in signal, whatever page signed the user in: ours, the admin's, a
test's force_login) the session records what the user still owes:

- VERIFY: they have an authenticator, so a code from it (or a recovery code) before anything else;
- ENROL: their role requires two-step sign-in (OTP_REQUIRED_FOR_STAFF) and they have no authenticator,
  so they set one up first;
- NOTHING: neither.

SecondFactorMiddleware (after django-otp's OTPMiddleware) sends a user who owes a step to its page,
from every view, the console's and the admin's alike, but the login, logout and the step's own pages.
Reading the state from the session costs no query for the many users who owe nothing.
"""

from __future__ import annotations

from urllib.parse import urlencode

import django_otp
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from customers.second_factor import has_second_factor, second_factor_required

STATE_SESSION_KEY = "accounts.second_factor"
VERIFY = "verify"
ENROL = "enrol"
NOTHING = "nothing"

# Views a user who still owes the second step may open.
OPEN_DURING_SIGN_IN = {"login", "logout", "admin:logout", "accounts:verify", "accounts:setup"}


def owed_step(user) -> str:
    if has_second_factor(user):
        return VERIFY
    return ENROL if second_factor_required(user) else NOTHING


@receiver(user_logged_in, dispatch_uid="ordersite.accounts.gate.note_owed_step")
def _note_owed_step(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[STATE_SESSION_KEY] = owed_step(user)


def recheck_owed_step(request) -> None:
    """Work the step out again, for a session whose user's devices changed since sign-in."""
    request.session[STATE_SESSION_KEY] = owed_step(request.user)


def second_factor_passed(request, device) -> None:
    """The user proved the second factor with this device (a code, or a new authenticator's first code)."""
    django_otp.login(request, device)
    request.session[STATE_SESSION_KEY] = VERIFY


def second_factor_removed(request) -> None:
    request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
    request.session[STATE_SESSION_KEY] = NOTHING


def step_owed_by(request) -> str:
    """What the signed-in user of this request still owes: VERIFY, ENROL or NOTHING."""
    state = request.session.get(STATE_SESSION_KEY)
    if state is None:
        # A session from before this gate existed: work it out once.
        state = request.session[STATE_SESSION_KEY] = owed_step(request.user)
    if state == VERIFY and request.user.is_verified():
        return NOTHING
    return state


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated or request.resolver_match.view_name in OPEN_DURING_SIGN_IN:
            return None
        step = step_owed_by(request)
        if step == NOTHING:
            return None
        page = reverse("accounts:verify" if step == VERIFY else "accounts:setup")
        url = f"{page}?{urlencode({'next': request.get_full_path()})}"
        # An htmx request (a poll, a form part) takes the whole page to the step, not a fragment of it.
        return HttpResponseClientRedirect(url) if getattr(request, "htmx", False) else redirect(url)
