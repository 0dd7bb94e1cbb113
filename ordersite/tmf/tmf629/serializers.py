"""TMF629 camelCase for customers: what API clients send and what they get."""

from __future__ import annotations

from rest_framework import serializers

from customers.models import Address, Customer, CustomerKind, CustomerStatus
from ordersite.tmf.tmf630.dates import format_datetime
from ordersite.tmf.tmf630.serializers import Flag, Text, TMFSerializer

CUSTOMER_PATH = "/tmf-api/customerManagement/v4"

EMAIL_TYPES = {"email", "emailaddress"}
PHONE_TYPES = {"phone", "mobile", "telephone", "telephonenumber", "phonenumber"}
POSTAL_TYPES = {"postaladdress", "postal", "address", "installationaddress"}
ORGANISATION_TYPES = {"organization", "organisation"}
# TMF629 characteristic name -> the customer's detail; what the console captures beyond name and contact.
CHARACTERISTICS = {"tradingName": "trading_name", "companyNumber": "company_number"}


class EngagedPartyIn(TMFSerializer):
    id = Text(required=False, allow_blank=True, max_length=100)
    name = Text(required=False, allow_blank=True, max_length=200)
    href = Text(required=False, allow_blank=True, max_length=500)
    at_fields = {
        "@referredType": lambda: Text(
            required=False, allow_blank=True, max_length=100, help_text="Individual or Organization"
        )
    }


class MediumCharacteristicIn(serializers.Serializer):
    emailAddress = Text(required=False, allow_blank=True, max_length=254)
    phoneNumber = Text(required=False, allow_blank=True, max_length=30)
    street1 = Text(required=False, allow_blank=True, max_length=120, help_text="House number and street")
    street2 = Text(required=False, allow_blank=True, max_length=30, help_text="Flat, floor or unit")
    city = Text(required=False, allow_blank=True, max_length=100)
    postCode = Text(required=False, allow_blank=True, max_length=10)
    country = Text(required=False, allow_blank=True, max_length=2)
    contactType = Text(required=False, allow_blank=True, max_length=20, help_text="installation, billing or postal")


class ContactMediumIn(serializers.Serializer):
    mediumType = Text(max_length=40)
    preferred = Flag(required=False)
    characteristic = MediumCharacteristicIn()

    def validate(self, data):
        kind = data["mediumType"].replace("_", "").lower()
        characteristic = data["characteristic"]
        if kind in EMAIL_TYPES:
            serializers.EmailField().run_validators(characteristic.get("emailAddress", ""))
            if not characteristic.get("emailAddress"):
                raise serializers.ValidationError({"characteristic": "emailAddress is required"})
        elif kind in PHONE_TYPES and not characteristic.get("phoneNumber"):
            raise serializers.ValidationError({"characteristic": "phoneNumber is required"})
        elif kind in POSTAL_TYPES:
            if not characteristic.get("street1"):
                raise serializers.ValidationError({"characteristic": "street1 (number and street) is required"})
            purpose = characteristic.get("contactType") or Address.Purpose.INSTALLATION
            if purpose not in Address.Purpose.values:
                raise serializers.ValidationError(
                    {"characteristic": f"contactType must be one of {', '.join(Address.Purpose.values)}"}
                )
        return data


class CustomerIn(TMFSerializer):
    """TMF629 Customer_Create."""

    name = Text(max_length=200)
    engagedParty = EngagedPartyIn()
    status = serializers.ChoiceField(
        choices=[CustomerStatus.PROSPECT.value, CustomerStatus.ACTIVE.value], required=False
    )
    contactMedium = ContactMediumIn(many=True, required=False, max_length=10)
    characteristic = serializers.ListField(child=serializers.DictField(), required=False, max_length=50)
    at_fields = {"@type": lambda: Text(required=False, allow_blank=True, max_length=100)}


class CustomerCharacteristicIn(TMFSerializer):
    name = Text(max_length=40, help_text="tradingName or companyNumber (organisations only)")
    value = Text(allow_blank=True, max_length=200)
    valueType = Text(required=False, allow_blank=True, max_length=40)
    at_fields = {"@type": lambda: Text(required=False, allow_blank=True, max_length=100)}


class ContactMediumPatchIn(ContactMediumIn):
    id = Text(required=False, max_length=20, help_text="A postal address the customer has")


class CustomerPatchIn(TMFSerializer):
    """TMF629 Customer_Update as a JSON merge patch: the attributes given replace the customer's.

    contactMedium replaces the email and phone; postal addresses without an id are added, and those
    with one name an address the customer has. characteristic replaces tradingName and companyNumber.
    """

    name = Text(required=False, max_length=200)
    status = serializers.ChoiceField(choices=CustomerStatus.values, required=False)
    contactMedium = ContactMediumPatchIn(many=True, required=False, max_length=10)
    characteristic = CustomerCharacteristicIn(many=True, required=False, max_length=len(CHARACTERISTICS))


PATCHABLE = {"name", "status", "contactMedium", "characteristic"}


def kind_of(data: dict) -> str:
    referred = data["engagedParty"].get("@referredType", "").lower()
    return CustomerKind.ORGANISATION if referred in ORGANISATION_TYPES else CustomerKind.INDIVIDUAL


def customer_href(request, number: str) -> str:
    return request.build_absolute_uri(f"{CUSTOMER_PATH}/customer/{number}")


def _street1(address: Address) -> str:
    return f"{address.house_number} {address.street}".strip()


def customer_representation(request, customer: Customer) -> dict:
    href = customer_href(request, customer.number)
    media = []
    if customer.email:
        media.append({"mediumType": "email", "preferred": True, "characteristic": {"emailAddress": customer.email}})
    if customer.phone:
        media.append({"mediumType": "phone", "characteristic": {"phoneNumber": customer.phone}})
    for address in customer.addresses.all():
        characteristic = {
            "street1": _street1(address),
            "street2": address.unit,
            "city": address.town,
            "postCode": address.postcode,
            "country": address.country,
            "contactType": address.purpose,
        }
        media.append(
            {
                "id": str(address.pk),
                "mediumType": "postalAddress",
                "characteristic": {k: v for k, v in characteristic.items() if v},
                "validated": address.is_validated,
            }
        )
    party_type = "Organization" if customer.kind == CustomerKind.ORGANISATION else "Individual"
    return {
        "id": customer.number,
        "href": href,
        "name": customer.name,
        "status": customer.status,
        "engagedParty": {"id": customer.number, "name": customer.name, "@referredType": party_type},
        "contactMedium": media,
        "characteristic": [
            {"name": name, "valueType": "string", "value": getattr(customer, detail)}
            for name, detail in CHARACTERISTICS.items()
            if getattr(customer, detail)
        ],
        "validFor": {"startDateTime": format_datetime(customer.created_at)},
        "@type": "Customer",
    }


CUSTOMER_ATTRIBUTES = {
    "id",
    "href",
    "name",
    "status",
    "engagedParty",
    "contactMedium",
    "characteristic",
    "validFor",
    "@type",
}
