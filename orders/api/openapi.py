"""The OpenAPI description of our TMF resources (served at /tmf-api/schema, shown at /tmf-api/docs).

Request bodies are described by the input serializers; responses by the components below, which
follow the TMF622/TMF620/TMF629 v4 definitions for the attributes we return.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _string(description: str = "", **extra) -> dict:
    return {"type": "string", **({"description": description} if description else {}), **extra}


_DATE_TIME = {"type": "string", "format": "date-time", "description": "UTC, e.g. 2026-11-23T13:29:46.123Z"}
_TYPE = {"@type": _string()}


def _array(schema: dict) -> dict:
    return {"type": "array", "items": schema}


COMPONENTS = {
    "Error": {
        "type": "object",
        "required": ["code", "reason"],
        "properties": {
            "code": _string("Application code, e.g. NOT_FOUND"),
            "reason": _string(),
            "message": _string("What was wrong, with attribute paths"),
            "status": _string("The HTTP status"),
            **_TYPE,
        },
    },
    "RelatedParty": {
        "type": "object",
        "required": ["id", "@referredType"],
        "properties": {
            "id": _string("The customer number (TMF629 customer id), e.g. CUS-000001"),
            "href": _string(),
            "name": _string(),
            "role": _string("customer"),
            "@referredType": _string("Customer"),
        },
    },
    "Note": {
        "type": "object",
        "required": ["text"],
        "properties": {"id": _string(), "author": _string(), "date": _DATE_TIME, "text": _string(), **_TYPE},
    },
    "Money": {"type": "object", "properties": {"unit": _string("ISO 4217"), "value": {"type": "number"}}},
    "OrderPrice": {
        "type": "object",
        "properties": {
            "name": _string(),
            "priceType": _string("recurring or oneTime"),
            "recurringChargePeriod": _string("month"),
            "price": {"type": "object", "properties": {"dutyFreeAmount": ref("Money"), **_TYPE}},
            **_TYPE,
        },
    },
    "Characteristic": {
        "type": "object",
        "required": ["name", "value"],
        "properties": {
            "name": _string("A top-level data requirement of the offering"),
            "valueType": _string(),
            "value": {"description": "Any JSON value; a group is a list of objects"},
            **_TYPE,
        },
    },
    "ProductOfferingRef": {
        "type": "object",
        "required": ["id"],
        "properties": {
            "id": _string("The offering code"),
            "href": _string(),
            "name": _string(),
            "@referredType": _string(),
        },
    },
    "Product": {
        "type": "object",
        "properties": {
            "id": _string("The installed product (modify, delete, noChange)"),
            "name": _string(),
            "status": _string("TMF637 product status"),
            "productCharacteristic": _array(ref("Characteristic")),
            "place": _array(
                {
                    "type": "object",
                    "properties": {
                        "id": _string("An address id of the customer (TMF629 contactMedium id)"),
                        "name": _string(),
                        "role": _string("installationAddress"),
                        "@referredType": _string("GeographicAddress"),
                    },
                }
            ),
            **_TYPE,
        },
    },
    "ProductOrderItem": {
        "type": "object",
        "required": ["id", "action"],
        "properties": {
            "id": _string("The client's item id"),
            "action": _string(enum=["add", "modify", "delete", "noChange"]),
            "state": _string("TMF622 ProductOrderItemStateType"),
            "quantity": {"type": "integer"},
            "productOffering": ref("ProductOfferingRef"),
            "product": ref("Product"),
            "productOrderItemRelationship": _array(
                {"type": "object", "properties": {"id": _string(), "relationshipType": _string("reliesOn")}}
            ),
            "itemPrice": _array(ref("OrderPrice")),
            **_TYPE,
        },
    },
    "ProductOrderErrorMessage": {
        "type": "object",
        "description": "Why the order was rejected (as in TMF622 v5).",
        "properties": {
            "code": _string(),
            "reason": _string(),
            "message": _string(),
            "status": _string(),
            "timestamp": _DATE_TIME,
            "productOrderItem": _array(
                {
                    "type": "object",
                    "properties": {"itemId": _string(), "productOrderId": _string(), "productOrderHref": _string()},
                }
            ),
            **_TYPE,
        },
    },
    "ProductOrder": {
        "type": "object",
        "required": ["id", "href", "orderDate", "state", "relatedParty", "productOrderItem"],
        "properties": {
            "id": _string("The order number, e.g. ORD-000123"),
            "href": _string(),
            "orderDate": _DATE_TIME,
            "state": _string(
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
            "category": _string("consumer or business"),
            "priority": _string('"0" (highest) to "3"'),
            "externalId": _string("The client's reference, unique per client"),
            "description": _string(),
            "requestedStartDate": _DATE_TIME,
            "requestedCompletionDate": _DATE_TIME,
            "expectedCompletionDate": _DATE_TIME,
            "completionDate": _DATE_TIME,
            "cancellationDate": _DATE_TIME,
            "cancellationReason": _string(),
            "channel": _array({"type": "object", "properties": {"id": _string(), "name": _string()}}),
            "relatedParty": _array(ref("RelatedParty")),
            "productOrderItem": _array(ref("ProductOrderItem")),
            "orderTotalPrice": _array(ref("OrderPrice")),
            "note": _array(ref("Note")),
            "productOrderErrorMessage": _array(ref("ProductOrderErrorMessage")),
            **_TYPE,
        },
    },
    "CancelProductOrder": {
        "type": "object",
        "required": ["id", "href", "productOrder", "state"],
        "properties": {
            "id": _string(),
            "href": _string(),
            "state": _string(enum=["acknowledged", "inProgress", "done", "terminatedWithError"]),
            "cancellationReason": _string(),
            "creationDate": _DATE_TIME,
            "effectiveCancellationDate": _DATE_TIME,
            "refusalReason": _string("Why the cancellation was refused (terminatedWithError)"),
            "productOrder": {
                "type": "object",
                "required": ["id"],
                "properties": {"id": _string(), "href": _string(), "@referredType": _string()},
            },
            **_TYPE,
        },
    },
    "EventSubscription": {
        "type": "object",
        "required": ["id", "callback"],
        "properties": {"id": _string(), "callback": _string(), "query": _string()},
    },
    "ProductSpecificationCharacteristic": {
        "type": "object",
        "properties": {
            "name": _string("A data requirement; fields inside a group are named group.field"),
            "description": _string(),
            "valueType": _string("string, number, integer, boolean, date or object (a group)"),
            "configurable": {"type": "boolean"},
            "minCardinality": {"type": "integer", "description": "1 when required"},
            "maxCardinality": {"type": "integer"},
            "isUnique": {"type": "boolean", "description": "Distinct across the rows of its group"},
            "regex": _string(),
            "productSpecCharacteristicValue": _array(
                {
                    "type": "object",
                    "properties": {
                        "value": {"description": "An allowed value"},
                        "valueType": _string(),
                        "isDefault": {"type": "boolean"},
                        "valueFrom": _string(),
                        "valueTo": _string(),
                        "rangeInterval": _string(),
                    },
                }
            ),
            **_TYPE,
        },
    },
    "ProductOffering": {
        "type": "object",
        "properties": {
            "id": _string("The offering code, used as productOffering.id in orders"),
            "href": _string(),
            "name": _string(),
            "description": _string(),
            "lifecycleStatus": _string("Launched or Retired"),
            "isBundle": {"type": "boolean"},
            "isSellable": {"type": "boolean"},
            "lastUpdate": _DATE_TIME,
            "category": _array({"type": "object", "properties": {"id": _string(), "name": _string()}}),
            "productOfferingPrice": _array({"type": "object", "properties": {"id": _string(), "name": _string()}}),
            "prodSpecCharValueUse": _array({"type": "object"}),
            "productSpecCharacteristic": _array(ref("ProductSpecificationCharacteristic")),
            **_TYPE,
        },
    },
    "ContactMedium": {
        "type": "object",
        "required": ["mediumType", "characteristic"],
        "properties": {
            "id": _string("For postal addresses: the address id to use as an order item's place"),
            "mediumType": _string("email, phone or postalAddress"),
            "preferred": {"type": "boolean"},
            "characteristic": {
                "type": "object",
                "properties": {
                    "emailAddress": _string(),
                    "phoneNumber": _string(),
                    "street1": _string("House number and street, e.g. 12 Mill Lane"),
                    "street2": _string("Flat, floor or unit"),
                    "city": _string(),
                    "postCode": _string(),
                    "country": _string(),
                    "contactType": _string("installation, billing or postal"),
                },
            },
        },
    },
    "Customer": {
        "type": "object",
        "required": ["id", "href", "name", "engagedParty"],
        "properties": {
            "id": _string("The customer number"),
            "href": _string(),
            "name": _string(),
            "status": _string("prospect, active, suspended or closed"),
            "engagedParty": ref("RelatedParty"),
            "contactMedium": _array(ref("ContactMedium")),
            "validFor": {"type": "object", "properties": {"startDateTime": _DATE_TIME}},
            **_TYPE,
        },
    },
}

PRODUCT_ORDER = ref("ProductOrder")
CANCEL_PRODUCT_ORDER = ref("CancelProductOrder")
EVENT_SUBSCRIPTION = ref("EventSubscription")
PRODUCT_OFFERING = ref("ProductOffering")
CUSTOMER = ref("Customer")

ERRORS = {
    status: OpenApiResponse(ref("Error"), description=description)
    for status, description in {
        400: "Malformed or wrongly typed request",
        401: "No or an invalid bearer token",
        403: "Not allowed",
        404: "Not found (or not visible to this client)",
        405: "Method not allowed",
        409: "The resource's state does not allow it",
        415: "Unsupported content type",
        422: "Well-formed but refused",
        429: "Too many requests (see Retry-After)",
        500: "Our fault",
        503: "Database unavailable (see Retry-After)",
    }.items()
}


def list_of(schema: dict) -> OpenApiResponse:
    return OpenApiResponse(_array(schema), description="One page; X-Total-Count and X-Result-Count headers")


def fields_parameter() -> list[OpenApiParameter]:
    return [
        OpenApiParameter(
            "fields", str, description="Comma-separated attributes to return (id, href and @type always come)"
        )
    ]


def paging_parameters() -> list[OpenApiParameter]:
    return [
        OpenApiParameter("offset", int, description="Index of the first result (0)"),
        OpenApiParameter("limit", int, description="Page size (20; at most 100)"),
        OpenApiParameter(
            "X-Total-Count",
            int,
            OpenApiParameter.HEADER,
            response=[200],
            description="All matches (left out above 10,000)",
        ),
        OpenApiParameter("X-Result-Count", int, OpenApiParameter.HEADER, response=[200], description="In this page"),
    ]


def filter_parameters(names) -> list[OpenApiParameter]:
    return [
        OpenApiParameter(name, str, description="Exact value; comma-separated values match any of them")
        for name in sorted(names)
    ]


def add_components(result, generator, request, public):
    """drf-spectacular postprocessing hook: the response components above."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(COMPONENTS)
    return result
