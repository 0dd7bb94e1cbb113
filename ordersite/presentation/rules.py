"""Validation messages that state the rule, in place of Django's generic ones.

"Enter a valid value." or "Ensure this value has at most 60 characters" tells a person on the phone
with a customer that something is wrong, not what to type instead. Forms that mix in
RulesInMessages get, for each field whose message is still Django's default, the rule in words
("Use at most 60 characters; this has 72."). A message a form sets itself is left alone.
"""

from __future__ import annotations

from django import forms

# By field class, then error code. A subclass comes before its base (DecimalField and FloatField are
# IntegerFields, EmailField a CharField): the first rule a message gets is the one it keeps.
RULES: list[tuple[type[forms.Field], dict[str, str]]] = [
    (forms.EmailField, {"invalid": "Enter an email address such as name@example.com."}),
    (forms.DateField, {"invalid": "Enter a date as day/month/year, such as 31/12/2026."}),
    (
        forms.DateTimeField,
        {"invalid": "Enter a date and time as day/month/year hours:minutes, such as 31/12/2026 09:30."},
    ),
    (
        forms.DecimalField,
        {
            "invalid": "Enter a number, such as 12.50.",
            "min_value": "Enter %(limit_value)s or more.",
            "max_value": "Enter %(limit_value)s or less.",
            "max_decimal_places": "Use at most %(max)s digits after the decimal point.",
        },
    ),
    (
        forms.FloatField,
        {
            "invalid": "Enter a number, such as 12.50.",
            "min_value": "Enter %(limit_value)s or more.",
            "max_value": "Enter %(limit_value)s or less.",
        },
    ),
    (
        forms.IntegerField,
        {
            "invalid": "Enter a whole number, such as 3.",
            "min_value": "Enter %(limit_value)s or more.",
            "max_value": "Enter %(limit_value)s or less.",
        },
    ),
    (
        forms.ModelMultipleChoiceField,
        {
            "invalid_choice": "Choose only from the options listed.",
            "invalid_pk_value": "Choose from the options listed.",
        },
    ),
    (forms.ModelChoiceField, {"invalid_choice": "Choose one of the options listed."}),
    (forms.MultipleChoiceField, {"invalid_choice": "Choose only from the options listed (%(value)s is not one)."}),
    (forms.ChoiceField, {"invalid_choice": "Choose one of the options listed (%(value)s is not one)."}),
    (
        forms.FileField,
        {
            "invalid": "Choose a file from your computer.",
            "missing": "Choose a file from your computer.",
            "empty": "The file is empty: choose one with something in it.",
            "max_length": "Use a file name of at most %(max)d characters (this one has %(length)d).",
        },
    ),
    (
        forms.CharField,
        {
            "max_length": "Use at most %(limit_value)d characters; this has %(show_value)d.",
            "min_length": "Use at least %(limit_value)d characters; this has %(show_value)d.",
            "null_characters_not_allowed": "Remove the invisible control characters (pasted from another program?).",
        },
    ),
]


def django_default_messages(field: forms.Field) -> dict[str, str]:
    """The messages Django gives this field before anyone sets their own (as Field.__init__ builds them)."""
    messages: dict[str, str] = {}
    for cls in reversed(type(field).__mro__):
        messages.update(getattr(cls, "default_error_messages", {}))
    return messages


def state_the_rules(field: forms.Field) -> None:
    """Replace each of the field's messages that is still Django's default by its rule in words."""
    defaults = django_default_messages(field)
    for field_class, rules in RULES:
        if not isinstance(field, field_class):
            continue
        for code, rule in rules.items():
            if field.error_messages.get(code, defaults.get(code)) == defaults.get(code):
                field.error_messages[code] = rule


class RulesInMessages:
    """A form mixin: every field's validation messages state the rule (see the module's docstring)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            state_the_rules(field)
