"""Deployment checks (`manage.py check --deploy`): what a deployment must configure before it starts.

Every downstream system needs a callback secret of its own, and no adapter to the outside world may
be a simulator unless the deployment says so (ALLOW_SIMULATORS=1, or the adapter's variable naming
the simulator). With DEBUG on (the demo, the tests) both have defaults and nothing is reported.
"""

from __future__ import annotations

from collections import Counter

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.checks import Warning as CheckWarning
from django.utils.module_loading import import_string

from orders import credit, downstream
from orders.fulfilment.signatures import DOWNSTREAM_SYSTEMS, secret_variable, site_keys

# Shorter than this is guessable offline from one signed callback.
MIN_SECRET_LENGTH = 32
# The new secret and the old one while a system moves over; a third would be one left behind.
MAX_SECRETS_PER_SYSTEM = 2
ADAPTER_PATHS = {"CREDIT_BUREAU": credit.adapter_path, "FULFILMENT_DOWNSTREAM": downstream.adapter_path}


@register(Tags.security, deploy=True)
def callback_secrets_check(app_configs, **kwargs):
    if settings.DEBUG:
        return []
    configured: dict[str, list[str]] = settings.FULFILMENT_CALLBACK_SECRETS
    problems = [
        CheckWarning(
            f"{secret_variable(system)} names no downstream system.",
            hint=f"The systems are {', '.join(sorted(DOWNSTREAM_SYSTEMS))}.",
            id="orders.W001",
        )
        for system in sorted(set(configured) - DOWNSTREAM_SYSTEMS)
    ]
    holders = Counter(secret for system in DOWNSTREAM_SYSTEMS for secret in set(configured.get(system) or []))
    for system in sorted(DOWNSTREAM_SYSTEMS):
        variable, secrets = secret_variable(system), configured.get(system) or []
        if not secrets:
            problems.append(
                Error(
                    f"The {system} downstream system has no callback secret: its callbacks would all be refused.",
                    hint=f"Set {variable} to a random secret of at least {MIN_SECRET_LENGTH} characters "
                    "(e.g. `openssl rand -hex 32`) and give it to that system alone.",
                    id="orders.E001",
                )
            )
        if len(secrets) > MAX_SECRETS_PER_SYSTEM:
            problems.append(weak(variable, f"lists {len(secrets)} secrets; at most the new one and the old one"))
        if any(len(secret) < MIN_SECRET_LENGTH for secret in secrets):
            problems.append(weak(variable, f"holds a secret shorter than {MIN_SECRET_LENGTH} characters"))
        if site_keys() & set(secrets):
            problems.append(weak(variable, "holds the SECRET_KEY, which no callback is ever verified with"))
        if any(holders[secret] > 1 for secret in set(secrets)):
            problems.append(weak(variable, "shares a secret with another system"))
    return problems


def weak(variable: str, why: str) -> Error:
    return Error(
        f"{variable} {why}.",
        hint="Each system signs with secrets of its own: a comma-separated current and previous secret.",
        id="orders.E002",
    )


@register(Tags.security, deploy=True)
def simulators_check(app_configs, **kwargs):
    problems = []
    for setting, adapter_path in ADAPTER_PATHS.items():
        value = getattr(settings, setting)
        try:
            path = adapter_path()
            adapter = import_string(path)
        except (ImportError, KeyError):
            problems.append(Error(f"{setting}={value!r} names no adapter that can be imported.", id="orders.E004"))
            continue
        announced = settings.ALLOW_SIMULATORS or setting in settings.ADAPTERS_CHOSEN_IN_ENVIRONMENT
        if getattr(adapter, "simulator", False) and not announced:
            problems.append(
                Error(
                    f"{setting} falls back to the simulator {path}: this deployment would run on it unannounced.",
                    hint=f"Set {setting} to the real adapter, or run on simulators on purpose: "
                    f"ALLOW_SIMULATORS=1, or {setting}={value} in the environment.",
                    id="orders.E003",
                )
            )
    return problems
