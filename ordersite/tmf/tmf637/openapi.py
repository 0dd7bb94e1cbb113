"""OpenAPI components of TMF637 Product Inventory v4: the installed product."""

from __future__ import annotations

from ordersite.tmf.tmf630.openapi import DATE_TIME, TYPE, array, ref, string

REFERENCE = {
    "type": "object",
    "required": ["id"],
    "properties": {"id": string(), "href": string(), "name": string(), "@referredType": string()},
}

COMPONENTS = {
    "ProductPrice": {
        "type": "object",
        "required": ["price", "priceType"],
        "properties": {
            "name": string(),
            "priceType": string("recurring or oneTime"),
            "recurringChargePeriod": string("month"),
            "price": {"type": "object", "properties": {"dutyFreeAmount": ref("Money"), **TYPE}},
            **TYPE,
        },
    },
    # Not "Product": TMF622's component of that name is the product inside an order item.
    "InventoryProduct": {
        "type": "object",
        "description": (
            "An installed product. `fields=` narrows it to exactly the attributes named; without "
            "`fields` it always carries id, href, status, billingAccount, productOffering, productCharacteristic, "
            "productPrice and relatedParty (the three lists as arrays, possibly empty)."
        ),
        "properties": {
            "id": string("The product's id"),
            "href": string(),
            "name": string(),
            "isBundle": {"type": "boolean"},
            "isCustomerVisible": {"type": "boolean"},
            "status": string(
                "TMF637 ProductStatusType",
                enum=["created", "pendingActive", "active", "suspended", "pendingTerminate", "terminated", "cancelled"],
            ),
            "billingAccount": {**REFERENCE, "description": "The customer's account (the customer number)"},
            "productOffering": {**REFERENCE, "description": "The offering code, as in TMF620 and TMF622"},
            "productCharacteristic": array(ref("Characteristic")),
            "productPrice": array(ref("ProductPrice")),
            "relatedParty": array(ref("RelatedParty")),
            "startDate": DATE_TIME,
            "terminationDate": DATE_TIME,
            "orderDate": DATE_TIME,
            "place": array(REFERENCE),
            "productOrderItem": array(
                {
                    "type": "object",
                    "required": ["orderItemId", "productOrderId"],
                    "properties": {
                        "orderItemId": string(),
                        "orderItemAction": string(),
                        "productOrderId": string(),
                        "productOrderHref": string(),
                        "role": string(),
                        "@referredType": string(),
                    },
                }
            ),
            **TYPE,
        },
    },
}

PRODUCT = ref("InventoryProduct")
