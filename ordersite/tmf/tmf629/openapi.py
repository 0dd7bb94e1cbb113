"""OpenAPI components of TMF629 Customer Management v4: the customer and its contact media."""

from __future__ import annotations

from ordersite.tmf.tmf630.openapi import DATE_TIME, TYPE, array, ref, string

COMPONENTS = {
    "ContactMedium": {
        "type": "object",
        "required": ["mediumType", "characteristic"],
        "properties": {
            "id": string("For postal addresses: the address id to use as an order item's place"),
            "mediumType": string("email, phone or postalAddress"),
            "preferred": {"type": "boolean"},
            "characteristic": {
                "type": "object",
                "properties": {
                    "emailAddress": string(),
                    "phoneNumber": string(),
                    "street1": string("House number and street, e.g. 12 Mill Lane"),
                    "street2": string("Flat, floor or unit"),
                    "city": string(),
                    "postCode": string(),
                    "country": string(),
                    "contactType": string("installation, billing or postal"),
                },
            },
        },
    },
    "Customer": {
        "type": "object",
        "required": ["id", "href", "name", "engagedParty"],
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
