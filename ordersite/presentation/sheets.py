"""Rows of a repeatable group read from a spreadsheet: text pasted from Excel or Sheets, or a CSV file.

    sheet = read_sheet(text, group_spec, document)
    sheet.rows    # entries ready for the group, values typed as the capture form types them
    sheet.errors  # why the sheet cannot be used at all (nothing of it is applied then)

What a person copies from a spreadsheet is tab-separated; a CSV file is comma- (or, from a European
Excel, semicolon-) separated, with quotes around cells that hold one. The first line may name the
columns by a field's label or name ("Extension", "user_name"), in any order and case; without it
the columns are the group's fields in the order the form shows them. Choices are matched by value
or label, case-insensitively; a multiple choice takes several separated by ";" or ",". A value that
matches nothing is kept as typed, so validation names it at its cell like a value typed by hand.
Nested groups (a handset's speed dials) are not columns: they are filled in the grid.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from orders.requirements import choice_options, label_of, row_noun

# Bigger than any sheet a group can take (500 rows of a dozen columns), small enough to read at once.
MAX_FILE_BYTES = 1_000_000
TRUE_WORDS = {"yes", "y", "true", "1", "x", "on", "✓"}
FALSE_WORDS = {"no", "n", "false", "0", "off", ""}


@dataclass
class Sheet:
    rows: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def columns_of(group_spec: dict) -> list[dict]:
    """The fields a sheet fills, in the form's order: every field of the group but nested groups."""
    return [spec for spec in group_spec["fields"] if spec["type"] != "group"]


def decode_upload(upload) -> tuple[str, str]:
    """(text, error) of an uploaded CSV file: UTF-8 (with or without Excel's mark), else Windows-1252."""
    if upload.size > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // 1_000_000
        return "", f"The file is {upload.size // 1000:,} kB: a CSV file of at most {limit} MB is read."
    raw = upload.read()
    if b"\x00" in raw:
        return "", "The file is not a CSV file: save the sheet as CSV (comma separated) and choose it again."
    try:
        return raw.decode("utf-8-sig"), ""
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), ""


def read_sheet(text: str, group_spec: dict, document: dict) -> Sheet:
    """The entries a pasted sheet or CSV text gives a group, or why it cannot be read."""
    columns = columns_of(group_spec)
    noun = row_noun(group_spec).lower()
    lines = _split(text)
    if isinstance(lines, str):
        return Sheet(errors=[lines])
    lines = [(number, cells) for number, cells in lines if any(cell.strip() for cell in cells)]
    if not lines:
        return Sheet(errors=["Paste rows copied from a spreadsheet, or choose a CSV file, first."])

    header = _header(lines[0][1], columns)
    if isinstance(header, str):
        return Sheet(errors=[header])
    if header is not None:
        order, lines = header, lines[1:]
        if not lines:
            return Sheet(errors=["Only the column names were pasted: copy the rows below them too."])
    else:
        order = columns
    sheet = Sheet()
    names = ", ".join(label_of(spec) for spec in order)
    for number, cells in lines:
        extra = [cell for cell in cells[len(order) :] if cell.strip()]
        if extra:
            sheet.errors.append(
                f"Line {number} has {len(order) + len(extra)} values; a {noun} has {len(order)} columns ({names})."
            )
            continue
        row = {}
        for spec, cell in zip(order, cells, strict=False):
            value = _value(spec, cell.strip(), document)
            if value is not None:
                row[spec["name"]] = value
        sheet.rows.append(row)
    if sheet.errors:
        sheet.rows = []
    return sheet


def _split(text: str) -> list[tuple[int, list[str]]] | str:
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    first = next((line for line in text.split("\n") if line.strip()), "")
    delimiter = "\t" if "\t" in first else ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    lines = []
    try:
        for cells in reader:
            lines.append((reader.line_num, cells))
    except csv.Error as error:
        return f"Line {reader.line_num + 1} could not be read ({error}): check its quotes."
    return lines


def _key(text: str) -> str:
    return " ".join(text.replace("_", " ").replace("*", " ").split()).casefold()


def _header(cells: list[str], columns: list[dict]) -> list[dict] | str | None:
    """The columns a first line names, None when it is data, or why it names columns we don't have."""
    by_key = {}
    for spec in columns:
        by_key[_key(spec["name"])] = spec
        by_key[_key(label_of(spec))] = spec
    named = [cell for cell in cells if cell.strip()]
    known = [by_key.get(_key(cell)) for cell in cells]
    matched = [spec for spec in known if spec is not None]
    if not matched:
        return None
    unknown = [cell.strip() for cell, spec in zip(cells, known, strict=True) if spec is None and cell.strip()]
    if unknown and len(matched) < len(named) / 2:
        return None  # mostly values: a data line that happens to hold a word like "Sales"
    if unknown:
        names = ", ".join(label_of(spec) for spec in columns)
        quoted = ", ".join(f"“{cell}”" for cell in unknown)
        return f"The first line names columns the form does not have: {quoted}. Its columns are {names}."
    repeated = {label_of(spec) for spec in matched if matched.count(spec) > 1}
    if repeated:
        return f"The first line names {', '.join(sorted(repeated))} twice."
    # A blank header cell is a column left out: its values are not read.
    return [spec if spec is not None else {"name": "", "type": "ignored"} for spec in known]


def _value(spec: dict, cell: str, document: dict):
    """A cell as the form would store it; None when it is empty (left out, like an empty field)."""
    kind = spec["type"]
    if kind == "ignored" or cell == "":
        return None
    if kind == "choice":
        options = choice_options(spec, document)
        if spec.get("multiple"):
            parts = [part.strip() for part in cell.replace(";", ",").split(",") if part.strip()]
            return list(dict.fromkeys(_choice(options, part) for part in parts)) or None
        return _choice(options, cell)
    if kind == "boolean":
        word = cell.casefold()
        if word in TRUE_WORDS:
            return True
        return None if word in FALSE_WORDS else cell
    return typed_value(spec, cell)


def typed_value(spec: dict, raw: str):
    """A typed-in value stored as its type says (numbers as numbers); kept as typed when it cannot be read."""
    if spec["type"] != "number":
        return raw
    try:
        number = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        return raw
    if not number.is_finite():
        return raw
    if number == number.to_integral_value() and "e" not in raw.lower():
        return int(number)
    return float(number)


def _choice(options: list[tuple[str, str]], cell: str) -> str:
    wanted = cell.casefold()
    for value, label in options:
        if wanted in (value.casefold(), label.casefold()):
            return value
    return cell
