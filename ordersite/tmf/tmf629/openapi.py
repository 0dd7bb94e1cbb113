"""OpenAPI components of TMF629 Customer Management v4: the customer and its contact media."""

from __future__ import annotations

from ordersite.tmf.tmf630.openapi import DATE_TIME, NOT_BLANK, TYPE, array, ref, string

COMPONENTS = {
    "ContactMedium": {
        "type": "object",
        "required": ["mediumType", "characteristic"],
        "properties": {
            "id": string(
                "For postal addresses: the address id to use as an order item's place",
                minLength=1,
                maxLength=20,
                pattern=NOT_BLANK,
            ),
            "mediumType": string("email, phone or postalAddress", minLength=1, maxLength=40, pattern=NOT_BLANK),
            "preferred": {"type": "boolean"},
            "characteristic": {
                "type": "object",
                "properties": {
                    "emailAddress": string(maxLength=254),
                    "phoneNumber": string(maxLength=30),
                    "street1": string("House number and street, e.g. 12 Mill Lane", maxLength=120),
                    "street2": string("Flat, floor or unit", maxLength=30),
                    "city": string(maxLength=100),
                    "postCode": string(maxLength=10),
                    "country": string(maxLength=2),
                    "contactType": string("installation, billing or postal", maxLength=20),
                },
            },
        },
    },
    "Customer": {
        "type": "object",
        "description": (
            "A customer. `fields=` narrows it to exactly the attributes named; "
            "without `fields` it always carries id, href, name and engagedParty."
        ),
        "properties": {
            "id": string("The customer number"),
            "href": string(),
            "name": string(),
            "status": string("prospect, active, suspended or closed"),
            "engagedParty": ref("RelatedParty"),
            "contactMedium": array(ref("ContactMedium")),
            # TMF622's Characteristic; a customer's are tradingName and companyNumber (organisations).
            "characteristic": array(ref("Characteristic")),
            "validFor": {"type": "object", "properties": {"startDateTime": DATE_TIME}},
            **TYPE,
        },
    },
}

CUSTOMER = ref("Customer")

# What PATCH reads (the serializer CustomerPatchIn) and what it lets a client send back unchanged.
COMPONENTS["CustomerPatch"] = {
    "type": "object",
    "description": (
        "A JSON merge patch of name, status, contactMedium and characteristic. The server also takes back "
        "the other attributes of a customer it sent, unchanged; a change to them, or any other attribute, is 422."
    ),
    "additionalProperties": False,
    "properties": {
        "name": string(minLength=1, maxLength=200, pattern=NOT_BLANK),
        "status": string(enum=["prospect", "active", "suspended", "closed"]),
        "contactMedium": {**array(ref("ContactMedium")), "maxItems": 10},
        "characteristic": {
            **array(
                {
                    "type": "object",
                    "required": ["name", "value"],
                    "properties": {
                        "name": string(enum=["tradingName", "companyNumber"]),
                        "value": string(maxLength=200),
                        "valueType": string(maxLength=40),
                        **TYPE,
                    },
                }
            ),
            "maxItems": 2,
        },
        "@type": string(enum=["Customer"]),
    },
}
CUSTOMER_PATCH = ref("CustomerPatch")
