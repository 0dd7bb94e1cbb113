"""TMF629 bodies read into customers' commands: create, change (merge patch) and delete a customer."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from customers import commands
from customers.models import Address, Customer
from orders.models import ApiClient
from ordersite.tmf.tmf629.serializers import (
    CHARACTERISTICS,
    EMAIL_TYPES,
    PATCHABLE,
    PHONE_TYPES,
    POSTAL_TYPES,
    kind_of,
)
from ordersite.tmf.tmf630.errors import Conflict, Unprocessable

HOUSE_AND_STREET = re.compile(r"^\s*(\d+\s*[A-Za-z]?)\s*,?\s+(.+?)\s*$")


def create_customer(*, client: ApiClient, data: dict) -> Customer:
    """A new customer the client may then act for; an installation address must validate (else 422)."""
    media = {"email": "", "phone": "", "addresses": []}
    for medium in data.get("contactMedium", []):
        kind = medium["mediumType"].replace("_", "").lower()
        characteristic = medium["characteristic"]
        if kind in EMAIL_TYPES:
            media["email"] = media["email"] or characteristic["emailAddress"]
        elif kind in PHONE_TYPES:
            media["phone"] = media["phone"] or characteristic["phoneNumber"]
        elif kind in POSTAL_TYPES:
            media["addresses"].append(_address(characteristic))
    try:
        return commands.create_customer(
            by=client.user,
            channel=client.channel,
            kind=kind_of(data),
            name=data["name"].strip(),
            email=media["email"],
            phone=media["phone"],
            status=data.get("status") or "",
            addresses=media["addresses"],
            note=f"Customer created through the TMF629 API by {client.name}.",
            api_client=client,
        )
    except commands.AddressRefused as refused:
        raise _address_refused(refused) from refused


# The customer's details as a TMF629 client knows them, for the messages of a refused change.
ATTRIBUTE_OF_DETAIL = {
    "name": "name",
    "status": "status",
    "email": "contactMedium",
    "phone": "contactMedium",
    **{detail: f"characteristic.{name}" for name, detail in CHARACTERISTICS.items()},
}


def change_customer(*, client: ApiClient, customer: Customer, patch: dict, data: dict, current: dict) -> Customer:
    """Apply a merge patch (`data` as CustomerPatchIn read `patch`) with the console's rules.

    Attributes a client may not change are refused (422) unless sent back as they are (`current`).
    """
    fixed = sorted(key for key in patch if key not in PATCHABLE and (key not in current or patch[key] != current[key]))
    if fixed:
        raise Unprocessable(
            f"{fixed[0]} cannot be changed; a customer's {', '.join(sorted(PATCHABLE))} can (JSON merge patch)."
        )
    changes = {name: data[name] for name in ("name", "status") if name in data}
    addresses = []
    if "contactMedium" in data:
        changes["email"], changes["phone"] = "", ""
        known_addresses = {str(pk) for pk in customer.addresses.values_list("pk", flat=True)}
        for index, medium in enumerate(data["contactMedium"]):
            kind = medium["mediumType"].replace("_", "").lower()
            characteristic = medium["characteristic"]
            if kind in EMAIL_TYPES:
                changes["email"] = changes["email"] or characteristic["emailAddress"]
            elif kind in PHONE_TYPES:
                changes["phone"] = changes["phone"] or characteristic["phoneNumber"]
            elif kind in POSTAL_TYPES and "id" in medium:
                if medium["id"] not in known_addresses:
                    raise Unprocessable(
                        f"contactMedium[{index}].id: {customer.number} has no address {medium['id']}; "
                        "leave the id out to add a new address."
                    )
            elif kind in POSTAL_TYPES:
                addresses.append(_address(characteristic))
    if "characteristic" in data:
        given = {item["name"]: item["value"].strip() for item in data["characteristic"]}
        unknown = sorted(set(given) - set(CHARACTERISTICS))
        if unknown:
            raise Unprocessable(
                f"characteristic: a customer has no {unknown[0]!r}; its characteristics are "
                f"{' and '.join(CHARACTERISTICS)}."
            )
        changes.update({detail: given.get(name, "") for name, detail in CHARACTERISTICS.items()})
    try:
        return commands.change_customer(
            customer,
            by=client.user,
            channel=client.channel,
            changes=changes,
            addresses=addresses,
            api_client=client,
        )
    except commands.AddressRefused as refused:
        raise _address_refused(refused) from refused
    except ValidationError as invalid:
        raise Unprocessable(_in_tmf_words(invalid)) from invalid
    except commands.CustomerInUse as in_use:
        raise Conflict(str(in_use)) from in_use


def delete_customer(*, client: ApiClient, customer: Customer) -> None:
    """Delete a customer without history; one with orders or products is kept (409, saying what they have)."""
    try:
        commands.delete_customer(customer, by=client.user, api_client=client)
    except commands.CustomerInUse as in_use:
        raise Conflict(str(in_use)) from in_use


def _in_tmf_words(invalid: ValidationError) -> str:
    if not hasattr(invalid, "error_dict"):
        return "; ".join(invalid.messages)
    return "; ".join(
        f"{ATTRIBUTE_OF_DETAIL.get(field, field)}: {message}" if field in ATTRIBUTE_OF_DETAIL else str(message)
        for field, errors in invalid.message_dict.items()
        for message in errors
    )


def _address_refused(refused: commands.AddressRefused) -> Unprocessable:
    problems = "; ".join(f"{field}: {message}" for field, message in refused.check.errors.items())
    hints = ", ".join(s.label for s in refused.check.suggestions[:3])
    return Unprocessable(
        f"The installation address is not in our address data ({problems})."
        + (f" Did you mean: {hints}?" if hints else "")
    )


def _address(characteristic: dict) -> dict:
    """An address's details (see customers.commands.ADDRESS_DETAILS) from a postalAddress characteristic."""
    match = HOUSE_AND_STREET.match(characteristic["street1"])
    if match is None:
        raise Unprocessable("contactMedium: street1 must start with the house number, e.g. '12 Mill Lane'.")
    return {
        "purpose": characteristic.get("contactType") or Address.Purpose.INSTALLATION,
        "house_number": match.group(1).replace(" ", "").upper(),
        "street": match.group(2),
        "unit": characteristic.get("street2", ""),
        "postcode": characteristic.get("postCode", ""),
        "town": characteristic.get("city", ""),
        "country": (characteristic.get("country") or "GB").upper(),
    }
