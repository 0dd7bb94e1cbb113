"""OpenAPI components of TMF620 Product Catalog v4: the offering, its specification and prices, and their changes."""

from __future__ import annotations

from orders.models import LifecycleStatus, OfferingCategory
from orders.models.catalog import PRICE_NAME_MAX_LENGTH
from ordersite.tmf.tmf630.openapi import DATE_TIME, NOT_BLANK, TYPE, array, ref, string

REFERENCE = {
    "type": "object",
    "required": ["id"],
    "properties": {"id": string(), "href": string(), "name": string(), "@referredType": string()},
}
LIFECYCLE_STATUS = {"type": "string", "enum": list(LifecycleStatus.values)}
CATEGORY_REFERENCE = {
    "type": "object",
    "required": ["id"],
    "properties": {"id": {"type": "string", "enum": list(OfferingCategory.values)}, "name": string()},
}

COMPONENTS = {
    "ProductSpecificationCharacteristic": {
        "type": "object",
        "properties": {
            "name": string("A data requirement; fields inside a group are named group.field"),
            "description": string(),
            "valueType": string("string, number, integer, boolean, date or object (a group)"),
            "configurable": {"type": "boolean"},
            "minCardinality": {"type": "integer", "description": "1 when required"},
            "maxCardinality": {"type": "integer"},
            "isUnique": {"type": "boolean", "description": "Distinct across the rows of its group"},
            "regex": string(),
            "productSpecCharacteristicValue": array(
                {
                    "type": "object",
                    "properties": {
                        "value": {"description": "An allowed value"},
                        "valueType": string(),
                        "isDefault": {"type": "boolean"},
                        "valueFrom": string(),
                        "valueTo": string(),
                        "rangeInterval": string(),
                    },
                }
            ),
            **TYPE,
        },
    },
    "ProductOffering": {
        "type": "object",
        "properties": {
            "id": string("The offering code, used as productOffering.id in orders"),
            "href": string(),
            "name": string(),
            "description": string(),
            "lifecycleStatus": string("Launched or Retired"),
            "isBundle": {"type": "boolean"},
            "isSellable": {"type": "boolean"},
            "lastUpdate": DATE_TIME,
            "category": array({"type": "object", "properties": {"id": string(), "name": string()}}),
            "productSpecification": REFERENCE,
            "productOfferingPrice": array(REFERENCE),
            "prodSpecCharValueUse": array({"type": "object"}),
            "productSpecCharacteristic": array(ref("ProductSpecificationCharacteristic")),
            **TYPE,
        },
    },
}

COMPONENTS |= {
    "ProductSpecification": {
        "type": "object",
        "description": "`fields=` narrows it to exactly the attributes named; without it, id and href always come.",
        "properties": {
            "id": string("The id of the offering it specifies"),
            "href": string(),
            "name": string(),
            "description": string(),
            "isBundle": {"type": "boolean"},
            "lifecycleStatus": string("Launched or Retired"),
            "lastUpdate": DATE_TIME,
            "productSpecCharacteristic": array(ref("ProductSpecificationCharacteristic")),
            **TYPE,
        },
    },
    "ProductOfferingPrice": {
        "type": "object",
        "description": "`fields=` narrows it to exactly the attributes named; without it, id and href always come.",
        "properties": {
            "id": string("offering id, then the group's path for a charge per entry, then one-off or recurring"),
            "href": string(),
            "name": string(),
            "description": string(),
            "isBundle": {"type": "boolean"},
            "lifecycleStatus": string("The offering's"),
            "lastUpdate": DATE_TIME,
            "priceType": {"type": "string", "enum": ["oneTime", "recurring"]},
            "recurringChargePeriodType": string("month"),
            "recurringChargePeriodLength": {"type": "integer"},
            "unitOfMeasure": {
                "type": "object",
                "properties": {"amount": {"type": "number"}, "units": string("The group charged per entry")},
            },
            "price": ref("Money"),
            **TYPE,
        },
    },
    # Merge patches: what each may change ({} changes nothing). The server refuses any other attribute (422)
    # unless sent back as it is, which a schema cannot say, so the document allows none; a name is trimmed.
    "ProductOfferingPatch": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 120, "pattern": NOT_BLANK},
            "description": {"type": "string", "maxLength": 2000},
            "lifecycleStatus": LIFECYCLE_STATUS,
            "category": {"type": "array", "items": CATEGORY_REFERENCE, "minItems": 1, "maxItems": 1},
        },
    },
    "ProductSpecificationPatch": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 120, "pattern": NOT_BLANK},
            "description": {"type": "string", "maxLength": 2000},
            "lifecycleStatus": LIFECYCLE_STATUS,
            "productSpecCharacteristic": {**array(ref("SpecCharacteristicInRequest")), "maxItems": 200},
        },
    },
    "ProductOfferingPricePatch": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": PRICE_NAME_MAX_LENGTH, "pattern": NOT_BLANK},
            "price": {
                "type": "object",
                "required": ["value"],
                "properties": {
                    "value": {"type": "number", "minimum": 0, "maximum": 99999999.99, "multipleOf": 0.01},
                    "unit": string("The catalog's currency, GBP", maxLength=3, pattern=NOT_BLANK),
                },
            },
        },
    },
}

PRODUCT_OFFERING = ref("ProductOffering")
PRODUCT_SPECIFICATION = ref("ProductSpecification")
PRODUCT_OFFERING_PRICE = ref("ProductOfferingPrice")
OFFERING_PATCH = ref("ProductOfferingPatch")
SPECIFICATION_PATCH = ref("ProductSpecificationPatch")
PRICE_PATCH = ref("ProductOfferingPricePatch")
