"""Codes as an authenticator app would show them, for tests of two-step sign-in."""

import base64
import time

from django_otp.oath import TOTP

STEP_SECONDS = 30


def key_from_setup_key(setup_key: str) -> bytes:
    """The secret behind the setup key a person would type into their app (groups of four, base32)."""
    return base64.b32decode(setup_key.replace(" ", "").upper())


def authenticator_code(key: bytes, steps_ahead: int = 0) -> str:
    """The app's code now, or `steps_ahead` 30-second steps later (the server accepts one step either side)."""
    totp = TOTP(key, step=STEP_SECONDS)
    totp.time = time.time() + steps_ahead * STEP_SECONDS
    return f"{totp.token():06d}"


def wrong_code(key: bytes) -> str:
    """Six digits that no step the server accepts right now would show."""
    accepted = {authenticator_code(key, steps) for steps in (-2, -1, 0, 1, 2)}
    candidate = int(authenticator_code(key))
    while f"{candidate:06d}" in accepted:
        candidate = (candidate + 123_457) % 1_000_000
    return f"{candidate:06d}"
