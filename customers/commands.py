"""Commands on customers: one per business action, each its own transaction, for every channel.

The console, the TMF629 API and the order commands call these; none of them writes a customer, a
contact, an address or an interaction itself. Each command checks its actor first: staff need the
customers permission the action names (agents and supervisors have it, customer logins and API
service users do not); an API client creating a customer acts through its own service user.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError

from customers.addresses import AddressCheck, validate_and_attach
from customers.models import (
    Address,
    Contact,
    Customer,
    CustomerKind,
    CustomerStatus,
    Interaction,
    ProductStatus,
    User,
)

# What a new address is made of; the reference data may respell street, number, postcode and town.
ADDRESS_DETAILS = ("purpose", "street", "house_number", "unit", "postcode", "town", "country")


class AddressRefused(ValidationError):
    """An installation address the reference data does not know: nothing was written.

    Like any ValidationError its messages are keyed by form field (a form shows them with
    `form.add_error(None, refused)`); `check` holds the whole AddressCheck, suggestions included.
    """

    def __init__(self, check: AddressCheck):
        super().__init__(dict(check.errors))
        self.check = check


def require_perm(user: User, codename: str) -> None:
    """Staff may change customers through the permission the action names; nobody else may."""
    if not user.has_perm(f"customers.{codename}"):
        raise PermissionDenied


def checked_address(customer: Customer | None, details: Mapping[str, str]) -> Address:
    """An Address (not saved) matched against the reference data; an unknown installation address is refused.

    Billing and postal addresses may be anywhere in the country: a match is recorded, not required.
    """
    unknown = set(details) - set(ADDRESS_DETAILS)
    if unknown:
        raise TypeError(f"Unknown address details: {', '.join(sorted(unknown))}")
    address = Address(customer=customer, **{name: value for name, value in details.items() if value is not None})
    check = validate_and_attach(address)
    if not check.is_valid and address.purpose == Address.Purpose.INSTALLATION:
        raise AddressRefused(check)
    return address


@transaction.atomic
def create_customer(
    *,
    by: User,
    channel: str,
    kind: str,
    name: str,
    email: str = "",
    phone: str = "",
    trading_name: str = "",
    company_number: str = "",
    status: str = "",
    contact_name: str = "",
    addresses: Iterable[Mapping[str, str]] = (),
    note: str = "",
    api_client=None,
) -> Customer:
    """A new customer, with a primary contact when there is an email or phone, and their addresses.

    `contact_name` names the contact (the customer's name if empty). `addresses` hold
    ADDRESS_DETAILS each; an installation address must be in the reference data (AddressRefused).
    `note`, if given, is recorded as an interaction in `channel` by `by`. `api_client`: the API
    client creating the customer through its service user (`by`); it may then act for the customer.
    Raises PermissionDenied, AddressRefused or ValidationError (the customer's own rules) before
    anything is written.
    """
    if api_client is not None:
        if not api_client.is_active or api_client.user_id != by.pk:
            raise PermissionDenied
    else:
        require_perm(by, "add_customer")
    # Addresses first: an address refused is the answer even when something else is wrong too.
    new_addresses = [checked_address(None, details) for details in addresses]
    customer = Customer(
        kind=kind,
        name=name,
        email=email,
        phone=phone,
        trading_name=trading_name,
        company_number=company_number,
        **({"status": status} if status else {}),
    )
    customer.full_clean(exclude=["number"])
    customer.save()
    if customer.email or customer.phone:
        Contact.objects.create(
            customer=customer,
            name=contact_name or customer.name,
            email=customer.email,
            phone=customer.phone,
            is_primary=True,
        )
    for address in new_addresses:
        address.customer = customer
        address.save()
    if api_client is not None:
        customer.api_clients.add(api_client)
    if note:
        Interaction.objects.create(
            customer=customer, kind=Interaction.Kind.NOTE, channel=channel, summary=note, recorded_by=by
        )
    return customer


def create_holding_customer(client_name: str) -> Customer:
    """The account that holds an API client's orders for parties we do not know: closed, so that
    nobody orders for it and it never appears among the customers an agent serves."""
    return Customer.objects.create(
        kind=CustomerKind.ORGANISATION,
        name=f"Unknown parties (API client {client_name})"[:200],
        status=CustomerStatus.CLOSED,
    )


@transaction.atomic
def add_address(
    customer: Customer,
    *,
    by: User,
    street: str,
    house_number: str,
    purpose: str = Address.Purpose.INSTALLATION,
    unit: str = "",
    postcode: str = "",
    town: str = "",
    country: str = "GB",
) -> Address:
    """A new address of the customer, in the reference spelling when it matches the reference data.

    An installation address must match (else AddressRefused); service can only be installed there.
    """
    require_perm(by, "add_address")
    address = checked_address(
        customer,
        {
            "purpose": purpose,
            "street": street,
            "house_number": house_number,
            "unit": unit,
            "postcode": postcode,
            "town": town,
            "country": country,
        },
    )
    address.save()
    return address


@transaction.atomic
def record_interaction(customer: Customer, *, by: User, kind: str, channel: str, summary: str) -> Interaction:
    """Log a contact with the customer (a call, an email, a visit, a note) as `by`, in `channel`."""
    require_perm(by, "add_interaction")
    interaction = Interaction(customer=customer, kind=kind, channel=channel, summary=summary, recorded_by=by)
    interaction.full_clean()
    interaction.save()
    return interaction


# What change_customer may change; the rest of a customer (number, kind, credit) has its own process.
CHANGEABLE_DETAILS = ("name", "status", "email", "phone", "trading_name", "company_number")
# A product still held: the account cannot be closed under it.
ENDED_PRODUCT_STATUSES = (ProductStatus.TERMINATED, ProductStatus.CANCELLED)


class CustomerInUse(Exception):
    """What the customer has (orders, products, a login) forbids the change; nothing was written.

    The message says what, in words a partner or an agent can act on.
    """


def _require_acting_for(customer: Customer, *, by: User, api_client, codename: str) -> None:
    """Staff need the customers permission; an API client acts through its own service user, for its customers."""
    if api_client is None:
        require_perm(by, codename)
    elif (
        not api_client.is_active
        or api_client.user_id != by.pk
        or not customer.api_clients.filter(pk=api_client.pk).exists()
    ):
        raise PermissionDenied


@transaction.atomic
def change_customer(
    customer: Customer,
    *,
    by: User,
    channel: str,
    changes: Mapping[str, str],
    addresses: Iterable[Mapping[str, str]] = (),
    api_client=None,
) -> Customer:
    """Change a customer's details (CHANGEABLE_DETAILS) and add addresses, with the console's rules.

    A customer keeps a way to be reached (an email or a phone) and, with it, a primary contact that
    says the same; trading name and company number are for organisations; an account is not closed
    while it holds products (CustomerInUse). New addresses hold ADDRESS_DETAILS; an installation
    address must be in the reference data (AddressRefused). What changed is recorded as a note.
    Raises PermissionDenied, AddressRefused, ValidationError or CustomerInUse before anything is written.
    """
    unknown = set(changes) - set(CHANGEABLE_DETAILS)
    if unknown:
        raise TypeError(f"Not a changeable detail: {', '.join(sorted(unknown))}")
    _require_acting_for(customer, by=by, api_client=api_client, codename="change_customer")
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    new_addresses = [checked_address(customer, details) for details in addresses]
    changed = [name for name in CHANGEABLE_DETAILS if name in changes and getattr(customer, name) != changes[name]]
    for name in changed:
        setattr(customer, name, changes[name])
    if {"email", "phone"} & set(changed) and not (customer.email or customer.phone):
        raise ValidationError({"phone": "Give at least a phone number or an email address."})
    if "status" in changed and customer.status == CustomerStatus.CLOSED:
        held = customer.products.exclude(status__in=ENDED_PRODUCT_STATUSES).count()
        if held:
            raise CustomerInUse(
                f"{customer.number} still holds {held} product{'s' if held > 1 else ''} (active, pending or "
                "suspended); end them with an order before closing the account."
            )
    customer.full_clean(exclude=["number"])
    customer.save()
    if {"email", "phone"} & set(changed):
        _update_primary_contact(customer)
    for address in new_addresses:
        address.save()
    if changed or new_addresses:
        what = [name.replace("_", " ") for name in changed] + (["new address"] if new_addresses else [])
        via = f" through the TMF629 API by {api_client.name}" if api_client is not None else ""
        Interaction.objects.create(
            customer=customer,
            kind=Interaction.Kind.NOTE,
            channel=channel,
            summary=f"Customer details changed{via}: {', '.join(what)}.",
            recorded_by=by,
        )
    return customer


def _update_primary_contact(customer: Customer) -> None:
    contact = customer.contacts.filter(is_primary=True).first()
    if contact is None:
        Contact.objects.create(
            customer=customer, name=customer.name, email=customer.email, phone=customer.phone, is_primary=True
        )
    else:
        contact.email, contact.phone = customer.email, customer.phone
        contact.save(update_fields=["email", "phone"])


@transaction.atomic
def delete_customer(customer: Customer, *, by: User, api_client=None) -> None:
    """Delete a customer who never ordered nor held a product, with their contacts, addresses and notes.

    Order history is never lost: a customer with orders, products or a self-service login is
    refused (CustomerInUse, naming what they have) and nothing is deleted.
    """
    _require_acting_for(customer, by=by, api_client=api_client, codename="delete_customer")
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    held = {
        "order": customer.orders.count(),
        "product": customer.products.count(),
        "self-service login": customer.logins.count(),
    }
    if not held["order"]:  # a request that led to no order yet is history too
        held["initiating request"] = customer.initiating_requests.count()
    reasons = [f"{count} {what}{'s' if count > 1 else ''}" for what, count in held.items() if count]
    if reasons:
        listed = ", ".join(reasons[:-1]) + " and " + reasons[-1] if len(reasons) > 1 else reasons[0]
        raise CustomerInUse(
            f"{customer.number} has {listed}; a customer with history is kept (set the status to closed instead)."
        )
    try:
        customer.delete()
    except ProtectedError as protected:  # something newer points to the customer
        raise CustomerInUse(f"{customer.number} is referred to by other records and is kept.") from protected
