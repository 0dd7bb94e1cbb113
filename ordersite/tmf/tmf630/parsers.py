"""JSON bodies the API accepts: bounded in size and depth, strict about what JSON is.

Python's parser raises RecursionError (not ValueError) at ~1,000 nesting levels, which DRF would
let through as a 500; huge numbers and NaN are refused too, and so are NUL characters and lone
surrogates ("\ud800" without its pair) anywhere in a key or a value. Every problem is a 400 Error.
"""

from __future__ import annotations

import json

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from ordersite.middleware import unstorable_character

MAX_BODY_BYTES = getattr(settings, "TMF_API_MAX_BODY_BYTES", 512 * 1024)
MAX_DEPTH = getattr(settings, "TMF_API_MAX_JSON_DEPTH", 32)


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def _problem(value, limit: int) -> str | None:
    """What makes a parsed body unacceptable: nesting beyond the limit, or text that cannot be stored.

    PostgreSQL cannot store U+0000 in text or jsonb, and a lone surrogate cannot even be encoded as
    UTF-8 (the database, the response and the log all fail on it), so both are refused here, with
    where they are, rather than at the database. Iterative, so no body can exhaust the stack.
    """
    stack = [(value, 1, "")]
    while stack:
        current, depth, path = stack.pop()
        if depth > limit:
            return f"The JSON is nested too deeply (at most {limit} levels)."
        if isinstance(current, dict):
            for key, inner in current.items():
                problem = unstorable_character(key)
                if problem:
                    return f"A key in {path or 'the body'} contains {problem}, which is not allowed."
                stack.append((inner, depth + 1, f"{path}.{key}" if path else key))
        elif isinstance(current, list):
            stack.extend((inner, depth + 1, f"{path}[{index}]") for index, inner in enumerate(current))
        elif isinstance(current, str):
            problem = unstorable_character(current)
            if problem:
                return f"{path or 'The body'} contains {problem}, which is not allowed."
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
