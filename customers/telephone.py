"""Telephone numbers as people write them and as they are stored (E.164), read with the phonenumbers library.

Stored: "+447700900123". Shown: "07700 900123" (national format). Typed by agents and customers in
any common way: "07700900123", "+44 7700 900123", "07700 900 123", "(07700) 900-123".
"""

from __future__ import annotations

import phonenumbers
from django.db import models
from django.utils.translation import gettext_lazy as _

REGION = "GB"


class NumberKind(models.TextChoices):
    """Which lines a number can serve; an offering's requirement asks for one kind."""

    MOBILE = "mobile", _("Mobile")
    GEOGRAPHIC = "geographic", _("Geographic (landline)")


# The rule, in words, that a number kept from another provider must follow.
KIND_RULES = {
    NumberKind.MOBILE: "a UK mobile number: 11 digits starting 07, like 07700 900123",
    NumberKind.GEOGRAPHIC: "a UK landline number: 10 or 11 digits starting 01 or 02, like 0113 496 0000",
}


def parse(text: str) -> phonenumbers.PhoneNumber | None:
    """The number a person typed, or None when it cannot be one."""
    if not isinstance(text, str) or not text.strip() or len(text) > 40:
        return None
    try:
        number = phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_possible_number(number) else None


def to_e164(text: str) -> str | None:
    """ "07700 900 123" -> "+447700900123"; None when it is not a possible number."""
    number = parse(text)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) if number else None


def national(e164: str) -> str:
    """ "+447700900123" -> "07700 900123"; anything unreadable is returned as stored."""
    number = parse(e164)
    if number is None:
        return e164 or ""
    if number.country_code != phonenumbers.country_code_for_region(REGION):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def kind_of(e164: str) -> str | None:
    """Mobile or geographic, read from the UK numbering plan's leading digits (07 / 01, 02)."""
    number = parse(e164)
    if number is None or number.country_code != phonenumbers.country_code_for_region(REGION):
        return None
    significant = phonenumbers.national_significant_number(number)
    if significant.startswith("7") and len(significant) == 10:
        return NumberKind.MOBILE
    if significant[:1] in ("1", "2") and len(significant) in (9, 10):
        return NumberKind.GEOGRAPHIC
    return None


def unbroken(text: str) -> str:
    """A number never breaks across lines on a page: its spaces become non-breaking."""
    return text.replace(" ", "\u00a0")
