"""A repeatable group drawn as a grid: one row an entry, one column a field (the capture form's groups).

Written in Python rather than a template because a business phone system has 500 handsets of six
cells each, and a nested grid (speed dials) in every row: Django's template engine took about four
seconds for that page, this takes a few dozen milliseconds. The markup is the same either way:

- a <fieldset data-group> with its legend, limits and errors, the paste box (paste.html, top level
  only), a <table> whose header cells are the labels, a <template> row capture.js clones, and Add;
- a row <tr data-row> with its key (hidden input), its number, a cell per field and Copy / Remove;
  on a phone the rows become stacked cards (app.css), each cell titled by its data-label;
- every input named by its row and column, "Handset 3 › Extension" (aria-label; capture.js renumbers
  it), with its errors below it (aria-describedby) and the column's help as its description;
- a multiple choice, and a nested group, as a cell whose <summary> opens a panel (keyboard-usable).

The buttons are submit buttons (capture-add / capture-copy / capture-remove), so all of it works
without JavaScript too.
"""

from __future__ import annotations

from html import escape as escape_html

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

# The nodes drawn are ordersite.presentation.capture's CaptureField (a group, its columns and cells) and
# CaptureRow; not imported, since that module imports this one.
REQUIRED_MARK = '<span class="required-mark" aria-hidden="true"> *</span>'
ARIA_REQUIRED = ' aria-required="true"'
ARIA_INVALID = ' aria-invalid="true"'


def escape(value) -> str:
    """What django.utils.html.escape does, without its lazy-string wrapper (a tenth of the page's time)."""
    return escape_html(str(value))


def group_html(group) -> SafeString:
    out: list[str] = []
    _group(group, out, own_template=True)
    return mark_safe("".join(out))  # noqa: S308  every value in it went through escape()


def _attr(name: str, value) -> str:
    return f' {name}="{escape(value)}"'


def _described_by(*ids: str) -> str:
    ids = [i for i in ids if i]
    return _attr("aria-describedby", " ".join(ids)) if ids else ""


def _group(group, out: list[str], own_template: bool) -> None:
    """own_template False: a nested grid in an entry, whose rows capture.js clones from the nested grid
    of the outer group's template row (500 handsets need not carry 500 copies of a speed-dial row)."""
    gid = escape(group.id)
    errors_id = f"{group.id}-error" if group.errors else ""
    help_id = f"{group.id}-help" if group.help else ""
    help_html = f' <span id="{escape(help_id)}">{escape(group.help)}</span>' if group.help else ""
    out.append(
        f'<fieldset class="capture-group capture-grid-group{" is-invalid" if group.errors else ""}"'
        f' id="{gid}" tabindex="-1"'
        f"{_attr('data-group', group.name)}{_attr('data-placeholder', group.placeholder)}"
        f"{_attr('data-next-key', group.next_key)}{_attr('data-row-noun', group.row_noun)}"
        f"{_attr('data-min', group.minimum or 0)}{_attr('data-max', group.maximum) if group.maximum else ''}"
        f"{_described_by(help_id, errors_id)}>"
        f'<legend class="capture-group-legend">{escape(group.label)}{REQUIRED_MARK if group.required else ""}'
        f' <span class="capture-group-count" data-row-count>{len(group.rows)}</span></legend>'
        f'<p class="capture-group-limits">{escape(_limits(group))}{help_html}</p>'
    )
    for error in group.errors:
        out.append(f'<div class="invalid-feedback d-block mb-2" id="{escape(errors_id)}">{escape(error)}</div>')
    if group.takes_paste:
        out.append(render_to_string("presentation/capture/paste.html", {"group": group}))
    out.append('<div class="capture-grid-scroll"><table class="capture-grid"><thead><tr>')
    out.append(
        f'<th scope="col" class="capture-grid-number"><span class="visually-hidden">{escape(group.row_noun)}</span>'
        '<span aria-hidden="true">#</span></th>'
    )
    for column in group.columns:
        help_html = (
            f'<span class="capture-grid-help" id="{gid}-{escape(column.spec["name"])}-help">'
            f"{escape(column.help)}</span>"
            if column.help
            else ""
        )
        out.append(
            f'<th scope="col" class="capture-grid-col capture-grid-col-{column.widget}">{escape(column.label)}'
            f"{REQUIRED_MARK if column.required else ''}{help_html}</th>"
        )
    out.append(
        '<th scope="col" class="capture-grid-actions"><span class="visually-hidden">Copy or remove</span></th>'
        "</tr></thead><tbody data-rows>"
    )
    for row in group.rows:
        _row(group, row, out)
    out.append("</tbody></table></div>")
    if own_template and group.template_row is not None:
        out.append("<template data-row-template>")
        _row(group, group.template_row, out)
        out.append("</template>")
    noun = escape(group.row_noun.lower())
    out.append(
        f'<button type="submit" class="btn btn-outline-primary btn-sm capture-add" name="capture-add"'
        f"{_attr('value', group.name)}{_attr('data-capture-add', group.name)} formnovalidate"
        f"{'' if group.can_add else ' disabled'}>"
        f'<i class="bi bi-plus-lg me-1" aria-hidden="true"></i>Add {noun}</button></fieldset>'
    )


