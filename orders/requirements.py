"""Declarative data requirements of an offering, and the one validator every channel uses.

An offering's requirements are a list of field specs, stored as JSON in the catalog:

    {"name": "speed", "label": "Speed", "type": "choice", "required": true,
     "choices": [{"value": "500", "label": "500 Mbit/s"}]}
    {"name": "handsets", "label": "Handsets", "type": "group", "min": 1, "max": 200,
     "fields": [{"name": "extension", "type": "text", "required": true, "pattern": "^[0-9]{3,4}$",
                 "unique": true},
                {"name": "group", "type": "choice", "choices_from": "user_groups.name"},
                {"name": "features", "type": "choice", "multiple": true, "choices": ["voicemail"]}]}

Types: text (min_length, max_length, pattern), number (min, max, integer), choice (choices,
multiple, or choices_from "<top-level group>.<field>"), boolean, date (ISO yyyy-mm-dd; min, max),
phone, email, and group (fields, min, max: a repeatable block whose rows nest further groups).
A line's number is a telephone_number (top level only; number_kind mobile or geographic; porting: the
field specs asked to keep a number): {"number": "+447700900123"} from the pool (orders.numbers holds it),
or {"keep": true, "number": "+447400123456", "pac": "ABC123456", ...} kept from another provider.
"unique" on a field inside a group makes its values distinct across the group's rows.

A group may carry a charge per entry, added to the offering's price for every row captured
(orders.pricing.configured_prices): amounts as decimal strings, either or both of

    {"name": "handsets", "type": "group", ..., "price_per_entry": {"one_off": "45.00", "recurring": "6.50"}}

A characteristics document is the matching JSON object: {"speed": "500", "handsets": [{...}]}.

It is read back for people with the labels the requirements give (describe, value_text, path_label):
every channel and the back office show "Handset 3 › Extension", never the stored JSON.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from orders.field_paths import FieldError

# Paths are parsed in orders.field_paths; the channels keep importing them from here.
from orders.field_paths import ItemPath as ItemPath
from orders.field_paths import item_path as item_path
from orders.field_paths import split_reason as split_reason
from orders.requirement_numbers import number_spec_errors, number_text, number_value_errors

# The telephone_number type lives in orders.requirement_numbers; the channels keep importing it from here.
from orders.requirement_numbers import number_subspecs as number_subspecs

FIELD_TYPES = {"text", "number", "choice", "boolean", "date", "phone", "email", "group", "telephone_number"}
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ()-]{5,19}$")
ALLOWED_KEYS = {
    "common": {"name", "label", "type", "required", "help", "unique", "default"},
    "text": {"min_length", "max_length", "pattern", "pattern_rule"},
    "number": {"min", "max", "integer"},
    "choice": {"choices", "multiple", "choices_from"},
    "boolean": set(),
    "date": {"min", "max"},
    "phone": set(),
    "email": set(),
    "telephone_number": {"number_kind", "porting"},
    "group": {"fields", "min", "max", "price_per_entry"},
}
PRICE_KINDS = ("one_off", "recurring")


def label_of(spec: dict) -> str:
    return spec.get("label") or spec["name"].replace("_", " ").capitalize()


def choice_options(spec: dict, document: dict | None = None) -> list[tuple[str, str]]:
    """(value, label) pairs a choice field accepts, resolving choices_from against the document."""
    if "choices_from" in spec:
        group_name, field_name = spec["choices_from"].split(".", 1)
        rows = (document or {}).get(group_name) or []
        values = [str(row.get(field_name)) for row in rows if isinstance(row, dict) and row.get(field_name)]
        return [(v, v) for v in dict.fromkeys(values)]
    options = []
    for choice in spec.get("choices", []):
        if isinstance(choice, dict):
            options.append((str(choice["value"]), str(choice.get("label", choice["value"]))))
        else:
            options.append((str(choice), str(choice)))
    return options


# --- checking the requirements themselves (catalog maintenance) -------------------------------


def requirement_schema_errors(requirements) -> list[str]:
    """Everything wrong with a requirements declaration, as readable messages (empty if fine)."""
    if requirements in (None, ""):
        return []
    if not isinstance(requirements, list):
        return ["Data requirements must be a list of field specs."]
    errors: list[str] = []
    _check_specs(requirements, "", errors, top_level=requirements)
    return errors


def _check_specs(specs: list, prefix: str, errors: list[str], top_level: list) -> None:
    seen = set()
    for index, spec in enumerate(specs):
        where = f"{prefix}[{index}]" if not isinstance(spec, dict) or "name" not in spec else prefix + str(spec["name"])
        if not isinstance(spec, dict):
            errors.append(f"{where}: a field spec must be an object.")
            continue
        name, kind = spec.get("name"), spec.get("type")
        if not isinstance(name, str) or not NAME_PATTERN.match(name):
            errors.append(f"{where}: name must be lower-case letters, digits and underscores, starting with a letter.")
            continue
        if name in seen:
            errors.append(f"{where}: the name is used twice.")
        seen.add(name)
        if kind not in FIELD_TYPES:
            errors.append(f"{where}: type must be one of {', '.join(sorted(FIELD_TYPES))}.")
            continue
        unknown = set(spec) - ALLOWED_KEYS["common"] - ALLOWED_KEYS[kind]
        if unknown:
            errors.append(f"{where}: unknown keys for a {kind} field: {', '.join(sorted(unknown))}.")
        _check_bounds(spec, where, errors)
        if kind == "choice":
            _check_choice_spec(spec, where, errors, top_level)
        if kind == "telephone_number":
            problems, porting = number_spec_errors(spec, where, top_level=not prefix)
            errors.extend(problems)
            if porting is not None:
                _check_specs(porting, f"{where}.", errors, porting)
        if kind == "text" and "pattern" in spec:
            try:
                re.compile(spec["pattern"])
            except (re.error, TypeError):
                errors.append(f"{where}: pattern is not a valid regular expression.")
            if not str(spec.get("pattern_rule") or "").strip():
                # What people read when a value does not match: "must be 3 or 4 digits", never "wrong format".
                errors.append(f'{where}: a pattern needs its pattern_rule, the rule in words (e.g. "3 or 4 digits").')
        if kind == "group" and "price_per_entry" in spec:
            _check_price_per_entry(spec["price_per_entry"], where, errors)
        if kind == "group":
            fields = spec.get("fields")
            if not isinstance(fields, list) or not fields:
                errors.append(f"{where}: a group needs a non-empty list of fields.")
            else:
                _check_specs(fields, f"{where}.", errors, top_level)


def _check_bounds(spec: dict, where: str, errors: list[str]) -> None:
    kind = spec["type"]
    pairs = {"text": ("min_length", "max_length"), "number": ("min", "max"), "group": ("min", "max")}
    if kind == "date":
        for key in ("min", "max"):
            if key in spec and _parse_date(spec[key]) is None:
                errors.append(f"{where}: {key} must be a date (yyyy-mm-dd).")
        return
    if kind not in pairs:
        return
    low_key, high_key = pairs[kind]
    low, high = spec.get(low_key), spec.get(high_key)
    for key, value in ((low_key, low), (high_key, high)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            errors.append(f"{where}: {key} must be a number.")
            return
    if kind != "number" and any(v is not None and v < 0 for v in (low, high)):
        errors.append(f"{where}: {low_key}/{high_key} cannot be negative.")
    if low is not None and high is not None and low > high:
        errors.append(f"{where}: {low_key} is greater than {high_key}.")


def _check_price_per_entry(charge, where: str, errors: list[str]) -> None:
    if not isinstance(charge, dict) or not charge or set(charge) - set(PRICE_KINDS):
        errors.append(f"{where}: price_per_entry must be an object with one_off and/or recurring amounts.")
        return
    for kind, amount in charge.items():
        number = _parse_number(amount) if isinstance(amount, (str, int)) else None
        if number is None or number < 0 or number != number.quantize(Decimal("0.01")):
            errors.append(f'{where}: price_per_entry {kind} must be an amount such as "6.50" (0 or more).')


def _check_choice_spec(spec: dict, where: str, errors: list[str], top_level: list) -> None:
    if "choices_from" in spec:
        source = spec["choices_from"]
        group_name, _, field_name = str(source).partition(".")
        group = next((s for s in top_level if isinstance(s, dict) and s.get("name") == group_name), None)
        if (
            not field_name
            or group is None
            or group.get("type") != "group"
            or not any(isinstance(f, dict) and f.get("name") == field_name for f in group.get("fields", []))
        ):
            errors.append(f"{where}: choices_from must name a top-level group and one of its fields.")
        return
    choices = spec.get("choices")
    if not isinstance(choices, list) or not choices:
        errors.append(f"{where}: a choice field needs a non-empty list of choices (or choices_from).")
        return
    for choice in choices:
        if isinstance(choice, dict) and "value" not in choice:
            errors.append(f"{where}: every choice object needs a value.")
            return


# --- checking a characteristics document against the requirements ---------------------------


def validate_characteristics(requirements, document) -> list[FieldError]:
    """Every problem in a characteristics document, with field paths; an empty list means valid."""
    requirements = requirements or []
    if document is None:
        document = {}
    if not isinstance(document, dict):
        return [FieldError("", "characteristics must be an object")]
    errors: list[FieldError] = []
    _validate_object(requirements, document, "", errors, root=document)
    return errors


def _validate_object(specs: list, values: dict, prefix: str, errors: list[FieldError], root: dict) -> None:
    known = {spec["name"] for spec in specs}
    for key in sorted(set(values) - known):
        errors.append(FieldError(f"{prefix}{key}", "unknown field"))
    for spec in specs:
        path = f"{prefix}{spec['name']}"
        value = values.get(spec["name"])
        if _is_empty(value):
            if spec["type"] == "group":
                if spec.get("min", 0) > 0 or spec.get("required"):
                    minimum = max(spec.get("min", 0), 1)
                    errors.append(FieldError(path, f"at least {minimum} required"))
            elif spec.get("required"):
                errors.append(FieldError(path, "this field is required"))
            continue
        if spec["type"] == "group":
            _validate_group(spec, value, path, errors, root)
        elif spec["type"] == "telephone_number":
            problems, porting = number_value_errors(spec, value, path)
            errors.extend(problems)
            if porting is not None:
                _validate_object(spec.get("porting", []), porting, f"{path}.", errors, root)
        else:
            message = _value_error(spec, value, root)
            if message:
                errors.append(FieldError(path, message))


def _validate_group(spec: dict, rows, path: str, errors: list[FieldError], root: dict) -> None:
    if not isinstance(rows, list):
        errors.append(FieldError(path, "must be a list of entries"))
        return
    minimum, maximum = spec.get("min", 0), spec.get("max")
    if len(rows) < minimum:
        errors.append(FieldError(path, f"at least {minimum} required, {len(rows)} given"))
    if maximum is not None and len(rows) > maximum:
        errors.append(FieldError(path, f"at most {maximum} allowed, {len(rows)} given"))
    for index, row in enumerate(rows):
        row_path = f"{path}[{index}]"
        if not isinstance(row, dict):
            errors.append(FieldError(row_path, "must be an object"))
            continue
        _validate_object(spec["fields"], row, f"{row_path}.", errors, root)
    for field in spec["fields"]:
        if not field.get("unique"):
            continue
        seen: dict[str, int] = {}
        for index, row in enumerate(rows):
            if not isinstance(row, dict) or _is_empty(row.get(field["name"])):
                continue
            key = str(row[field["name"]]).strip().lower()
            if key in seen:
                errors.append(FieldError(f"{path}[{index}].{field['name']}", f"duplicates {path}[{seen[key]}]"))
            else:
                seen[key] = index


def _value_error(spec: dict, value, root: dict) -> str | None:
    kind = spec["type"]
    if kind == "text":
        if not isinstance(value, str):
            return "must be text"
        if len(value) < spec.get("min_length", 0):
            return f"must be at least {spec['min_length']} characters"
        if "max_length" in spec and len(value) > spec["max_length"]:
            return f"must be at most {spec['max_length']} characters"
        if "pattern" in spec and not re.fullmatch(spec["pattern"], value):
            # The rule in words ("3 or 4 digits"), as the person typing it needs to read it.
            return f"must be {spec['pattern_rule']}" if spec.get("pattern_rule") else "has the wrong format"
        return None
    if kind == "number":
        number = _parse_number(value)
        if number is None:
            return "must be a number"
        if spec.get("integer") and number != number.to_integral_value():
            return "must be a whole number"
        if "min" in spec and number < Decimal(str(spec["min"])):
            return f"must be at least {spec['min']}"
        if "max" in spec and number > Decimal(str(spec["max"])):
            return f"must be at most {spec['max']}"
        return None
    if kind == "choice":
        options = choice_options(spec, root)
        allowed = {value for value, _ in options}
        if spec.get("multiple"):
            if not isinstance(value, list):
                return "must be a list of choices"
            wrong = [str(v) for v in value if str(v) not in allowed]
            if not wrong:
                return None
            verb = "is" if len(wrong) == 1 else "are"
            return f"must be chosen from {_choices_in_words(options)}; {_and(wrong)} {verb} not"
        if isinstance(value, (list, dict)) or str(value) not in allowed:
            return f"must be one of {_choices_in_words(options)}; {value} is not one"
        return None
    if kind == "boolean":
        return None if isinstance(value, bool) else "must be true or false"
    if kind == "date":
        date = _parse_date(value)
        if date is None:
            return "must be a date (yyyy-mm-dd)"
        if "min" in spec and date < _parse_date(spec["min"]):
            return f"must be on or after {spec['min']}"
        if "max" in spec and date > _parse_date(spec["max"]):
            return f"must be on or before {spec['max']}"
        return None
    if kind == "phone":
        return None if isinstance(value, str) and PHONE_PATTERN.match(value.strip()) else "must be a phone number"
    if kind == "email":
        try:
            validate_email(value if isinstance(value, str) else "")
        except ValidationError:
            return "must be an email address"
        return None
    return None


# Up to this many choices are named in a message; beyond, the page's list says them better.
CHOICES_NAMED = 8


def _choices_in_words(options: list[tuple[str, str]]) -> str:
    """ "Sales or Support"; "the choices listed" when there are too many to name, "none yet" for none."""
    if not options:
        return "the choices entered above (there are none yet)"
    if len(options) > CHOICES_NAMED:
        return "the choices listed"
    labels = [label for _, label in options]
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} or {labels[-1]}"


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _is_empty(value) -> bool:
    return value is None or value == "" or value == []


def _parse_number(value) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _parse_date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


INDEXED = re.compile(r"\[(\d+)\]")


def row_noun(spec: dict) -> str:
    """ "Handsets" -> "Handset", "User groups" -> "User group", "Application policies" -> "Application policy"."""
    label = label_of(spec)
    lower = label.lower()
    if lower.endswith("ies"):
        return label[:-3] + "y"
    if lower.endswith(("sses", "xes", "ches", "shes")):
        return label[:-2]
    if lower.endswith("s") and not lower.endswith("ss"):
        return label[:-1]
    return label


# --- charges per entry -------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryCharge:
    """A group's charge per entry, and how many entries a document has (all parent rows together)."""

    spec_path: str
    one_off: Decimal
    recurring: Decimal
    entries: int


