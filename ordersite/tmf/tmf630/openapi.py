"""OpenAPI for every TMF API (served at /tmf-api/schema, shown at /tmf-api/docs): the shared parts.

Request bodies are described by the input serializers; responses by components, which follow the
TMF v4 definitions for the attributes we return. The components every API uses (Error,
RelatedParty, Note, Money) are here, with the helpers to write the others, the Error responses,
the fields/paging/filter parameters and the hook that adds an API's components to the document;
each API keeps its own components in its openapi module.
"""

from __future__ import annotations

import re

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import is_list_serializer
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

# The server refuses U+0000 in every query parameter (RefuseUnstorableInputMiddleware), and a name that is
# only whitespace (DRF trims it, then finds it blank): the document says so, so clients know.
NO_NUL = r"^[^\u0000]*$"
# Python's whitespace (what str.strip() and so DRF's trimming take off), spelled out: OpenAPI patterns are
# ECMA-262, whose \s leaves out U+001C-U+001F and U+0085 and takes in U+FEFF.
SPACE = r"\t\n\u000b\u000c\r\u001c-\u001f \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NOT_BLANK = rf"[^{SPACE}]"


class TMFAutoSchema(AutoSchema):
    """drf-spectacular's schema of a request body, with the bounds our serializers enforce that it leaves out.

    A nested list (`many=True`) gets its min_length/max_length as minItems/maxItems, and a text that
    may not be blank gets a pattern asking for a non-space character, since DRF trims it first.
    """

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if schema is not None and direction == "request" and is_list_serializer(field):
            least = max(field.min_length or 0, 0 if field.allow_empty else 1)
            if least:
                schema["minItems"] = least
            if field.max_length is not None:
                schema["maxItems"] = field.max_length
        return schema

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)  # a RegexValidator's pattern, when there is one
        if (
            isinstance(field, serializers.CharField)
            and field.trim_whitespace
            and not field.allow_blank
            and schema.get("type") == "string"
            and not {"pattern", "format", "enum"} & schema.keys()
        ):
            schema["pattern"] = NOT_BLANK


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def string(description: str = "", **extra) -> dict:
    return {"type": "string", **({"description": description} if description else {}), **extra}


DATE_TIME = {"type": "string", "format": "date-time", "description": "UTC, e.g. 2026-11-23T13:29:46.123Z"}
TYPE = {"@type": string()}
DATE_TIME_FILTER = {"type": "string", "format": "date-time"}


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
    return rf"^[{SPACE}]*({names})(\.[^,\u0000]*)?[{SPACE}]*$"  # no NUL: no query parameter may carry one


def fields_parameter(available) -> list[OpenApiParameter]:
    """`fields`: some of the resource's attributes, comma-separated; exactly those are returned."""
    return [
        OpenApiParameter(
            "fields",
            {"type": "array", "items": {"type": "string", "pattern": _attribute_pattern(available)}, "minItems": 1},
            style="form",
            explode=False,
            description="Comma-separated attributes to return, and nothing else (name id or href to get them)",
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


def filter_parameters(names, *, choices: dict | None = None, dates=()) -> list[OpenApiParameter]:
    """Exact-value filters; those in `choices` (name -> allowed values) list their values.

    Those in `dates` take a date-time (TMF630: it stands for the span its precision covers); any other
    is free text without U+0000, which no query parameter may carry.
    """
    choices = choices or {}

    def schema(name: str):
        if name in choices:
            return {"type": "array", "items": {"type": "string", "enum": list(choices[name])}, "minItems": 1}
        if name in dates:
            return DATE_TIME_FILTER
        return {"type": "string", "pattern": NO_NUL}

    return [
        OpenApiParameter(
            name,
            schema(name),
            style="form" if name in choices else None,
            explode=False if name in choices else None,
            description="A date-time such as 2017-09-21T12:00:00Z; it stands for the span its precision covers "
            "(that second here)"
            if name in dates
            else "Exact value; comma-separated values match any of them",
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
