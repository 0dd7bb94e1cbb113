"""Creating a customer through TMF629: the customer, its contact and addresses, and the client's access."""

from __future__ import annotations

import re

from django.db import transaction

from customers.addresses import validate_and_attach
from customers.models import Address, Contact, Customer, Interaction
from orders.models import ApiClient
from ordersite.tmf.tmf629.serializers import EMAIL_TYPES, PHONE_TYPES, POSTAL_TYPES, kind_of
from ordersite.tmf.tmf630.errors import Unprocessable

HOUSE_AND_STREET = re.compile(r"^\s*(\d+\s*[A-Za-z]?)\s*,?\s+(.+?)\s*$")


# TODO(architecture): one command. The customer, its contact, addresses, the client's access and an
# interaction are written here, in the channel; customers should offer this as one command.
@transaction.atomic
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

    customer = Customer(
        kind=kind_of(data),
        name=data["name"].strip(),
        email=media["email"],
        phone=media["phone"],
        **({"status": data["status"]} if data.get("status") else {}),
    )
    customer.full_clean(exclude=["number"])
    customer.save()
    if customer.email or customer.phone:
        Contact.objects.create(
            customer=customer, name=customer.name, email=customer.email, phone=customer.phone, is_primary=True
        )
    for address in media["addresses"]:
        address.customer = customer
        address.save()
    client.customers.add(customer)
    Interaction.objects.create(
        customer=customer,
        kind=Interaction.Kind.NOTE,
        channel=client.channel,
        summary=f"Customer created through the TMF629 API by {client.name}.",
        recorded_by=client.user,
    )
    return customer


def _address(characteristic: dict) -> Address:
    match = HOUSE_AND_STREET.match(characteristic["street1"])
    if match is None:
        raise Unprocessable("contactMedium: street1 must start with the house number, e.g. '12 Mill Lane'.")
    address = Address(
        purpose=characteristic.get("contactType") or Address.Purpose.INSTALLATION,
        house_number=match.group(1).replace(" ", "").upper(),
        street=match.group(2),
        unit=characteristic.get("street2", ""),
        postcode=characteristic.get("postCode", ""),
        town=characteristic.get("city", ""),
        country=(characteristic.get("country") or "GB").upper(),
    )
    check = validate_and_attach(address)
    if not check.is_valid and address.purpose == Address.Purpose.INSTALLATION:
        problems = "; ".join(f"{field}: {message}" for field, message in check.errors.items())
        hints = ", ".join(s.label for s in check.suggestions[:3])
        raise Unprocessable(
            f"The installation address is not in our address data ({problems})."
            + (f" Did you mean: {hints}?" if hints else "")
        )
    return address