def price_per_entry(spec: dict) -> tuple[Decimal, Decimal] | None:
    """A group spec's (one-off, recurring) charge per entry, or None when it declares none."""
    charge = spec.get("price_per_entry") if spec.get("type") == "group" else None
    if not isinstance(charge, dict):
        return None
    amounts = [_parse_number(charge.get(kind, "0")) or Decimal("0") for kind in PRICE_KINDS]
    return amounts[0], amounts[1]


def entry_charges(requirements, document) -> list[EntryCharge]:
    """The charged groups of a requirements declaration, with the entries a document holds for each."""
    charges: list[EntryCharge] = []
    _collect_charges([s for s in (requirements or []) if isinstance(s, dict)], [document], "", charges)
    return charges


def _collect_charges(specs: list[dict], parents: list, prefix: str, charges: list[EntryCharge]) -> None:
    for spec in specs:
        if spec.get("type") != "group":
            continue
        rows = [
            row
            for parent in parents
            if isinstance(parent, dict) and isinstance(parent.get(spec["name"]), list)
            for row in parent[spec["name"]]
            if isinstance(row, dict)
        ]
        charge = price_per_entry(spec)
        if charge is not None:
            charges.append(EntryCharge(f"{prefix}{spec['name']}", charge[0], charge[1], len(rows)))
        fields = [f for f in spec.get("fields") or [] if isinstance(f, dict)]
        _collect_charges(fields, rows, f"{prefix}{spec['name']}.", charges)


