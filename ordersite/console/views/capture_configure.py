"""Capture step 3: each item's configuration (characteristics from the catalog's data requirements) and options."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.shortcuts import redirect, render

from orders.models import Order, OrderItem
from orders.pricing import Prices, configured_prices
from orders.requirements import label_of, price_per_entry, row_noun
from orders.services import carried_over_characteristics, configure_items
from ordersite.console.forms.orders import ItemOptionsForm
from ordersite.console.wizard import after_save, capture_context, is_configured, options_apply, step_url
from ordersite.presentation.capture import PASTE_ROWS, CharacteristicsForm, changes_rows


@dataclass(frozen=True)
class EntryPrice:
    """What each row of a grid adds to the item's price; the page recounts the rows as they change."""

    group: str  # the grid's HTML name
    noun: str
    one_off: Decimal
    recurring: Decimal
    count: int


@dataclass
class ItemSection:
    item: OrderItem
    index: int
    form: CharacteristicsForm | None = None
    options: ItemOptionsForm | None = None

    @property
    def anchor(self) -> str:
        return f"item-{self.item.pk}"

    @property
    def per_entry(self) -> list[EntryPrice]:
        """The item's grids charged per row, with the rows on the page now."""
        if self.form is None:
            return []
        charges = []
        for spec in self.form.requirements:
            charge = price_per_entry(spec)
            if charge is not None:
                rows = self.form.document.get(spec["name"])
                count = len(rows) if isinstance(rows, list) else 0
                name = f"{self.form.prefix}-{spec['name']}"
                charges.append(EntryPrice(name, row_noun(spec).lower(), charge[0], charge[1], count))
        return charges

    @property
    def price(self) -> Prices:
        """The item's price for the configuration on the page (saved with it)."""
        return configured_prices(self.item.offering, self.form.document if self.form else self.item.characteristics)


def _configure_sections(order: Order, items: list[OrderItem], data=None, files=None) -> list[ItemSection]:
    sections = []
    for index, item in enumerate(items):
        section = ItemSection(item=item, index=index)
        if is_configured(item):
            section.form = CharacteristicsForm.for_item(item, data, files)
        if options_apply(item):
            section.options = ItemOptionsForm(data, prefix=f"i{item.pk}", item=item)
        sections.append(section)
    return sections


def configure_step(request, order: Order):
    items = list(order.items.all())
    if request.method != "POST":
        sections = _configure_sections(order, items, files=request.FILES)  # its form uploads a CSV
        for section in sections:
            # Show what is wrong with anything captured before; a fresh item starts clean.
            if section.form is not None and section.item.characteristics:
                section.form.is_valid()
        return _render_configure(request, order, sections)

    sections = _configure_sections(order, items, request.POST, request.FILES)
    problems = False
    offering_changed: list[OrderItem] = []
    changes = {}
    for section in sections:
        item, changed = section.item, {}
        if section.options is not None:
            if section.options.is_valid():
                changed.update(_option_changes(section.options, item))
            else:
                problems = True
        if "offering" in changed:
            # What still applies to the new offering is kept (the router of a fibre 500 moving to 900),
            # so only what is new or no longer valid is asked for.
            changed["characteristics"] = carried_over_characteristics(
                _configuration_so_far(item, section.form), changed["offering"]
            )
            offering_changed.append(item)
        elif section.form is not None and section.form.document != item.characteristics:
            changed["characteristics"] = section.form.document
        if changed:
            changes[item] = changed
    if changes:
        configure_items(order, by=request.user, changes=changes)
    if PASTE_ROWS in request.POST:
        return _render_pasted(request, order, sections)
    if changes_rows(request.POST):
        return _render_configure(request, order, sections)
    if offering_changed:
        for item in offering_changed:
            messages.info(request, _offering_changed_message(item))
        return redirect(step_url(order, "configure"))
    for section in sections:
        if section.form is not None:
            problems |= not section.form.is_valid()
    if problems and not request.POST.get("goto"):
        messages.error(request, "Some details need fixing: they are marked below. What you entered is saved.")
        return _render_configure(request, order, sections)
    return after_save(request, order, "configure")


def _configuration_so_far(item: OrderItem, form: CharacteristicsForm | None) -> dict:
    """What the agent sees for this item: the form as posted (a cleared field stays cleared), else the
    item as saved on top of the installed product's configuration."""
    if form is not None:
        return form.document
    current = dict(item.product.characteristics) if item.product_id else {}
    return {**current, **(item.characteristics or {})}


def _offering_changed_message(item: OrderItem) -> str:
    kept = [label_of(spec) for spec in item.offering.data_requirements or [] if spec["name"] in item.characteristics]
    if kept:
        return f"Now {item.offering.name}. Kept from the current product: {', '.join(kept)}. Check the rest below."
    return f"Now {item.offering.name}: configure it below."


def _render_pasted(request, order: Order, sections: list[ItemSection]):
    """The grid filled from a sheet, checked at once so each bad row is named in the error summary."""
    for section in sections:
        if section.form is None:
            continue
        section.form.is_valid()
        for path, count in section.form.pasted.items():
            noun = f"{row_noun(next(s for s in section.form.requirements if s['name'] == path)).lower()}s"
            to_fix = len({e.path.split(".")[0] for e in section.form.errors if e.path.startswith(f"{path}[")})
            fix = f" {to_fix} of the rows need fixing: they are listed above the form." if to_fix else ""
            messages.success(request, f"{count} {noun} filled in from the sheet and saved.{fix}")
    return _render_configure(request, order, sections)


def _option_changes(options: ItemOptionsForm, item: OrderItem) -> dict:
    changes = {}
    data = options.cleaned_data
    if "new_owner" in data and data["new_owner"] is not None and data["new_owner"].pk != item.new_owner_id:
        changes["new_owner"] = data["new_owner"]
    if "offering" in data and data["offering"] is not None and data["offering"].pk != item.offering_id:
        changes["offering"] = data["offering"]
    return changes


def _render_configure(request, order: Order, sections: list[ItemSection]):
    summary = []
    for section in sections:
        if section.form is not None:
            prefix = f"Item {section.index + 1}"
            summary += [(f"{prefix} · {text}", anchor) for text, anchor in section.form.error_summary()]
        if section.options is not None:
            for name, errors in section.options.errors.items():
                summary += [
                    (f"Item {section.index + 1} · {e}", f"id_{section.options.add_prefix(name)}") for e in errors
                ]
    context = capture_context(order, "configure", order.customer, sections=sections, error_summary=summary)
    return render(request, "console/capture/configure.html", context)
