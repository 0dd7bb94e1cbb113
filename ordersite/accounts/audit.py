"""The security log: sign-ins, failures, lock-outs, second-factor events and refused permissions.

Everything goes to the `security` logger (settings LOGGING), one line per event, with `event`, the
username and the client's address as fields (a JSON object a line with LOG_FORMAT=json), so that a
log search can follow one account or one address. Passwords and codes are never logged.
"""

from __future__ import annotations

import logging

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

security_log = logging.getLogger("security")


def client_address(request) -> str | None:
    # The address the login throttle resolved (behind PROXY_COUNT proxies), else the peer's.
    if request is None:
        return None
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR")


def security_event(request, event: str, message: str, *, username: str | None = None, level=logging.INFO, **fields):
    user = getattr(request, "user", None) if request is not None else None
    if username is None and user is not None and user.is_authenticated:
        username = user.get_username()
    security_log.log(
        level,
        message,
        extra={
            "event": event,
            "username": username,
            "client_ip": client_address(request),
            "path": getattr(request, "path", None),
            **fields,
        },
    )


@receiver(user_logged_in, dispatch_uid="ordersite.accounts.audit.signed_in")
def _signed_in(sender, request, user, **kwargs):
    security_event(
        request, "sign-in", f"{user.get_username()} signed in with their password", username=user.get_username()
    )


@receiver(user_logged_out, dispatch_uid="ordersite.accounts.audit.signed_out")
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        security_event(request, "sign-out", f"{user.get_username()} signed out", username=user.get_username())


@receiver(user_login_failed, dispatch_uid="ordersite.accounts.audit.sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username")
    security_event(
        request, "sign-in-failed", f"sign-in failed for {username!r}", username=username, level=logging.WARNING
    )


@receiver(user_locked_out, dispatch_uid="ordersite.accounts.audit.locked_out")
def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    security_event(
        request,
        "locked-out",
        f"sign-in locked out for {username!r} from {ip_address}",
        username=username,
        level=logging.WARNING,
    )
