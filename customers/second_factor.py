"""Two-step sign-in: who must use it, enrolling an authenticator app, recovery codes, checking a code.

The devices are django-otp's: one TOTP device per user (an authenticator app, RFC 6238, 6 digits every
30 s) and one static device holding the user's recovery codes (10 digits each, every one good once).
A code is checked against the device its shape names, inside a transaction that locks the device, so
django-otp's throttle (1, 2, 4, 8 … seconds after successive wrong codes) and its rule that a TOTP
code is never accepted twice hold however many requests arrive at once.

Staff (is_staff, agents and supervisors) must use it where OTP_REQUIRED_FOR_STAFF is on (the default
with DEBUG off); anyone may turn it on for themselves.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from customers.access import STAFF_ROLES
from customers.roles import role_of

AUTHENTICATOR_DIGITS = 6
RECOVERY_CODE_DIGITS = 10
RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_CODES_NAME = "Recovery codes"
WRONG_CODE = "That code is not right. Check your authenticator app (and its clock), or use a recovery code."


class CodeRefused(Exception):
    """A code that was not accepted; the message says why, for the person who typed it."""


class SecondFactorRequired(Exception):
    """Turning two-step sign-in off, for someone who must keep it."""


def is_staff_member(user) -> bool:
    return bool(user.is_staff) or role_of(user) in STAFF_ROLES


def second_factor_required(user) -> bool:
    return settings.OTP_REQUIRED_FOR_STAFF and is_staff_member(user)


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    return device.token_set.count() if device else 0


def normalise_code(code: str) -> str:
    # People copy codes with the spaces and dashes they were shown with.
    return "".join(character for character in code if character not in " -\u00a0")


def pending_authenticator(user) -> TOTPDevice:
    """The authenticator being set up: a new secret, kept until it is confirmed with a code from the app."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def confirm_authenticator(user, device_id: int, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending authenticator with its first code; it replaces any earlier one.

    Returns the device and a new set of recovery codes (the only time they can be read).
    Raises CodeRefused for a wrong code, with the pending secret kept for another try.
    """
    code = normalise_code(code)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(pk=device_id, user=user, confirmed=False).first()
        refusal = _check(device, code) if device else "This set-up has expired: start again."
        if refusal is None:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            codes = _replace_recovery_codes(user)
    # Raised outside the transaction, which must keep the failure django-otp's throttle just counted.
    if refusal is not None:
        raise CodeRefused(refusal)
    return device, codes


def verify_code(user, code: str) -> Device:
    """The device that accepts this code: the authenticator's 6 digits, or a 10-digit recovery code (used up)."""
    code = normalise_code(code)
    if not code.isdigit() or len(code) not in (AUTHENTICATOR_DIGITS, RECOVERY_CODE_DIGITS):
        raise CodeRefused(
            f"Enter the {AUTHENTICATOR_DIGITS}-digit code from your authenticator app "
            f"or one of your {RECOVERY_CODE_DIGITS}-digit recovery codes."
        )
    model = TOTPDevice if len(code) == AUTHENTICATOR_DIGITS else StaticDevice
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        refusal = _check(device, code) if device else WRONG_CODE
    if refusal is not None:
        raise CodeRefused(refusal)
    return device


def renew_recovery_codes(user) -> list[str]:
    """A new set of recovery codes; the old ones stop working."""
    with transaction.atomic():
        return _replace_recovery_codes(user)


def turn_off_second_factor(user) -> None:
    if second_factor_required(user):
        raise SecondFactorRequired("Two-step sign-in is required for staff: it cannot be turned off.")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


def _check(device: Device, code: str) -> str | None:
    """None when the device accepts the code, else why not."""
    allowed, reason = device.verify_is_allowed()
    if not allowed:
        wait = max(1, round((reason["locked_until"] - timezone.now()).total_seconds()))
        return f"Too many wrong codes: wait {wait} seconds, then try again."
    return None if device.verify_token(code) else WRONG_CODE


def _replace_recovery_codes(user) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(user=user, defaults={"name": RECOVERY_CODES_NAME, "confirmed": True})
    device.token_set.all().delete()
    codes = [
        "".join(secrets.choice("0123456789") for _ in range(RECOVERY_CODE_DIGITS)) for _ in range(RECOVERY_CODE_COUNT)
    ]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes
