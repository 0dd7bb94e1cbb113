"""orders.states: one map from state to tone, used by the console's, self-service's and the back office's badges."""

import re
from pathlib import Path

import pytest
from django.template.loader import render_to_string

from customers.models import CustomerStatus, ProductStatus
from orders import states
from orders.admin.common import order_state_badge, state_badge
from orders.models import CancellationRequest, FeasibilityAssessment, ItemState, OrderState, TaskState

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "choices",
    [OrderState, ItemState, CancellationRequest.State, FeasibilityAssessment.Result, CustomerStatus, ProductStatus],
)
def test_every_state_shown_on_a_badge_has_a_tone(choices):
    assert {value: states.tone(value) for value in choices.values if not states.tone(value)} == {}


def test_tones_are_the_six_and_some_task_states_have_none():
    assert set(states.STATE_TONE.values()) == set(states.TONES)
    assert states.tone(OrderState.COMPLETED) == states.tone(TaskState.COMPLETED) == "success"
    assert states.tone(TaskState.WAITING) == states.tone(None) == ""


def test_held_and_pending_say_who_must_act_and_neither_looks_due_soon():
    """Held waits on us (warning), pending on the customer (a tone of its own); "due soon" is a dashed outline."""
    held, pending = states.tone(OrderState.HELD), states.tone(OrderState.PENDING)
    assert (held, pending) == ("warning", "customer")
    assert states.tone(ItemState.PENDING) == "customer"
    tones_css = (ROOT / "static/css/tones.css").read_text()
    assert re.search(r"\.badge-tone-customer \{[^}]*--od-customer-bg", tones_css)
    admin_css = (ROOT / "static/css/admin.css").read_text()
    due_soon = re.search(r"\.od-flag-soon \{([^}]*)\}", admin_css).group(1)
    assert "dashed" in due_soon and "--od-warning-bg" not in due_soon and "--od-customer" not in due_soon
    for tone in states.TONES:
        if tone != "neutral":  # neutral's colours fall back to plain greys in the console
            assert f"--od-{tone}-bg:" in admin_css, tone


def test_one_stylesheet_styles_each_tone_once_for_every_channel():
    tones_css = (ROOT / "static/css/tones.css").read_text()
    for tone in states.TONES:
        assert len(re.findall(rf"\.badge-tone-{tone}\b", tones_css)) == 1, tone
    for stylesheet in ("static/css/app.css", "static/css/admin.css"):
        css = (ROOT / stylesheet).read_text()
        assert not re.search(r"\.badge-tone-[a-z]+\s*\{", css), stylesheet
        assert not re.search(r"\.(badge-state|od-badge)-(?!stuck\b)[a-z]+", css), stylesheet
    for template in ("templates/base_minimal.html", "templates/admin/base_site.html"):
        assert "css/tones.css" in (ROOT / template).read_text(), template


def test_the_console_and_self_service_badge_takes_the_tone_from_the_map():
    html = render_to_string("presentation/includes/state_badge.html", {"state": "pendingActive", "label": "Pending"})
    assert 'class="badge badge-state badge-tone-info badge-state-pendingactive">Pending<' in html
    html = render_to_string("presentation/includes/state_badge.html", {"state": "waiting", "label": "Waiting"})
    assert 'class="badge badge-state badge-state-waiting">Waiting<' in html


def test_the_admin_badge_takes_the_tone_from_the_same_map():
    assert 'class="od-badge badge-tone-warning"' in order_state_badge(OrderState.HELD)
    assert 'class="od-badge badge-tone-customer"' in order_state_badge(OrderState.PENDING)
    assert 'class="od-badge badge-tone-danger"' in state_badge("infeasible", "Not feasible")
    assert 'class="od-badge"' in state_badge("none", "Not assessed")
