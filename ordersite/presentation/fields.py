"""The shapes our pages' fields take, so the console's and self-service's forms declare them in a line."""

from __future__ import annotations

from django import forms
from django.utils import timezone


def not_in_the_past(date):
    if date and date < timezone.localdate():
        raise forms.ValidationError("Choose today or a later date.")


# The engineer's visiting windows, stored as the words the customer chose.
APPOINTMENT_WINDOWS = [
    "Weekday morning (8am to 12pm)",
    "Weekday afternoon (12pm to 5pm)",
    "Weekday evening (5pm to 8pm)",
    "Saturday",
]


def appointment_window(label: str) -> forms.ChoiceField:
    """When an engineer may visit, or no preference."""
    choices = [("", "No preference")] + [(window, window) for window in APPOINTMENT_WINDOWS]
    return forms.ChoiceField(label=label, choices=choices, required=False)


def free_text(
    label: str, *, rows: int = 3, max_length: int | None = 2000, required: bool = True, if_missing: str = "", **kwargs
) -> forms.CharField:
    """A note, reason or answer: a few lines of text, with the page's wording when it is left empty."""
    error_messages = {"required": if_missing} if if_missing else None
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages=error_messages,
        **kwargs,
    )


def calendar_date(label: str, *, future_only: bool = False, **kwargs) -> forms.DateField:
    """A date picked in the browser's calendar; `future_only` refuses a date already gone."""
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[not_in_the_past] if future_only else [],
        **kwargs,
    )
