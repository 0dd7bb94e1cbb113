"""TMF630 attribute selection: `fields=` narrows a representation to the attributes asked for.

Exactly those and nothing else (TMF630 part 1, "Query resources with attribute selection"): a
client asking for `fields=state` gets one key, never the resource's mandatory ones as well; one that
wants `id` or `href` names them. The official TMF679 kit counts the keys. Stray whitespace around a
name (`fields=id,%0Astate`) is ignored.
"""

from __future__ import annotations

from rest_framework.exceptions import ValidationError


def selected_fields(params, *, available: set[str]) -> set[str] | None:
    """The attributes `fields=` asks for, or None for all of them.

    Every comma-separated entry names an attribute, as the OpenAPI document says: `fields=` alone or
    an empty entry (`fields=id,,state`) is a 400, not a quiet "everything".
    """
    if "fields" not in params:
        return None
    asked = [name.strip() for raw in params.getlist("fields") for name in raw.split(",")]
    if "" in asked:
        raise ValidationError({"fields": "each comma-separated entry names an attribute; an empty one names none"})
    top = {name.split(".", 1)[0] for name in asked}
    unknown = sorted(top - available)
    if unknown:
        raise ValidationError({"fields": f"unknown attribute {unknown[0]!r}"})
    return top


def select(representation: dict, fields: set[str] | None) -> dict:
    if fields is None:
        return representation
    return {key: value for key, value in representation.items() if key in fields}
