"""Creating a customer through TMF629: the body read into customers' create_customer command."""

from __future__ import annotations

import re

from customers import commands
from customers.models import Address, Customer
from orders.models import ApiClient
from ordersite.tmf.tmf629.serializers import EMAIL_TYPES, PHONE_TYPES, POSTAL_TYPES, kind_of
from ordersite.tmf.tmf630.errors import Unprocessable

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
        problems = "; ".join(f"{field}: {message}" for field, message in refused.check.errors.items())
        hints = ", ".join(s.label for s in refused.check.suggestions[:3])
        raise Unprocessable(
            f"The installation address is not in our address data ({problems})."
            + (f" Did you mean: {hints}?" if hints else "")
        ) from refused


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
