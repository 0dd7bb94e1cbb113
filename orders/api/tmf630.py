"""TMF630 conventions shared by every resource: dates, fields=, paging and attribute filters."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

DEFAULT_LIMIT = 20
MAX_LIMIT = getattr(settings, "TMF_API_MAX_PAGE_SIZE", 100)
PAGING_PARAMS = {"fields", "offset", "limit"}


# --- dates ---------------------------------------------------------------------------------------


def format_datetime(value: dt.datetime | None) -> str | None:
    """UTC with Z and milliseconds, e.g. 2026-11-23T13:29:46.123Z; filters accept it back exactly."""
    if value is None:
        return None
    value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


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
        parsed = timezone.make_aware(parsed, dt.UTC)
    return parsed, precision


def date_filters(params, name: str, field: str) -> dict:
    """Django lookups for `name`, `name.gt`, `name.gte`, `name.lt` and `name.lte` on a date-time field.

    A value means the whole span its precision covers, so a date as returned matches exactly.
    """
    lookups: dict = {}

    def bound(lookup: str, instant: dt.datetime) -> None:
        key = f"{field}__{lookup}"
        stricter = max if lookup == "gte" else min
        lookups[key] = stricter(lookups[key], instant) if key in lookups else instant

    for suffix in ("", ".gt", ".gte", ".lt", ".lte"):
        for raw in params.getlist(name + suffix):
            start, precision = parse_instant(raw, name + suffix)
            if suffix in ("", ".gte"):
                bound("gte", start)
            if suffix in ("", ".lte"):
                bound("lt", start + precision)
            if suffix == ".gt":
                bound("gte", start + precision)
            if suffix == ".lt":
                bound("lt", start)
    return lookups


def values(params, name: str) -> list[str]:
    """All values given for an attribute: repeated (state=a&state=b) or comma-separated (state=a,b)."""
    return [v.strip() for raw in params.getlist(name) for v in raw.split(",") if v.strip()]


def refuse_unknown_params(params, known: set[str]) -> None:
    unknown = sorted(set(params) - known - PAGING_PARAMS)
    if unknown:
        raise ValidationError(
            {unknown[0]: f"not a filter of this resource; filters: {', '.join(sorted(known)) or 'none'}"}
        )


# --- fields= and paging --------------------------------------------------------------------------


def selected_fields(params, *, available: set[str], always: set[str]) -> set[str] | None:
    """The attributes `fields=` asks for (plus those always returned), or None for all of them."""
    asked = values(params, "fields")
    if not asked:
        return None
    top = {name.split(".", 1)[0] for name in asked}
    unknown = sorted(top - available)
    if unknown:
        raise ValidationError({"fields": f"unknown attribute {unknown[0]!r}"})
    return top | always


def select(representation: dict, fields: set[str] | None) -> dict:
    if fields is None:
        return representation
    return {key: value for key, value in representation.items() if key in fields}


def paging(params) -> tuple[int, int]:
    """offset and limit; limit is capped at MAX_LIMIT rather than refused."""

    def number(name: str, default: int) -> int:
        raw = params.get(name)
        if raw in (None, ""):
            return default
        if not raw.isdigit():
            raise ValidationError({name: "must be a whole number, 0 or more"})
        return int(raw[:12])

    offset, limit = number("offset", 0), number("limit", DEFAULT_LIMIT)
    return offset, min(limit, MAX_LIMIT)


def list_response(items: list[dict], *, total: int | None) -> Response:
    """A page; X-Total-Count is left out when there are too many matches to count (page on until a short page)."""
    headers = {"X-Result-Count": str(len(items))}
    if total is not None:
        headers["X-Total-Count"] = str(total)
    return Response(items, headers=headers)


def page_of(queryset, params, *, count: Callable[[], int | None] | None = None) -> tuple[list, int | None]:
    """One page of a queryset and the size of the whole filtered set (queryset.count(), or `count`): two queries.

    A `count` may answer None for "too many to count"; the page is then read all the same.
    """
    offset, limit = paging(params)
    total = count() if count is not None else queryset.count()
    within = total is None or offset < total
    rows = list(queryset[offset : offset + limit]) if limit and within else []
    return rows, total


def created(data: dict, location: str) -> Response:
    return Response(data, status=201, headers={"Location": location})
