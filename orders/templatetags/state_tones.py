"""`{{ state|state_tone }}`: the tone of a state's badge (orders.states).

Used by templates/presentation/includes/state_badge.html and the admin's order page.
"""

from __future__ import annotations

from django import template

from orders.states import tone

register = template.Library()


@register.filter
def state_tone(state) -> str:
    return tone(state)
