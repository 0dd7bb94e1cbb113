"""TMF630 paging: offset and limit, a page of a queryset, and the responses that carry pages and new resources."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

DEFAULT_LIMIT = 20
MAX_LIMIT = getattr(settings, "TMF_API_MAX_PAGE_SIZE", 100)
PAGING_PARAMS = {"fields", "offset", "limit"}


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