# --- reading a document for people -------------------------------------------------------------


@dataclass
class Entry:
    """A labelled value of a characteristics document; groups hold rows of entries."""

    label: str
    text: str = ""
    rows: list[tuple[str, list[Entry]]] = dataclasses.field(default_factory=list)
    is_group: bool = False


def describe(requirements, document) -> list[Entry]:
    """The document as labelled entries in declaration order; unknown keys come last, as stored."""
    specs = [s for s in (requirements or []) if isinstance(s, dict)]
    document = document if isinstance(document, dict) else {}
    return _describe(specs, document, document)


def _describe(specs, values, root) -> list[Entry]:
    entries = []
    known = set()
    for spec in specs:
        known.add(spec["name"])
        if spec["name"] not in values:
            continue
        value = values[spec["name"]]
        if spec["type"] == "group":
            noun = row_noun(spec)
            rows = value if isinstance(value, list) else []
            entries.append(
                Entry(
                    label_of(spec),
                    text=value_text(spec, rows),
                    is_group=True,
                    rows=[
                        (f"{noun} {i + 1}", _describe(spec["fields"], row if isinstance(row, dict) else {}, root))
                        for i, row in enumerate(rows)
                    ],
                )
            )
        else:
            entries.append(Entry(label_of(spec), text=value_text(spec, value, root)))
    for key in values:
        if key not in known:
            entries.append(Entry(key, text=_plain(values[key])))
    return entries


