"""The second step of signing in, enrolment of an authenticator app, recovery codes, the security page.

Each view calls one command of customers.second_factor; ordersite.accounts.gate keeps the session's
record of what the user still owes, and ordersite.accounts.audit writes the security log.
"""

from __future__ import annotations

import base64
import io
import logging
from base64 import b32encode
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.qr import write_qrcode_image

from customers.second_factor import (
    CodeRefused,
    SecondFactorRequired,
    confirm_authenticator,
    has_second_factor,
    pending_authenticator,
    recovery_codes_left,
    renew_recovery_codes,
    second_factor_required,
    turn_off_second_factor,
    verify_code,
)
from ordersite.accounts.audit import security_event
from ordersite.accounts.forms import ConfirmAuthenticatorForm, VerifyCodeForm
from ordersite.accounts.gate import (
    NOTHING,
    VERIFY,
    recheck_owed_step,
    second_factor_passed,
    second_factor_removed,
    step_owed_by,
)

# New recovery codes wait here for the one page that shows them (and takes them out).
NEW_CODES_SESSION_KEY = "accounts.new_recovery_codes"


def next_page(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path of ours only: redirect() would take any other word for a view name and fail on it (a 500).
    safe = target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else reverse("home")


@login_required
def verify(request):
    """After the password: a code from the authenticator app, or a recovery code."""
    if not has_second_factor(request.user):
        # The authenticator was removed since sign-in (by an administrator): work out the step again.
        recheck_owed_step(request)
        return redirect(next_page(request))
    if step_owed_by(request) == NOTHING:
        return redirect(next_page(request))
    form = VerifyCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = verify_code(request.user, form.cleaned_data["code"])
        except CodeRefused as refusal:
            security_event(request, "second-factor-refused", "a second-factor code was refused", level=logging.WARNING)
            form.add_error("code", str(refusal))
        else:
            second_factor_passed(request, device)
            used_recovery_code = isinstance(device, StaticDevice)
            security_event(
                request,
                "second-factor-verified",
                "signed in with a recovery code" if used_recovery_code else "signed in with an authenticator code",
                method="recovery-code" if used_recovery_code else "authenticator",
            )
            if used_recovery_code:
                left = recovery_codes_left(request.user)
                messages.warning(
                    request,
                    f"You signed in with a recovery code; it cannot be used again. {left} recovery codes left. "
                    "If you lost your phone, set up the authenticator again on your security page.",
                )
            return redirect(next_page(request))
    return render(request, "accounts/verify.html", {"form": form, "next": next_page(request)})


@login_required
def setup(request):
    """Enrolment: scan the QR code (or type the secret), then confirm with the app's first code."""
    if step_owed_by(request) == VERIFY:
        return redirect(f"{reverse('accounts:verify')}?{urlencode({'next': next_page(request)})}")
    device = pending_authenticator(request.user)
    form = ConfirmAuthenticatorForm(request.POST or None, initial={"device": device.pk})
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = confirm_authenticator(request.user, form.cleaned_data["device"], form.cleaned_data["code"])
        except CodeRefused as refusal:
            security_event(
                request, "enrolment-refused", "an authenticator's first code was refused", level=logging.WARNING
            )
            form.add_error("code", str(refusal))
            device = pending_authenticator(request.user)
        else:
            second_factor_passed(request, device)
            request.session[NEW_CODES_SESSION_KEY] = codes
            security_event(request, "second-factor-enrolled", "an authenticator app was set up")
            return redirect(f"{reverse('accounts:recovery-codes')}?{urlencode({'next': next_page(request)})}")
    secret = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "next": next_page(request),
        "qr_code": _qr_code_data_uri(device.config_url),
        "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        "required": second_factor_required(request.user),
    }
    return render(request, "accounts/setup.html", context)


@login_required
def recovery_codes(request):
    """The new recovery codes, shown this once."""
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    if not codes:
        return redirect("accounts:security")
    shown = [f"{code[:5]} {code[5:]}" for code in codes]
    return render(request, "accounts/recovery_codes.html", {"codes": shown, "next": next_page(request)})


@login_required
def security(request):
    """Two-step sign-in for this account: on or off, required or not, recovery codes left."""
    context = {
        "enabled": has_second_factor(request.user),
        "required": second_factor_required(request.user),
        "codes_left": recovery_codes_left(request.user),
    }
    return render(request, "accounts/security.html", context)


@login_required
@require_POST
def new_recovery_codes(request):
    request.session[NEW_CODES_SESSION_KEY] = renew_recovery_codes(request.user)
    security_event(request, "recovery-codes-renewed", "new recovery codes were made; the old ones stopped working")
    return redirect("accounts:recovery-codes")


@login_required
@require_POST
def turn_off(request):
    try:
        turn_off_second_factor(request.user)
    except SecondFactorRequired as refusal:
        messages.error(request, str(refusal))
    else:
        second_factor_removed(request)
        security_event(request, "second-factor-removed", "two-step sign-in was turned off", level=logging.WARNING)
        messages.success(request, "Two-step sign-in is off. You sign in with your password alone.")
    return redirect("accounts:security")


@requires_csrf_token
def permission_denied(request, exception):
    """handler403: the 403 page, and a line in the security log for every refused permission."""
    security_event(request, "permission-refused", "a page or action was refused", level=logging.WARNING)
    return defaults.permission_denied(request, exception)


def _qr_code_data_uri(config_url: str) -> str:
    # An <img> of an SVG data URI: no inline script or style for the content security policy to refuse.
    svg = io.BytesIO()
    write_qrcode_image(config_url, svg)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.getvalue()).decode()
