"""Capture forms generated from an offering's data requirements, and the characteristics they produce.

Every channel that captures orders (the agent console, the customer's self-service page) uses
this module; it knows nothing about views or users. Three parts:

- ``CharacteristicsForm``: a form built from a requirements declaration. Bound to POST data it
  reads back a characteristics document (``form.document``); unbound it shows an existing one.
  Its ``fields`` are a tree of ``CaptureField`` / ``CaptureRow`` nodes the templates render
  (``templates/presentation/capture/characteristics.html``), with each error placed at its field.
- ``describe`` (from orders.requirements, which the back office uses too): the document as labelled,
  read-only entries (review pages, order detail).
- ``path_label`` / ``value_text``: human wording for a path such as ``handsets[2].extension``
  and its value (field-by-field revision differences, error summaries).

HTML names follow the path: ``handsets[2].extension`` under prefix ``i7-c`` is the input
``i7-c-handsets-2-extension``. A repeatable group ``handsets`` posts one ``i7-c-handsets`` value
per row, the row's key, in page order; a row's fields sit under ``i7-c-handsets-<key>-``. Rows
are renumbered 0, 1, 2 ... whenever a form is drawn again, so the keys on a page are the indexes
that validation errors use. New rows are cloned in the browser from a ``<template>`` whose keys
are ``__row<depth>__`` (static/js/capture.js); without JavaScript the same buttons post
``capture-add`` / ``capture-remove`` / ``capture-copy`` and the server adds, drops or copies the row.

A group is drawn as a grid (``templates/presentation/capture/grid.html``): one row an entry, one
column a field, a nested group (a handset's speed dials) as a cell that opens its own grid. A
top-level group also takes rows from a spreadsheet: ``capture-paste=<group name>`` posts the text in
``<group name>-paste`` (or the CSV file ``<group name>-csv``; ``<group name>-replace`` to drop the
rows already there), read by ``ordersite.presentation.sheets``. A sheet that cannot be read, or that
would give the group more rows than it allows, changes nothing and says why at the paste box.

Values are stored as typed as far as the type says (numbers as numbers, booleans as booleans,
multiple choices as lists); a value that cannot be read (``"abc"`` for a number) is kept as typed,
so a saved draft loses nothing and validation reports it at its field.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from customers.telephone import national, to_e164
from orders.numbers import numbers_offered, pool_errors
from orders.requirements import (
    INDEXED,
    FieldError,
    choice_options,
    label_of,
    number_subspecs,
    path_label,
    row_noun,
    spec_at,
    validate_characteristics,
)

# Reading a document for people lives in the domain (the back office shows it too); the channels
# keep importing it from here.
from orders.requirements import Entry as Entry
from orders.requirements import describe as describe
from orders.requirements import summary_text as summary_text
from orders.requirements import value_text as value_text
from ordersite.presentation.grid import group_html
from ordersite.presentation.sheets import decode_upload, read_sheet, typed_value

ADD_ROW = "capture-add"
REMOVE_ROW = "capture-remove"
COPY_ROW = "capture-copy"
PASTE_ROWS = "capture-paste"
ROW_ACTIONS = {"add": ADD_ROW, "remove": REMOVE_ROW, "duplicate": COPY_ROW, "paste": PASTE_ROWS}
ROW_KEY = re.compile(r"^[0-9]{1,4}$")
# A group never gets more rows than this from one post, whatever its declared maximum says.
MAX_ROWS = 500

# The choice, next to the pool's numbers, of keeping the customer's number from another provider.
KEEP_NUMBER = "keep"


def changes_rows(data) -> bool:
    """Whether a post only adds, removes, copies or pastes rows: the page is shown again, not left."""
    return any(action in data for action in ROW_ACTIONS.values())


INPUT_TYPES = {"text": "text", "number": "number", "date": "date", "phone": "tel", "email": "email"}


# --- the tree the templates draw ------------------------------------------------------------------


@dataclass
class CaptureRow:
    """One entry of a repeatable group."""

    key: str
    index: int | None  # None for the template row
    path: str
    prefix: str
    title: str
    fields: list[CaptureField]
    errors: list[str] = field(default_factory=list)

    @property
    def number(self) -> str:
        return str(self.index + 1) if self.index is not None else ""


@dataclass
class CaptureField:
    """One field (or group) of the form, with its value and errors, ready to draw."""

    spec: dict
    path: str
    spec_path: str
    name: str
    id: str
    label: str
    help: str
    required: bool
    value: object = None
    options: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    rows: list[CaptureRow] = field(default_factory=list)
    template_row: CaptureRow | None = None
    placeholder: str = ""
    next_key: int = 0
    row_noun: str = ""
    source_noun: str = ""
    cell_label: str = ""  # in a grid: "Handset 3 › Extension", the name of an input whose label is its column
    row_context: str = ""  # the entry a nested group belongs to: "Handset 3" for its speed dials
    depth: int = 0
    paste_errors: list[str] = field(default_factory=list)
    paste_text: str = ""
    accepts_files: bool = False  # the page's form uploads files (a CSV to import)
    # A telephone_number: the number kept from another provider and the porting data, as fields.
    keeping: bool = False
    fixed: bool = False  # a line's number, shown but not chosen again when the line changes
    port_fields: list[CaptureField] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.spec["type"]

    @property
    def widget(self) -> str:
        """input, select, checkboxes, checkbox, group or telephone_number."""
        if self.kind in ("group", "telephone_number"):
            return self.kind
        if self.kind == "boolean":
            return "checkbox"
        if self.kind == "choice":
            return "checkboxes" if self.spec.get("multiple") else "select"
        return "input"

    @property
    def input_type(self) -> str:
        return INPUT_TYPES.get(self.kind, "text")

    @property
    def choices_from(self) -> str:
        return self.spec.get("choices_from", "")

    @property
    def minimum(self):
        return self.spec.get("min")

    @property
    def maximum(self):
        return self.spec.get("max")

    @property
    def max_length(self):
        return self.spec.get("max_length")

    @property
    def step(self) -> str:
        return "1" if self.spec.get("integer") else "any"

    @property
    def input_mode(self) -> str:
        if self.kind == "number":
            return "numeric" if self.spec.get("integer") else "decimal"
        if self.kind == "phone":
            return "tel"
        if self.kind == "text" and self.spec.get("pattern", "").startswith("^[0-9]"):
            return "numeric"
        return ""

    @property
    def is_wide(self) -> bool:
        """Multiple choices and nested groups take a whole line."""
        return self.widget in ("checkboxes", "group")

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    @property
    def selected(self) -> list[str]:
        if isinstance(self.value, list):
            return [str(v) for v in self.value]
        return [] if self.value in (None, "") else [str(self.value)]

    @property
    def can_add(self) -> bool:
        return self.maximum is None or len(self.rows) < self.maximum

    @property
    def has_errors_within(self) -> bool:
        """Errors on the group or in any of its rows (a closed nested grid opens to show them)."""
        return bool(self.errors) or any(row.errors or any(f.has_errors_within for f in row.fields) for row in self.rows)

    @property
    def selected_labels(self) -> str:
        labels = dict(self.options)
        return ", ".join(labels.get(value, value) for value in self.selected)

    @property
    def columns(self) -> list[CaptureField]:
        """A grid's columns: the fields of its template row (labels, help, required marks)."""
        return self.template_row.fields if self.template_row else []

    @property
    def takes_paste(self) -> bool:
        """Top-level groups take rows from a spreadsheet; nested ones are filled in their grid."""
        return self.kind == "group" and self.depth == 0

    @property
    def grid_html(self) -> str:
        """A group drawn as a grid (ordersite.presentation.grid: 500 handsets are drawn in Python)."""
        return group_html(self)

    @property
    def paste_name(self) -> str:
        return f"{self.name}-paste"

    @property
    def entry_count_text(self) -> str:
        count = len(self.rows)
        return f"{count} {self.row_noun.lower()}{'' if count == 1 else 's'}"


