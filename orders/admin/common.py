"""Presentation helpers shared by the back office's admins: state badges and JSON summaries."""

from __future__ import annotations

import json

from django.utils.html import format_html

from orders import states
from orders.models import (
    OrderState,
)


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
