"""TMF630 attribute filtering: exact values (comma-separated means "any of"), date-time ranges."""

from __future__ import annotations

import datetime as dt

from rest_framework.exceptions import ValidationError

from ordersite.tmf.tmf630.dates import parse_instant
from ordersite.tmf.tmf630.paging import PAGING_PARAMS


def values(params, name: str) -> list[str]:
    """All values given for an attribute: repeated (state=a&state=b) or comma-separated (state=a,b)."""
    return [v.strip() for raw in params.getlist(name) for v in raw.split(",") if v.strip()]


def one_of(name: str, given: list[str], allowed) -> list[str]:
    """The values given, if each is one of `allowed`; otherwise a 400 naming the first that is not."""
    wrong = [v for v in given if v not in allowed]
    if wrong:
        raise ValidationError({name: f"{wrong[0]!r} is not one of {', '.join(allowed)}"})
    return given


def refuse_unknown_params(params, known: set[str]) -> None:
    unknown = sorted(set(params) - known - PAGING_PARAMS)
    if unknown:
        raise ValidationError(
            {unknown[0]: f"not a filter of this resource; filters: {', '.join(sorted(known)) or 'none'}"}
        )


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
            end = start + precision if start < dt.datetime.max.replace(tzinfo=dt.UTC) - precision else None
            if suffix in ("", ".gte"):
                bound("gte", start)
            if suffix in ("", ".lte") and end is not None:  # none: the span runs to the end of time
                bound("lt", end)
            if suffix == ".gt":
                if end is None:
                    return {"pk__in": []}  # after the end of time: nothing
                bound("gte", end)
            if suffix == ".lt":
                bound("lt", start)
    return lookups
