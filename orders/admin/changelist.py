"""The order lists' change list and filters: none reads the table to find its choices.

The lists stay fast at a million orders: choice-based filters only, and a date drill-down that never runs
SELECT DISTINCT over the table.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from orders.selectors import (
    JEOPARDY_DAYS,
    OPEN_STATES,
    in_jeopardy,
)


class BackOfficeChangeList(ChangeList):
    """The admin change list, with a date drill-down computed from the calendar instead of the table.

    Django's own date hierarchy runs SELECT DISTINCT over the filtered rows to list years, months and
    days that hold orders; here the choices come from the calendar between the first order and today,
    which costs one indexed MIN() query whatever the table holds.
    """

    @cached_property
    def date_hierarchy_links(self) -> dict:
        name = self.date_hierarchy
        year, month, day = (self.params.get(f"{name}__{part}") for part in ("year", "month", "day"))

        def link(filters):
            return self.get_query_string(filters, [f"{name}__"])

        today = timezone.localdate()
        try:
            year, month, day = (int(v) if v else None for v in (year, month, day))
        except ValueError:
            return {"show": False}
        if year and month and day:
            chosen = dt.date(year, month, day)
            return {
                "show": True,
                "back": {"link": link({f"{name}__year": year, f"{name}__month": month}), "title": _month_title(chosen)},
                "choices": [{"title": capfirst(date_format(chosen, "MONTH_DAY_FORMAT"))}],
            }
        if year and month:
            last = calendar.monthrange(year, month)[1]
            if (year, month) == (today.year, today.month):
                last = today.day
            return {
                "show": True,
                "back": {"link": link({f"{name}__year": year}), "title": str(year)},
                "choices": [
                    {
                        "link": link({f"{name}__year": year, f"{name}__month": month, f"{name}__day": d}),
                        "title": capfirst(date_format(dt.date(year, month, d), "MONTH_DAY_FORMAT")),
                    }
                    for d in range(1, last + 1)
                ],
            }
        if year:
            last = today.month if year == today.year else 12
            return {
                "show": True,
                "back": {"link": link({}), "title": _("All dates")},
                "choices": [
                    {
                        "link": link({f"{name}__year": year, f"{name}__month": m}),
                        "title": capfirst(str(MONTHS[m])),
                    }
                    for m in range(1, last + 1)
                ],
            }
        first = self.model._default_manager.aggregate(first=Min(name))["first"]
        first_year = timezone.localtime(first).year if first else today.year
        return {
            "show": True,
            "back": None,
            "choices": [
                {"link": link({f"{name}__year": str(y)}), "title": str(y)}
                for y in range(today.year, first_year - 1, -1)
            ],
        }


def _month_title(day: dt.date) -> str:
    return capfirst(date_format(day, "YEAR_MONTH_FORMAT"))


# --- list filters: every one lists fixed choices, none reads the table to find them ---------------


class ExpectedCompletionFilter(admin.SimpleListFilter):
    """Open orders by when they are due (index: state, expected_completion_date)."""

    title = _("open orders due")
    parameter_name = "expected"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("Overdue")),
            ("today", _("Today")),
            ("week", _("In the next 7 days")),
            ("month", _("In the next 30 days")),
            ("none", _("No date yet")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        match self.value():
            case "overdue":
                due = Q(expected_completion_date__lt=today)
            case "today":
                due = Q(expected_completion_date=today)
            case "week":
                due = Q(expected_completion_date__range=(today, today + dt.timedelta(days=7)))
            case "month":
                due = Q(expected_completion_date__range=(today, today + dt.timedelta(days=30)))
            case "none":
                due = Q(expected_completion_date__isnull=True)
            case _:
                return queryset
        return queryset.filter(due, state__in=OPEN_STATES)


class JeopardyFilter(admin.SimpleListFilter):
    title = _("in jeopardy")
    parameter_name = "jeopardy"

    def lookups(self, request, model_admin):
        return [("yes", _("Late, or due within %(days)s days") % {"days": JEOPARDY_DAYS})]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(in_jeopardy())
        return queryset
