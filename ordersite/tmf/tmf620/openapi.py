"""OpenAPI components of TMF620 Product Catalog v4: the offering and its characteristics."""

from __future__ import annotations

from ordersite.tmf.tmf630.openapi import DATE_TIME, TYPE, array, ref, string

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
            "productOfferingPrice": array({"type": "object", "properties": {"id": string(), "name": string()}}),
            "prodSpecCharValueUse": array({"type": "object"}),
            "productSpecCharacteristic": array(ref("ProductSpecificationCharacteristic")),
            **TYPE,
        },
    },
}

PRODUCT_OFFERING = ref("ProductOffering")
