"""`manage.py check --deploy` refuses a deployment that lacks callback secrets or runs on a simulator unannounced.

The first tests run the real command (and `make check-deploy`) in a process of their own, with an
environment made for the case, so the settings read it as a deployment would; the rest call Django's
checks in this process with the settings overridden, one rule at a time.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.test import override_settings

from orders.fulfilment.signatures import DOWNSTREAM_SYSTEMS

ROOT = Path(__file__).resolve().parent.parent
SIMULATED_BUREAU = "orders.credit.SimulatedCreditBureau"
SIMULATED_DOWNSTREAM = "orders.fulfilment.simulator.SimulatedDownstream"
# What this test session's own environment may hold that would change the outcome (and the browser
# tests' async escape hatch, which has no place in a deployment).
SETTLED_HERE = ("ALLOW_SIMULATORS", "CREDIT_BUREAU", "FULFILMENT_DOWNSTREAM", "DJANGO_ALLOW_ASYNC_UNSAFE")


def secret() -> str:
    return secrets.token_hex(32)


def own_secrets() -> dict[str, str]:
    return {f"FULFILMENT_CALLBACK_SECRET_{system.upper()}": secret() for system in DOWNSTREAM_SYSTEMS}


def deployment(**variables) -> dict[str, str]:
    inherited = {
        name: value
        for name, value in os.environ.items()
        if name not in SETTLED_HERE and not name.startswith("FULFILMENT_CALLBACK_SECRET")
    }
    site = {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "example.com"}
    return {**inherited, "DJANGO_SETTINGS_MODULE": "ordersite.settings", **site, **variables}


def check_deploy(**variables) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=deployment(**variables),
    )


def test_make_check_deploy_is_clean():
    # What CI runs: throwaway secrets for every system, simulators announced (-o install: no pip here).
    environment = {name: value for name, value in deployment().items() if name not in ("DEBUG", "SECRET_KEY")}
    result = subprocess.run(
        ["make", "--no-print-directory", "-o", "install", "check-deploy"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_is_clean_with_secrets_and_adapters_named():
    rotating = f"{secret()},{secret()}"  # the new secret and the old one, both valid for a while
    result = check_deploy(
        **{**own_secrets(), "FULFILMENT_CALLBACK_SECRET_NETWORK": rotating},
        FULFILMENT_DOWNSTREAM="manual",
        CREDIT_BUREAU=SIMULATED_BUREAU,  # named on purpose: announced
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_without_callback_secrets():
    result = check_deploy(ALLOW_SIMULATORS="1")

    assert result.returncode != 0
    for system in DOWNSTREAM_SYSTEMS:
        assert f"(orders.E001) The {system} downstream system has no callback secret" in result.stderr
        assert f"FULFILMENT_CALLBACK_SECRET_{system.upper()}" in result.stderr
    assert "orders.E003" not in result.stderr


def test_check_deploy_fails_on_simulators_nobody_announced():
    result = check_deploy(**own_secrets())

    assert result.returncode != 0
    assert f"(orders.E003) CREDIT_BUREAU falls back to the simulator {SIMULATED_BUREAU}" in result.stderr
    assert f"(orders.E003) FULFILMENT_DOWNSTREAM falls back to the simulator {SIMULATED_DOWNSTREAM}" in result.stderr
    assert "orders.E001" not in result.stderr


# --- one rule at a time, in process ----------------------------------------------------------------


def problems(**overrides) -> dict[str, list[str]]:
    """Our deployment checks' findings by id, with DEBUG off and a sound configuration unless overridden."""
    sound = {
        "DEBUG": False,
        "FULFILMENT_CALLBACK_SECRETS": {system: [secret()] for system in DOWNSTREAM_SYSTEMS},
        "FULFILMENT_CALLBACK_DEMO_SECRET": "",
        "ALLOW_SIMULATORS": False,
        "ADAPTERS_CHOSEN_IN_ENVIRONMENT": frozenset(),
        "CREDIT_BUREAU": SIMULATED_BUREAU,
        "FULFILMENT_DOWNSTREAM": "manual",
    }
    with override_settings(**{**sound, **overrides}):
        found: dict[str, list[str]] = {}
        for message in run_checks(include_deployment_checks=True):
            if message.id and message.id.startswith("orders."):
                found.setdefault(message.id, []).append(message.msg)
        return found


