"""OpenAPI for every TMF API (served at /tmf-api/schema, shown at /tmf-api/docs): the shared parts.

Request bodies are described by the input serializers; responses by components, which follow the
TMF v4 definitions for the attributes we return. The components every API uses (Error,
RelatedParty, Note, Money) are here, with the helpers to write the others, the Error responses,
the fields/paging/filter parameters and the hook that adds an API's components to the document;
each API keeps its own components in its openapi module.
"""

from __future__ import annotations

import re

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def string(description: str = "", **extra) -> dict:
    return {"type": "string", **({"description": description} if description else {}), **extra}


DATE_TIME = {"type": "string", "format": "date-time", "description": "UTC, e.g. 2026-11-23T13:29:46.123Z"}
TYPE = {"@type": string()}


def array(schema: dict) -> dict:
    return {"type": "array", "items": schema}


COMPONENTS = {
    "Error": {
        "type": "object",
        "required": ["code", "reason"],
        "properties": {
            "code": string("Application code, e.g. NOT_FOUND"),
            "reason": string(),
            "message": string("What was wrong, with attribute paths"),
            "status": string("The HTTP status"),
            **TYPE,
        },
    },
    "RelatedParty": {
        "type": "object",
        "required": ["id", "@referredType"],
        "properties": {
            "id": string("The customer number (TMF629 customer id), e.g. CUS-000001"),
            "href": string(),
            "name": string(),
            "role": string("customer"),
            "@referredType": string("Customer"),
        },
    },
    "Note": {
        "type": "object",
        "required": ["text"],
        "properties": {"id": string(), "author": string(), "date": DATE_TIME, "text": string(), **TYPE},
    },
    "Money": {"type": "object", "properties": {"unit": string("ISO 4217"), "value": {"type": "number"}}},
}

ERRORS = {
    status: OpenApiResponse(ref("Error"), description=description)
    for status, description in {
        400: "Malformed or wrongly typed request",
        401: "No or an invalid bearer token",
        403: "Not allowed",
        404: "Not found (or not visible to this client)",
        405: "Method not allowed",
        409: "The resource's state does not allow it",
        415: "Unsupported content type",
        422: "Well-formed but refused",
        429: "Too many requests (see Retry-After)",
        500: "Our fault",
        503: "Database unavailable (see Retry-After)",
    }.items()
}


def list_of(schema: dict) -> OpenApiResponse:
    return OpenApiResponse(array(schema), description="One page; X-Total-Count and X-Result-Count headers")


def _attribute_pattern(available) -> str:
    """One of the attributes, or a path inside one (productOrderItem.id selects productOrderItem)."""
    names = "|".join(re.escape(name) for name in sorted(available))
    return rf"^\s*({names})(\.[^,\u0000]*)?\s*$"  # no NUL: no query parameter may carry one


def fields_parameter(available) -> list[OpenApiParameter]:
    """`fields`: some of the resource's attributes, comma-separated (id, href and @type always come)."""
    return [
        OpenApiParameter(
            "fields",
            {"type": "array", "items": {"type": "string", "pattern": _attribute_pattern(available)}, "minItems": 1},
            style="form",
            explode=False,
            description="Comma-separated attributes to return (id, href and @type always come)",
        )
    ]


def paging_parameters() -> list[OpenApiParameter]:
    return [
        OpenApiParameter("offset", {"type": "integer", "minimum": 0}, description="Index of the first result (0)"),
        OpenApiParameter("limit", {"type": "integer", "minimum": 0}, description="Page size (20; above 100 gives 100)"),
        OpenApiParameter(
            "X-Total-Count",
            int,
            OpenApiParameter.HEADER,
            response=[200],
            description="All matches (left out above 10,000)",
        ),
        OpenApiParameter("X-Result-Count", int, OpenApiParameter.HEADER, response=[200], description="In this page"),
    ]


def filter_parameters(names, *, choices: dict | None = None) -> list[OpenApiParameter]:
    """Exact-value filters; those in `choices` (name -> allowed values) list their values."""
    choices = choices or {}

    def schema(name: str):
        if name not in choices:
            return str
        return {"type": "array", "items": {"type": "string", "enum": list(choices[name])}, "minItems": 1}

    return [
        OpenApiParameter(
            name,
            schema(name),
            style="form" if name in choices else None,
            explode=False if name in choices else None,
            description="Exact value; comma-separated values match any of them",
        )
        for name in sorted(names)
    ]


def components_hook(*component_sets: dict):
    """A drf-spectacular postprocessing hook that adds these response components to the document."""

    def add_components(result, generator, request, public):
        schemas = result.setdefault("components", {}).setdefault("schemas", {})
        for components in component_sets:
            schemas.update(components)
        return result

    return add_components
