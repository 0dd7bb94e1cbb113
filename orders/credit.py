"""Credit checks through a credit-bureau adapter (CREDIT_BUREAU); the demo's default simulates a bureau locally."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from customers.models import CreditClass, Customer

# Order value (one-off plus a year of recurring charges) above which any customer is checked.
CHECK_ABOVE_VALUE = Decimal("2500")
# What a class D customer may order without a deposit arrangement.
CLASS_D_LIMIT = Decimal("600")


@dataclass(frozen=True)
class CreditDecision:
    approved: bool
    credit_class: str
    reason: str = ""


class CreditBureau(Protocol):
    def check(self, customer: Customer, order_value: Decimal) -> CreditDecision: ...


def needs_credit_check(customer: Customer, order_value: Decimal) -> bool:
    """Unrated and poor-credit customers are checked on every order; everyone above a value."""
    return customer.credit_class in (CreditClass.UNRATED, CreditClass.D) or order_value > CHECK_ABOVE_VALUE


class SimulatedCreditBureau:
    """Stands in for a real bureau: stable answers per customer, so demos and tests repeat."""

    simulator = True  # a deployment runs on it only when it says so (orders/checks.py)

    def check(self, customer: Customer, order_value: Decimal) -> CreditDecision:
        credit_class = customer.credit_class
        if credit_class == CreditClass.UNRATED:
            digest = hashlib.sha256(f"{customer.pk}:{customer.name}".encode()).digest()
            credit_class = ("A", "A", "B", "B", "C")[digest[0] % 5]
        if credit_class == CreditClass.D and order_value > CLASS_D_LIMIT:
            return CreditDecision(
                False,
                credit_class,
                f"Credit check refused: order value {order_value} exceeds the {CLASS_D_LIMIT} limit for class D.",
            )
        return CreditDecision(True, credit_class)


def credit_bureau() -> CreditBureau:
    return import_string(adapter_path())()


def adapter_path() -> str:
    return settings.CREDIT_BUREAU
