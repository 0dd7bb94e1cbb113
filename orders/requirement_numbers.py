"""The telephone_number requirement: a line's number, from the pool or kept from another provider.

Its value is {"number": "+447700900123"} for a number from the pool (orders.numbers holds it for the
order), or {"keep": true, "number": "+447400123456", <porting fields>} for a number the customer keeps,
with the porting data the catalog declares in the spec's "porting" (plain field specs that
orders.requirements checks like any other). Here: what is wrong with a declaration or a value, and
how a value reads.
"""

from __future__ import annotations

from customers.telephone import KIND_RULES, NumberKind, kind_of, national, to_e164, unbroken
from orders.field_paths import FieldError

# The keys a telephone_number value holds besides its porting fields.
NUMBER_KEYS = ("number", "keep")


def number_kind(spec: dict) -> str:
    return spec.get("number_kind", NumberKind.MOBILE)


def number_spec_errors(spec: dict, where: str, *, top_level: bool) -> tuple[list[str], list | None]:
    """What is wrong with a telephone_number declaration, and its porting specs to check as fields (None: unusable)."""
    errors = []
    if not top_level:
        errors.append(f"{where}: a telephone_number belongs at the top level, not in a group.")
    if number_kind(spec) not in NumberKind.values:
        errors.append(f"{where}: number_kind must be one of {', '.join(NumberKind.values)}.")
        return errors, None
    porting = spec.get("porting", [])
    if not isinstance(porting, list):
        errors.append(f"{where}: porting must be a list of field specs.")
        return errors, None
    if any(isinstance(f, dict) and f.get("name") in NUMBER_KEYS for f in porting):
        errors.append(f"{where}: porting fields cannot be named {' or '.join(NUMBER_KEYS)}.")
    if any(isinstance(f, dict) and f.get("type") in ("group", "telephone_number") for f in porting):
        errors.append(f"{where}: porting fields are plain fields, not groups or numbers.")
        return errors, None
    return errors, porting


def number_value_errors(spec: dict, value, path: str) -> tuple[list[FieldError], dict | None]:
    """What is wrong with the number itself (the pool is asked when it is held), and, when a number is
    kept, its porting data for the caller to check against spec["porting"]."""
    if not isinstance(value, dict):
        return [FieldError(path, "choose a new number or keep one")], None
    rule = KIND_RULES[number_kind(spec)]
    number = value.get("number")
    readable = to_e164(number) is not None and kind_of(number) == number_kind(spec)
    if not value.get("keep"):
        errors = [FieldError(f"{path}.{key}", "unknown field") for key in sorted(set(value) - set(NUMBER_KEYS))]
        return errors + ([] if readable else [FieldError(path, f"must be {rule}")]), None
    if number in (None, ""):
        errors = [FieldError(f"{path}.number", "give the number to keep")]
    else:
        errors = [] if readable else [FieldError(f"{path}.number", f"must be {rule}")]
    return errors, {key: v for key, v in value.items() if key not in NUMBER_KEYS}


def number_text(value) -> str:
    """A telephone_number value as people read it: "07700 900123", "07400 123456 (kept, moving over)"."""
    if not isinstance(value, dict) or value.get("number") in (None, ""):
        return "—"
    shown = unbroken(national(str(value["number"])))
    return f"{shown} (kept, moving over)" if value.get("keep") else shown


def number_subspecs(spec: dict) -> list[dict]:
    """What keeping a number asks: the number itself, then the porting data the catalog declares."""
    rule = KIND_RULES.get(number_kind(spec), KIND_RULES[NumberKind.MOBILE])
    kept = {"name": "number", "label": "Number to keep", "type": "phone", "required": True, "help": f"Give {rule}."}
    return [kept] + [s for s in spec.get("porting", []) if isinstance(s, dict)]
