"""Values every TMF API writes alike: characteristics with their value type, and a one-off and monthly charge."""

from __future__ import annotations

from decimal import Decimal


def value_type(value) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float | Decimal):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "string"


def characteristics(values: dict) -> list[dict]:
    """A settings document as TMF Characteristic entries, in its own order."""
    return [
        {"name": name, "valueType": value_type(value), "value": value, "@type": "Characteristic"}
        for name, value in values.items()
    ]


def money(amount: Decimal, currency: str) -> dict:
    return {"unit": currency, "value": float(amount)}


def charges(*, recurring: Decimal, one_off: Decimal, currency: str, price_type: str) -> list[dict]:
    """The monthly and the one-off charge, each only when there is one (an OrderPrice or a ProductPrice)."""
    prices = []
    if recurring:
        prices.append(
            {
                "name": "Recurring charge",
                "priceType": "recurring",
                "recurringChargePeriod": "month",
                "price": {"dutyFreeAmount": money(recurring, currency), "@type": "Price"},
                "@type": price_type,
            }
        )
    if one_off:
        prices.append(
            {
                "name": "One-off charge",
                "priceType": "oneTime",
                "price": {"dutyFreeAmount": money(one_off, currency), "@type": "Price"},
                "@type": price_type,
            }
        )
    return prices
