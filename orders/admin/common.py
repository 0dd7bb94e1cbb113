"""Presentation helpers shared by the back office's admins: state badges, JSON summaries, and one way to write
dates, people, transitions and an item's configuration."""

from __future__ import annotations

import datetime as dt
import json

from django.contrib import admin
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from orders import states
from orders.models import (
    OrderState,
)
from orders.requirements import describe, summary_text


def state_badge(state: str, label: str, title: str = ""):
    """A badge in the state's tone (orders.states, the same map as the console's and self-service's badges)."""
    tone_class = f" badge-tone-{tone}" if (tone := states.tone(state)) else ""
    return format_html('<span class="od-badge{}" title="{}">{}</span>', tone_class, title or label, label)


def order_state_badge(state: str):
    """The state's short name ("Held"), its full label ("Held (waiting for us)") on hover."""
    label = str(OrderState(state).label) if state in OrderState.values else state
    return state_badge(state, label.split(" (")[0], label)


def compact(value, limit: int = 90) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": ")) if value not in (None, "") else ""
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def json_details(value):
    """A one-line summary that opens into the full JSON (no script: a <details> element)."""
    if not value:
        return "—"
    return format_html(
        '<details class="od-json"><summary>{}</summary><pre>{}</pre></details>',
        compact(value),
        json.dumps(value, ensure_ascii=False, indent=2),
    )


# --- one way to write dates, people and transitions across the back office --------------------------

EMPTY = "—"


def when(value) -> str:
    """A date or a moment in the product's one format (ordersite/formats: "5 Dec 2026", "5 Dec 2026 14:05").

    The same formats Django's admin uses for any date field it shows, so every back-office page agrees.
    """
    if value is None:
        return EMPTY
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    return formats.date_format(value, "DATE_FORMAT")


def person(user) -> str:
    """A person by their name; the username only when no name is recorded."""
    if user is None:
        return EMPTY
    return user.get_full_name() or user.username


def dated(field_name: str, description: str):
    """An admin display of a date field in the one format (a model field would use the locale's)."""

    @admin.display(description=description, ordering=field_name)
    def show(self, obj):
        value = getattr(obj, field_name)
        return format_html('<span class="od-when">{}</span>', when(value)) if value is not None else EMPTY

    return show


def by_person(field_name: str, description: str):
    """An admin display of a user field by the person's name (select_related the field: no query per row)."""

    @admin.display(description=description)
    def show(self, obj):
        return person(getattr(obj, field_name))

    return show


# What each transition did, in words (the history's "what happened" column).
TRANSITIONS = {
    "acknowledge": _("Acknowledged"),
    "issue": _("Issued for fulfilment"),
    "hold_for_special_handling": _("Held for special handling"),
    "approve": _("Special handling approved"),
    "refuse": _("Refused"),
    "reject": _("Rejected"),
    "hold": _("Held (fulfilment stopped)"),
    "release": _("Released"),
    "await_customer": _("Waiting for the customer"),
    "resume_from_customer": _("Customer answered"),
    "assess_cancellation": _("Cancellation requested"),
    "accept_cancellation": _("Cancellation accepted"),
    "refuse_cancellation": _("Cancellation refused"),
    "cancel": _("Cancelled"),
    "abandon": _("Abandoned"),
    "discard": _("Draft discarded"),
    "supersede": _("Replaced by a revision"),
    "complete": _("Completed"),
    "complete_partially": _("Partly completed"),
    "fail": _("Failed"),
    "start": _("Started"),
}


def transition_words(name: str) -> str:
    return str(TRANSITIONS.get(name) or name.replace("_", " ").capitalize())


# --- an item's configuration, with the labels its offering's data requirements give ------------------


def configuration(requirements, characteristics):
    """The configuration as "label: value" lines; a repeatable group opens into its rows (no script)."""
    entries = describe(requirements, characteristics)
    if not entries:
        return EMPTY
    lines = []
    for entry in entries:
        if entry.is_group:
            rows = format_html_join(
                "", "<li><strong>{}</strong>: {}</li>", ((title, summary_text(row)) for title, row in entry.rows)
            )
            lines.append(
                format_html(
                    '<div><details class="od-config-group"><summary><span class="od-config-label">{}</span> {}'
                    "</summary><ul>{}</ul></details></div>",
                    entry.label,
                    entry.text,
                    rows,
                )
            )
        else:
            lines.append(format_html('<div><span class="od-config-label">{}:</span> {}</div>', entry.label, entry.text))
    return format_html('<div class="od-config">{}</div>', format_html_join("", "{}", ((line,) for line in lines)))
