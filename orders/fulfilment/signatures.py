"""Who may report on fulfilment tasks: each downstream system signs its callbacks with secrets of its own.

A system holds only its own secret, so a leaked one lets nobody report on another system's tasks,
and the site's SECRET_KEY never leaves the site. Two secrets may be valid at once, the new one and
the old one, so a system can be given a new secret before the old one is withdrawn.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

from orders.models import FulfilmentStep

DOWNSTREAM_SYSTEMS = frozenset(FulfilmentStep.System.values)


def secret_variable(system: str) -> str:
    """The environment variable a system's callback secrets are read from (ordersite/settings.py)."""
    return f"{settings.CALLBACK_SECRET_PREFIX}{system.upper()}"


def site_keys() -> set[str]:
    return {settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])}


def callback_secrets(system: str) -> list[str]:
    """The secrets a system's callbacks may be signed with; none for a system we do not know."""
    if system not in DOWNSTREAM_SYSTEMS:
        return []
    configured = settings.FULFILMENT_CALLBACK_SECRETS.get(system) or []
    demo = [settings.FULFILMENT_CALLBACK_DEMO_SECRET] if settings.FULFILMENT_CALLBACK_DEMO_SECRET else []
    # The site's own keys are never a callback secret, even when configured as one by mistake
    # (`check --deploy` says so too): whoever held them could forge sessions and password resets.
    return [secret for secret in configured or demo if secret not in site_keys()]


def signature(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signed_by(system: str, body: bytes, signature_header: str) -> bool:
    """Whether `X-Signature: sha256=<hex>` is the body's HMAC under one of the system's secrets."""
    given = signature_header.removeprefix("sha256=").encode()  # bytes: compare_digest refuses non-ASCII text
    # Every secret is compared, whichever matches, so the time taken tells nothing about which one did.
    matches = [hmac.compare_digest(signature(secret, body).encode(), given) for secret in callback_secrets(system)]
    return any(matches)
