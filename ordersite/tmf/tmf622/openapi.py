"""OpenAPI components of TMF622 Product Ordering v4: the order, its items, cancellations, hub listeners."""

from __future__ import annotations

from ordersite.tmf.tmf630.openapi import DATE_TIME, TYPE, array, ref, string

COMPONENTS = {
    "OrderPrice": {
        "type": "object",
        "properties": {
            "name": string(),
            "priceType": string("recurring or oneTime"),
            "recurringChargePeriod": string("month"),
            "price": {"type": "object", "properties": {"dutyFreeAmount": ref("Money"), **TYPE}},
            **TYPE,
        },
    },
    "Characteristic": {
        "type": "object",
        "required": ["name", "value"],
        "properties": {
            "name": string("A top-level data requirement of the offering"),
            "valueType": string(),
            "value": {"description": "Any JSON value; a group is a list of objects"},
            **TYPE,
        },
    },
    "ProductOfferingRef": {
        "type": "object",
        "required": ["id"],
        "properties": {
            "id": string("The offering code"),
            "href": string(),
            "name": string(),
            "@referredType": string(),
        },
    },
    "Product": {
        "type": "object",
        "properties": {
            "id": string("The installed product (modify, delete, noChange)"),
            "name": string(),
            "status": string("TMF637 product status"),
            "productCharacteristic": array(ref("Characteristic")),
            "place": array(
                {
                    "type": "object",
                    "properties": {
                        "id": string("An address id of the customer (TMF629 contactMedium id)"),
                        "name": string(),
                        "role": string("installationAddress"),
                        "@referredType": string("GeographicAddress"),
                    },
                }
            ),
            **TYPE,
        },
    },
    "ProductOrderItem": {
        "type": "object",
        "required": ["id", "action"],
        "properties": {
            "id": string("The client's item id"),
            "action": string(enum=["add", "modify", "delete", "noChange"]),
            "state": string("TMF622 ProductOrderItemStateType"),
            "quantity": {"type": "integer"},
            "productOffering": ref("ProductOfferingRef"),
            "product": ref("Product"),
            "productOrderItemRelationship": array(
                {"type": "object", "properties": {"id": string(), "relationshipType": string("reliesOn")}}
            ),
            "itemPrice": array(ref("OrderPrice")),
            "productOfferingQualificationItem": {
                "type": "object",
                "description": "The TMF679 qualification item this item was ordered on",
                "required": ["id", "productOfferingQualificationId"],
                "properties": {
                    "id": string(),
                    "productOfferingQualificationId": string(),
                    "productOfferingQualificationHref": string(),
                    "@referredType": string(),
                },
            },
            "qualification": array(
                {
                    "type": "object",
                    "required": ["id"],
                    "properties": {"id": string(), "href": string(), "@referredType": string()},
                }
            ),
            **TYPE,
        },
    },
    "ProductOrderErrorMessage": {
        "type": "object",
        "description": "Why the order was rejected (as in TMF622 v5).",
        "properties": {
            "code": string(),
            "reason": string(),
            "message": string(),
            "status": string(),
            "timestamp": DATE_TIME,
            "productOrderItem": array(
                {
                    "type": "object",
                    "properties": {"itemId": string(), "productOrderId": string(), "productOrderHref": string()},
                }
            ),
            **TYPE,
        },
    },
    "ProductOrder": {
        "type": "object",
        "description": (
            "A product order. `fields=` narrows it to exactly the attributes named; "
            "without `fields` it always carries id, href, orderDate, state, relatedParty and productOrderItem."
        ),
        "properties": {
            "id": string("The order number, e.g. ORD-000123"),
            "href": string(),
            "orderDate": DATE_TIME,
            "state": string(
                "TMF622 ProductOrderStateType",
                enum=[
                    "acknowledged",
                    "rejected",
                    "pending",
                    "held",
                    "inProgress",
                    "cancelled",
                    "completed",
                    "failed",
                    "partial",
                    "assessingCancellation",
                    "pendingCancellation",
                ],
            ),
            "category": string("consumer or business"),
            "priority": string('"0" (highest) to "3"'),
            "externalId": string("The client's reference, unique per client"),
            "description": string(),
            "requestedStartDate": DATE_TIME,
            "requestedCompletionDate": DATE_TIME,
            "expectedCompletionDate": DATE_TIME,
            "completionDate": DATE_TIME,
            "cancellationDate": DATE_TIME,
            "cancellationReason": string(),
            "channel": array({"type": "object", "properties": {"id": string(), "name": string()}}),
            "relatedParty": array(ref("RelatedParty")),
            "productOrderItem": array(ref("ProductOrderItem")),
            "orderTotalPrice": array(ref("OrderPrice")),
            "note": array(ref("Note")),
            "productOrderErrorMessage": array(ref("ProductOrderErrorMessage")),
            **TYPE,
        },
    },
    "CancelProductOrder": {
        "type": "object",
        "description": (
            "A cancellation request. `fields=` narrows it to exactly the attributes named; "
            "without `fields` it always carries id, href, productOrder and state."
        ),
        "properties": {
            "id": string(),
            "href": string(),
            "state": string(enum=["acknowledged", "inProgress", "done", "terminatedWithError"]),
            "cancellationReason": string(),
            "creationDate": DATE_TIME,
            "effectiveCancellationDate": DATE_TIME,
            "refusalReason": string("Why the cancellation was refused (terminatedWithError)"),
            "productOrder": {
                "type": "object",
                "required": ["id"],
                "properties": {"id": string(), "href": string(), "@referredType": string()},
            },
            **TYPE,
        },
    },
    "EventSubscription": {
        "type": "object",
        "required": ["id", "callback"],
        "properties": {"id": string(), "callback": string(), "query": string()},
    },
}

PRODUCT_ORDER = ref("ProductOrder")
CANCEL_PRODUCT_ORDER = ref("CancelProductOrder")
EVENT_SUBSCRIPTION = ref("EventSubscription")