def with_secrets(**by_system) -> dict[str, list[str]]:
    return {**{system: [secret()] for system in DOWNSTREAM_SYSTEMS}, **by_system}


def test_a_sound_deployment_has_nothing_to_report():
    assert problems(ADAPTERS_CHOSEN_IN_ENVIRONMENT=frozenset({"CREDIT_BUREAU"})) == {}


def test_the_demo_needs_no_secrets_and_may_simulate():
    assert problems(DEBUG=True, FULFILMENT_CALLBACK_SECRETS={}, ALLOW_SIMULATORS=True) == {}


@pytest.mark.parametrize(
    ("secrets_of_logistics", "why"),
    [
        (["too-short"], "holds a secret shorter than 32 characters"),
        ([secret(), secret(), secret()], "lists 3 secrets; at most the new one and the old one"),
        (["SECRET_KEY"], "holds the SECRET_KEY"),
    ],
    ids=["short", "three", "secret-key"],
)
def test_a_weak_callback_secret_is_refused(settings, secrets_of_logistics, why):
    given = [settings.SECRET_KEY if value == "SECRET_KEY" else value for value in secrets_of_logistics]

    found = problems(
        FULFILMENT_CALLBACK_SECRETS=with_secrets(logistics=given), ADAPTERS_CHOSEN_IN_ENVIRONMENT={"CREDIT_BUREAU"}
    )

    assert list(found) == ["orders.E002"]
    assert found["orders.E002"][0].startswith(f"FULFILMENT_CALLBACK_SECRET_LOGISTICS {why}")


def test_two_systems_sharing_a_secret_are_both_refused():
    shared = secret()
    found = problems(
        FULFILMENT_CALLBACK_SECRETS=with_secrets(billing=[shared], network=[secret(), shared]),
        ADAPTERS_CHOSEN_IN_ENVIRONMENT={"CREDIT_BUREAU"},
    )

    assert found == {
        "orders.E002": [
            "FULFILMENT_CALLBACK_SECRET_BILLING shares a secret with another system.",
            "FULFILMENT_CALLBACK_SECRET_NETWORK shares a secret with another system.",
        ]
    }


def test_a_secret_for_a_system_we_do_not_have_is_a_warning():
    found = problems(
        FULFILMENT_CALLBACK_SECRETS=with_secrets(netwrok=[secret()]), ADAPTERS_CHOSEN_IN_ENVIRONMENT={"CREDIT_BUREAU"}
    )

    assert found == {"orders.W001": ["FULFILMENT_CALLBACK_SECRET_NETWROK names no downstream system."]}


def test_a_simulator_is_fine_once_announced_by_its_variable_or_allow_simulators():
    simulated = {"FULFILMENT_DOWNSTREAM": "simulated"}
    assert list(problems(**simulated)) == ["orders.E003"]
    assert len(problems(**simulated)["orders.E003"]) == 2  # the bureau and the downstream systems
    assert problems(**simulated, ADAPTERS_CHOSEN_IN_ENVIRONMENT={"CREDIT_BUREAU", "FULFILMENT_DOWNSTREAM"}) == {}
    assert problems(**simulated, ALLOW_SIMULATORS=True) == {}


def test_an_adapter_that_cannot_be_loaded_is_an_error():
    found = problems(FULFILMENT_DOWNSTREAM="carrier-pigeon", CREDIT_BUREAU="orders.credit.NoSuchBureau")

    assert found == {
        "orders.E004": [
            "CREDIT_BUREAU='orders.credit.NoSuchBureau' names no adapter that can be imported.",
            "FULFILMENT_DOWNSTREAM='carrier-pigeon' names no adapter that can be imported.",
        ]
    }
