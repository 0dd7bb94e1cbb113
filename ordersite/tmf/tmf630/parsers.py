"""JSON bodies the API accepts: bounded in size and depth, strict about what JSON is.

Python's parser raises RecursionError (not ValueError) at ~1,000 nesting levels, which DRF would
let through as a 500; huge numbers and NaN are refused too. Every problem is a 400 Error.
"""

from __future__ import annotations

import json

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

MAX_BODY_BYTES = getattr(settings, "TMF_API_MAX_BODY_BYTES", 512 * 1024)
MAX_DEPTH = getattr(settings, "TMF_API_MAX_JSON_DEPTH", 32)


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def _problem(value, limit: int) -> str | None:
    """What makes a parsed body unacceptable: nesting beyond the limit, or NUL characters.

    PostgreSQL cannot store U+0000 in text or jsonb, so it is refused here rather than at the
    database. Iterative, so no body can exhaust the stack.
    """
    stack = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if depth > limit:
            return f"The JSON is nested too deeply (at most {limit} levels)."
        if isinstance(current, dict):
            if any("\x00" in key for key in current):
                return "NUL characters (\\u0000) are not allowed."
            stack.extend((v, depth + 1) for v in current.values())
        elif isinstance(current, list):
            stack.extend((v, depth + 1) for v in current)
        elif isinstance(current, str) and "\x00" in current:
            return "NUL characters (\\u0000) are not allowed."
    return None


def decode_json(raw: bytes):
    """Parse a request body, or raise ParseError saying what is wrong with it."""
    if len(raw) > MAX_BODY_BYTES:
        raise ParseError(f"The body is larger than {MAX_BODY_BYTES} bytes.")
    try:
        text = raw.decode("utf-8-sig")
        data = json.loads(text, parse_constant=_refuse_constant)
    except UnicodeDecodeError:
        raise ParseError("The body is not UTF-8.") from None
    except RecursionError:
        raise ParseError(f"The JSON is nested too deeply (at most {MAX_DEPTH} levels).") from None
    except ValueError as error:  # JSONDecodeError, NaN/Infinity, integers too long to convert
        raise ParseError(f"Malformed JSON: {error}") from None
    problem = _problem(data, MAX_DEPTH)
    if problem:
        raise ParseError(problem)
    if not isinstance(data, dict):
        raise ParseError("The body must be a JSON object.")
    return data


class JSONParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            raise ParseError(f"The body is larger than {MAX_BODY_BYTES} bytes.")
        return decode_json(stream.read(MAX_BODY_BYTES + 1))


class MergePatchParser(JSONParser):
    """RFC 7396 JSON merge patch, which TMF630 requires for PATCH."""

    media_type = "application/merge-patch+json"