def html_name(prefix: str, path: str) -> str:
    """The input name for a path: ("i7-c", "handsets[2].extension") -> "i7-c-handsets-2-extension"."""
    return f"{prefix}-" + INDEXED.sub(r"-\1", path).replace(".", "-")


def _blank_document(specs: list[dict]) -> dict:
    """Defaults only: what a form shows before anything was captured."""
    return {spec["name"]: copy.deepcopy(spec["default"]) for spec in specs if "default" in spec}


class CharacteristicsForm:
    """A form generated from data requirements; reads and shows a characteristics document.

    form = CharacteristicsForm(offering.data_requirements, prefix="i7-c", data=request.POST)
    form.document   # what was posted, as a characteristics document (save it as it is)
    form.is_valid() # runs orders.requirements.validate_characteristics; errors land at their fields
    """

    def __init__(
        self,
        requirements,
        *,
        prefix: str = "c",
        data=None,
        initial: dict | None = None,
        add: str | None = None,
        remove: str | None = None,
        duplicate: str | None = None,
        paste: str | None = None,
        files=None,
    ):
        self.requirements = [spec for spec in (requirements or []) if isinstance(spec, dict)]
        self.prefix = prefix
        self.is_bound = data is not None
        # What a spreadsheet paste could not use, by group path, and the text to show again with it.
        self.paste_errors: dict[str, list[str]] = {}
        self.paste_texts: dict[str, str] = {}
        self.pasted: dict[str, int] = {}
        self.accepts_files = files is not None
        if self.is_bound:
            self.document = read_document(self.requirements, data, prefix, add=add, remove=remove, duplicate=duplicate)
            if paste:
                self._paste(paste, data, files or {})
        elif initial:
            self.document = copy.deepcopy(initial) if isinstance(initial, dict) else {}
        else:
            self.document = _blank_document(self.requirements)
        self.errors: list[FieldError] = []
        self.holder = None  # the order item whose numbers the pool holds (for_item)
        self._fields: list[CaptureField] | None = None
        self.unplaced_errors: list[FieldError] = []

    @classmethod
    def editing(cls, requirements, document: dict, *, prefix: str, data=None, files=None) -> CharacteristicsForm:
        """A saved document being edited on a page: what was posted (rows added, removed, copied or
        pasted by the page's buttons) when `data` is given, else the document as saved."""
        actions = {}
        if data is not None:
            actions = {name: data.get(key) for name, key in ROW_ACTIONS.items()}
        return cls(requirements, prefix=prefix, data=data, initial=document, files=files, **actions)

    @classmethod
    def for_item(cls, item, data=None, files=None) -> CharacteristicsForm:
        """The characteristics of one order item, named so that several items fit on one page."""
        form = cls.editing(
            item.offering.data_requirements, item.characteristics, prefix=f"i{item.pk}-c", data=data, files=files
        )
        form.holder = item
        return form

    def _paste(self, group_name: str, data, files) -> None:
        """Fill a top-level group from the spreadsheet posted for it: all its rows, or none."""
        spec = next(
            (s for s in self.requirements if s["type"] == "group" and f"{self.prefix}-{s['name']}" == group_name), None
        )
        if spec is None:
            return
        path = spec["name"]
        text, error = data.get(f"{group_name}-paste") or "", ""
        upload = files.get(f"{group_name}-csv")
        if upload:
            text, error = decode_upload(upload)
        self.paste_texts[path] = "" if upload else text
        sheet = read_sheet(text, spec, self.document) if not error else None
        errors = [error] if error else sheet.errors
        if not errors:
            blank = _blank_document(spec["fields"])
            kept = [] if data.get(f"{group_name}-replace") else [r for r in self.document.get(path, []) if r != blank]
            limit = min(spec.get("max") or MAX_ROWS, MAX_ROWS)
            if len(kept) + len(sheet.rows) > limit:
                noun = row_noun(spec).lower()
                total = f" With the {len(kept)} already here that makes {len(kept) + len(sheet.rows)}." if kept else ""
                errors = [
                    f"The sheet has {len(sheet.rows)} {noun}s and at most {limit} are allowed.{total} "
                    "Nothing was added: paste fewer rows, or replace the ones here."
                ]
            else:
                self.document[path] = kept + sheet.rows
                self.pasted[path] = len(sheet.rows)
                self.paste_texts.pop(path)
        if errors:
            self.paste_errors[path] = errors

    # validation

    def validate(self) -> list[FieldError]:
        # The pool is asked only once the document itself is right: "taken" means the number was fine.
        return validate_characteristics(self.requirements, self.document) or pool_errors(
            self.requirements, self.document, self.holder
        )

    def is_valid(self) -> bool:
        self.show_errors(self.validate())
        return not self.errors

    def show_errors(self, errors) -> None:
        """Place these errors (paths relative to the document) at their fields."""
        self.errors = list(errors)
        self._fields = None

    @property
    def has_fields(self) -> bool:
        return bool(self.requirements)

    # drawing

    @property
    def fields(self) -> list[CaptureField]:
        if self._fields is None:
            by_path: dict[str, list[str]] = {}
            for error in self.errors:
                by_path.setdefault(error.path, []).append(humanize(error.message, self.requirements))
            placed: set[str] = set()
            self._options: dict[int, list[tuple[str, str]]] = {}
            self._fields = self._build(self.requirements, self.document, "", "", self.prefix, by_path, placed, 0)
            self.unplaced_errors = [e for e in self.errors if e.path not in placed]
        return self._fields

    def _build(self, specs, values, path_prefix, spec_prefix, name_prefix, errors, placed, depth, title=""):
        values = values if isinstance(values, dict) else {}
        fields = []
        for spec in specs:
            path = f"{path_prefix}{spec['name']}"
            name = f"{name_prefix}-{spec['name']}"
            node = CaptureField(
                spec=spec,
                path=path,
                spec_path=f"{spec_prefix}{spec['name']}",
                name=name,
                id=f"id_{name}",
                label=label_of(spec),
                help=spec.get("help", ""),
                required=bool(spec.get("required")) or (spec["type"] == "group" and spec.get("min", 0) > 0),
                errors=errors.get(path, []),
                cell_label=f"{title} › {label_of(spec)}" if title else label_of(spec),
                row_context=title,
                depth=depth,
            )
            if path in errors:
                placed.add(path)
            value = values.get(spec["name"])
            if spec["type"] == "group":
                self._build_group(node, value, errors, placed, depth)
            elif spec["type"] == "telephone_number":
                self._build_number(node, value, errors, placed, depth)
            else:
                node.value = value
                if spec["type"] == "choice":
                    # Every row of a grid offers the same choices: read them once per column.
                    if id(spec) not in self._options:
                        self._options[id(spec)] = choice_options(spec, self.document)
                    node.options = list(self._options[id(spec)])
                    if "choices_from" in spec:
                        source = spec_at(self.requirements, spec["choices_from"].split(".", 1)[0])
                        node.source_noun = row_noun(source).lower() if source else ""
                        # A value no longer offered (renamed group) stays visible, so it is not lost silently.
                        known = {v for v, _ in node.options}
                        node.options += [(v, v) for v in node.selected if v not in known]
            fields.append(node)
        return fields

    def _build_number(self, node: CaptureField, value, errors, placed, depth) -> None:
        value = value if isinstance(value, dict) else {}
        node.keeping = bool(value.get("keep"))
        node.value = KEEP_NUMBER if node.keeping else str(value.get("number") or "")
        if node.value and not node.keeping and (self.holder is None or self.holder.intent != "provide"):
            # A line that has its number keeps it: a change is not a new number.
            node.fixed, node.options = True, [(node.value, national(node.value))]
            return
        offered = [(n.e164, n.national) for n in numbers_offered(node.spec, holder=self.holder)]
        if node.value and not node.keeping and node.value not in {v for v, _ in offered}:
            offered.insert(0, (node.value, national(node.value)))  # taken meanwhile: its error says so
        node.options = offered
        kept = {**value, "number": national(value["number"]) if to_e164(value.get("number")) else value.get("number")}
        node.port_fields = self._build(
            number_subspecs(node.spec),
            kept if node.keeping else {},
            f"{node.path}.",
            f"{node.spec_path}.",
            node.name,
            errors,
            placed,
            depth + 1,
        )

    def _build_group(self, node: CaptureField, value, errors, placed, depth) -> None:
        spec = node.spec
        rows = [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []
        blank = _blank_document(spec["fields"])
        shown = rows + [copy.deepcopy(blank) for _ in range(max(spec.get("min", 0) - len(rows), 0))]
        node.row_noun = row_noun(spec)
        node.placeholder = f"__row{depth}__"
        if depth == 0:
            node.paste_errors = self.paste_errors.get(node.path, [])
            node.paste_text = self.paste_texts.get(node.path, "")
            node.accepts_files = self.accepts_files
        for index, row in enumerate(shown):
            node.rows.append(self._row(node, str(index), index, row, errors, placed, depth))
        node.next_key = len(shown)
        node.template_row = self._row(node, node.placeholder, None, blank, {}, set(), depth)

    def _row(self, node, key, index, values, errors, placed, depth) -> CaptureRow:
        row_path = f"{node.path}[{key}]"
        prefix = f"{node.name}-{key}"
        if row_path in errors:
            placed.add(row_path)
        title = f"{node.row_noun} {index + 1}" if index is not None else node.row_noun
        if node.row_context:
            title = f"{node.row_context} › {title}"  # "Handset 3 › Speed dial 1": which handset's
        return CaptureRow(
            key=key,
            index=index,
            path=row_path,
            prefix=prefix,
            title=title,
            fields=self._build(
                node.spec["fields"],
                values,
                f"{row_path}.",
                f"{node.spec_path}.",
                prefix,
                errors,
                placed,
                depth + 1,
                title=title,
            ),
            errors=errors.get(row_path, []),
        )

    def id_for(self, path: str) -> str:
        """The HTML id of the field at this path (for links from an error summary)."""
        return f"id_{html_name(self.prefix, path)}" if path else f"id_{self.prefix}"

    def error_summary(self) -> list[tuple[str, str]]:
        """(text, field id) for every error, in page order: for the list at the top of a page."""
        summary = []
        for path, messages in self.paste_errors.items():
            where = f"{path_label(self.requirements, path)} from a spreadsheet"
            summary += [(f"{where}: {message}", f"id_{html_name(self.prefix, path)}-paste") for message in messages]
        for error in self.errors:
            where = path_label(self.requirements, error.path)
            message = humanize(error.message, self.requirements)
            summary.append((f"{where}: {message}" if where else message, self.id_for(error.path)))
        return summary


# --- reading a posted form back into a document -----------------------------------------------


def read_document(
    specs: list[dict],
    data,
    prefix: str,
    *,
    add: str | None = None,
    remove: str | None = None,
    duplicate: str | None = None,
) -> dict:
    """The characteristics document a generated form posted (empty values left out).

    add: the HTML name of a group to give one more (blank) row; remove: the prefix of a row to drop;
    duplicate: the prefix of a row to repeat just below it, its unique fields left empty.
    """
    document: dict = {}
    for spec in specs:
        name = f"{prefix}-{spec['name']}"
        kind = spec["type"]
        if kind == "group":
            limit = min(spec.get("max") or MAX_ROWS, MAX_ROWS)
            rows = []
            for key in _row_keys(data, name):
                if f"{name}-{key}" != remove and len(rows) < limit:
                    row = read_document(
                        spec["fields"], data, f"{name}-{key}", add=add, remove=remove, duplicate=duplicate
                    )
                    rows.append(row)
                    if f"{name}-{key}" == duplicate and len(rows) < limit:
                        rows.append(_copy_of(spec, row))
            if name == add and len(rows) < limit:
                rows.append(_blank_document(spec["fields"]))
            if rows:
                document[spec["name"]] = rows
        elif kind == "telephone_number":
            chosen = (data.get(name) or "").strip()
            if chosen == KEEP_NUMBER:
                kept = read_document(number_subspecs(spec), data, name)
                if kept.get("number"):
                    kept["number"] = to_e164(kept["number"]) or kept["number"]
                document[spec["name"]] = {"keep": True, **kept}
            elif chosen:
                document[spec["name"]] = {"number": chosen}
        elif kind == "boolean":
            # Unticked is left out like any empty value, so it reads as "No" and diffs stay quiet.
            if data.get(name) in ("on", "true", "1", "yes"):
                document[spec["name"]] = True
        elif kind == "choice" and spec.get("multiple"):
            chosen = [v.strip() for v in data.getlist(name) if v.strip()]
            if chosen:
                document[spec["name"]] = list(dict.fromkeys(chosen))
        else:
            raw = (data.get(name) or "").strip()
            if raw:
                document[spec["name"]] = typed_value(spec, raw)
    return document


def _copy_of(group_spec: dict, row: dict) -> dict:
    """A row to start the next one from: the same values but those that must differ (the extension)."""
    unique = {spec["name"] for spec in group_spec["fields"] if spec.get("unique")}
    return {key: copy.deepcopy(value) for key, value in row.items() if key not in unique}


def _row_keys(data, name: str) -> list[str]:
    keys = [key for key in data.getlist(name) if ROW_KEY.match(key)]
    return list(dict.fromkeys(keys))


def humanize(message: str, requirements=None) -> str:
    """A validator message as a sentence: "duplicates handsets[0]" -> "Already used in Handset 1."."""
    duplicate = re.fullmatch(r"duplicates (.+)", message)
    if duplicate:
        message = f"already used in {path_label(requirements, duplicate.group(1))}"
    text = message[:1].upper() + message[1:]
    return text if text.endswith(".") else f"{text}."
