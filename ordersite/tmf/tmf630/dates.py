"""TMF630 dates: how date-times are written in bodies and read back from filters."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import ValidationError


def format_datetime(value: dt.datetime | None) -> str | None:
    """UTC with Z and milliseconds, e.g. 2026-11-23T13:29:46.123Z; filters accept it back exactly."""
    if value is None:
        return None
    value = value.astimezone(dt.UTC)
    # The year padded to four digits: strftime writes the year 627 as "627", which is no date-time.
    return f"{value.year:04d}" + value.strftime("-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def format_date(value: dt.date | None) -> str | None:
    """A date kept without a time, as the date-time TMF asks for: midnight UTC."""
    return None if value is None else f"{value.isoformat()}T00:00:00.000Z"


_TIME = re.compile(r"[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?")
_OFFSET_WITHOUT_PLUS = re.compile(r" (\d{2}:?\d{2})$")  # a "+" a query string turned into a space


def parse_instant(value: str, name: str) -> tuple[dt.datetime, dt.timedelta]:
    """A date-time filter value and its precision: '…46.123Z' means that millisecond, '…46Z' that second."""
    text = _OFFSET_WITHOUT_PLUS.sub(r"+\1", value.strip())
    try:
        parsed = parse_datetime(text)
    except ValueError:
        parsed = None
    if parsed is None:
        try:
            parsed = dt.datetime.combine(dt.date.fromisoformat(text), dt.time())
        except ValueError:
            raise ValidationError({name: f"{value!r} is not a date-time such as 2026-11-23T13:29:46.123Z"}) from None
        precision = dt.timedelta(days=1)
    else:
        time = _TIME.search(text)
        if time is None:
            precision = dt.timedelta(days=1)
        elif time.group(4):
            precision = dt.timedelta(microseconds=10 ** (6 - min(len(time.group(4)), 6)))
        elif time.group(3):
            precision = dt.timedelta(seconds=1)
        else:
            precision = dt.timedelta(minutes=1)
    if timezone.is_naive(parsed):
        return timezone.make_aware(parsed, dt.UTC), precision
    # In UTC: PostgreSQL takes offsets up to 15:59 only, where RFC 3339 (and Python) go to 23:59.
    try:
        return parsed.astimezone(dt.UTC), precision
    except OverflowError:
        raise ValidationError({name: f"{value!r} is outside the years 1 to 9999 in UTC"}) from None
