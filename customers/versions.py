"""Version tokens in the shared cache, for entries that must never outlive a change.

Each kept entry carries the version it was read under and is served only while that version stands.
A change replaces the version with a new token (not a counter, so an entry can never match a version
it was not read under, even after the token expired), at once and again when the transaction commits:
a process reading between the two keeps what it read under a version already replaced, never served.
"""

from __future__ import annotations

import secrets

from django.core.cache import cache
from django.db import transaction


def current(key: str, found: str | None = None, timeout: int | None = None) -> str:
    """The version under `key`: `found` when the caller already read it, else the one started now
    (cache.add: when two processes start it at once, both take the one stored first)."""
    if found is not None:
        return found
    cache.add(key, secrets.token_hex(8), timeout)
    return cache.get(key)


def replace(keys: list[str], timeout: int | None = None) -> None:
    """New versions for `keys`, now and when the current transaction commits."""

    def renew():
        cache.set_many({key: secrets.token_hex(8) for key in keys}, timeout)

    renew()
    transaction.on_commit(renew)