def summary_text(entries: list[Entry]) -> str:
    """One line for a described document: "Router: Home Hub 6 · 3 handsets"."""
    return " · ".join(entry.text if entry.is_group else f"{entry.label}: {entry.text}" for entry in entries)


def value_text(spec: dict | None, value, root: dict | None = None) -> str:
    """A stored value as a person reads it: choice labels, Yes/No, lists joined."""
    if spec is not None and spec.get("type") == "boolean" and value in (None, ""):
        return "No"
    if value is None or value == "" or value == []:
        return "—"
    if spec is None:
        return _plain(value)
    kind = spec.get("type")
    if kind == "boolean":
        return "Yes" if value is True else "No" if value is False else str(value)
    if kind == "choice":
        labels = dict(choice_options(spec, root or {}))
        if isinstance(value, list):
            return ", ".join(labels.get(str(v), str(v)) for v in value)
        return labels.get(str(value), str(value))
    if kind == "telephone_number":
        return number_text(value)
    if kind == "group":
        count = len(value) if isinstance(value, list) else 0
        return f"{count} {row_noun(spec).lower()}{'' if count == 1 else 's'}"
    return _plain(value)


def _plain(value) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    return str(value)


def spec_at(requirements, path: str) -> dict | None:
    """The field spec a path points at ("handsets[2].extension" -> the extension spec), or None."""
    specs = [s for s in (requirements or []) if isinstance(s, dict)]
    spec = None
    for part in INDEXED.sub("", path).split("."):
        spec = next((s for s in specs if s.get("name") == part), None)
        if spec is None:
            return None
        specs = _inner_specs(spec)
    return spec


def _inner_specs(spec: dict) -> list[dict]:
    if spec.get("type") == "group":
        return spec.get("fields", [])
    if spec.get("type") == "telephone_number":
        return number_subspecs(spec)
    return []


def path_label(requirements, path: str) -> str:
    """ "handsets[2].speed_dials[0].number" -> "Handset 3 › Speed dial 1 › Number"."""
    if not path:
        return ""
    specs = [s for s in (requirements or []) if isinstance(s, dict)]
    words = []
    for part in path.split("."):
        match = re.fullmatch(r"([a-z0-9_]+)(?:\[(\d+)\])?", part)
        if not match:
            words.append(part)
            specs = []
            continue
        name, index = match.groups()
        spec = next((s for s in specs if s.get("name") == name), None)
        if spec is None:
            words.append(name)
            specs = []
            continue
        if index is not None:
            words.append(f"{row_noun(spec)} {int(index) + 1}")
        else:
            words.append(label_of(spec))
        specs = _inner_specs(spec)
    return " › ".join(words)