_ESCAPED_OPTIONS: dict[tuple, list[tuple[str, str, str]]] = {}


def _escaped_options(options: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(value, ' value="…"', label) escaped once for every row offering the same choices."""
    key = tuple(options)
    escaped = _ESCAPED_OPTIONS.get(key)
    if escaped is None:
        escaped = [(value, _attr("value", value), escape(label)) for value, label in options]
        if len(_ESCAPED_OPTIONS) > 1000:  # catalogs' choices are few; user-typed group names come and go
            _ESCAPED_OPTIONS.clear()
        _ESCAPED_OPTIONS[key] = escaped
    return escaped


def _limits(group) -> str:
    low, high = group.minimum, group.maximum
    if low and high:
        return f"At least {low}, at most {high}."
    if low:
        return f"At least {low}."
    if high:
        return f"Up to {high}; optional."
    return "Optional."


def _row(group, row, out: list[str]) -> None:
    title = escape(row.title)
    prefix = escape(row.prefix)
    row_errors = "".join(f'<div class="invalid-feedback d-block">{escape(e)}</div>' for e in row.errors)
    out.append(
        f'<tr class="capture-row{" is-invalid" if row.errors else ""}" data-row="{prefix}">'
        f'<th scope="row" class="capture-grid-number"><input type="hidden"{_attr("name", group.name)}'
        f'{_attr("value", row.key)}><span class="visually-hidden" data-row-title>{title}</span>'
        f'<span aria-hidden="true" data-row-number>{row.number}</span>{row_errors}</th>'
    )
    for field in row.fields:
        # data-label and data-help: the column's header, which a phone's card layout (app.css) shows in the cell.
        out.append(
            f'<td class="capture-cell capture-cell-{field.widget}{" has-error" if field.errors else ""}'
            f'{" is-required" if field.required else ""}"{_attr("data-label", field.label)}'
            f"{_attr('data-help', field.help) if field.help else ''}>"
        )
        _cell(group, row, field, out)
        for error in field.errors:
            out.append(f'<div class="invalid-feedback d-block" id="{escape(field.id)}-error">{escape(error)}</div>')
        out.append("</td>")
    out.append(
        '<td class="capture-grid-actions">'
        '<button type="submit" class="btn btn-sm btn-outline-secondary capture-copy" name="capture-copy"'
        f' value="{prefix}" data-capture-copy="{prefix}" formnovalidate title="Copy this row">'
        '<i class="bi bi-copy" aria-hidden="true"></i>'
        f'<span class="visually-hidden">Copy <span data-row-title>{title}</span></span></button> '
        '<button type="submit" class="btn btn-sm btn-outline-danger capture-remove" name="capture-remove"'
        f' value="{prefix}" data-capture-remove="{prefix}" formnovalidate title="Remove this row">'
        '<i class="bi bi-trash3" aria-hidden="true"></i>'
        f'<span class="visually-hidden">Remove <span data-row-title>{title}</span></span></button></td></tr>'
    )


def _cell(group, row, field, out: list[str]) -> None:
    widget = field.widget
    invalid = " is-invalid" if field.errors else ""
    help_id = f"{group.id}-{field.spec['name']}-help" if field.help else ""
    error_id = f"{field.id}-error" if field.errors else ""
    common = (
        f"{_attr('name', field.name)}{_attr('id', field.id)}{_attr('aria-label', field.cell_label)}"
        f"{_attr('data-cell-label', field.label)}"
        f"{ARIA_REQUIRED if field.required else ''}{ARIA_INVALID if field.errors else ''}"
        f"{_described_by(help_id, error_id)}"
    )
    if widget == "input":
        value = "" if field.value is None else field.value
        extra = _attr("inputmode", field.input_mode) if field.input_mode else ""
        if field.max_length:
            extra += _attr("maxlength", field.max_length)
        if field.kind == "number":
            extra += _attr("step", field.step)
            if field.minimum is not None:
                extra += _attr("min", field.minimum)
            if field.maximum is not None:
                extra += _attr("max", field.maximum)
        if field.spec.get("unique"):
            extra += " data-unique"
        out.append(
            f'<input class="form-control form-control-sm{invalid}" type="{field.input_type}"{common}'
            f'{_attr("value", value)} autocomplete="off"{_attr("data-spec-path", field.spec_path)}{extra}>'
        )
    elif widget == "select":
        selected = set(field.selected)
        prompt = f"Choose a {field.source_noun}…" if field.source_noun else "Choose…"
        source = _attr("data-choices-from", field.choices_from) if field.choices_from else ""
        options = "".join(
            f"<option{escaped_value}{' selected' if value in selected else ''}>{escaped_label}</option>"
            for value, escaped_value, escaped_label in _escaped_options(field.options)
        )
        out.append(
            f'<select class="form-select form-select-sm{invalid}"{common}{source}>'
            f'<option value="">{escape(prompt)}</option>{options}</select>'
        )
    elif widget == "checkbox":
        checked = " checked" if field.value is True else ""
        out.append(f'<input class="form-check-input{invalid}" type="checkbox"{common}{checked}>')
    elif widget == "checkboxes":
        selected = set(field.selected)
        fid = escape(field.id)
        boxes = "".join(
            f'<div class="form-check"><input class="form-check-input" type="checkbox"{_attr("name", field.name)}'
            f' id="{fid}-{index}" value="{escape(value)}"{" checked" if value in selected else ""}>'
            f'<label class="form-check-label" for="{fid}-{index}">{escape(label)}</label></div>'
            for index, (value, label) in enumerate(field.options)
        )
        out.append(
            f'<details class="capture-cell-popover" data-multi><summary class="form-select form-select-sm{invalid}"'
            f' id="{fid}"{_described_by(error_id)}>'
            f'<span class="visually-hidden"{_attr("data-cell-prefix", field.label)}>{escape(field.cell_label)}: </span>'
            f"<span data-multi-summary>{escape(field.selected_labels or 'None')}</span>"
            f'</summary><div class="capture-popover-panel" role="group"{_attr("aria-label", field.cell_label)}'
            f"{_attr('data-cell-label', field.label)}>{boxes}</div></details>"
        )
    elif widget == "group":
        opened = field.has_errors_within
        out.append(
            f'<details class="capture-cell-popover capture-cell-nested"{" open" if opened else ""}>'
            f'<summary class="btn btn-sm btn-outline-secondary{" is-invalid" if opened else ""}">'
            f'<span class="visually-hidden"{_attr("data-cell-prefix", field.label)}>{escape(field.cell_label)}: </span>'
            f"<span{_attr('data-entry-count-for', field.name)}>{escape(field.entry_count_text)}</span></summary>"
            '<div class="capture-popover-panel capture-popover-wide">'
        )
        _group(field, out, own_template=row.index is None)
        out.append("</div></details>")
    else:
        out.append(render_to_string("presentation/capture/field.html", {"field": field}))
