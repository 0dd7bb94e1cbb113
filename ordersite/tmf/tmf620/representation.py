"""TMF620 productOffering: what a client may order and which characteristics each offering needs.

The data requirements declared in the catalog become productSpecCharacteristic entries (value
type, cardinality, allowed values or range, pattern); fields inside a group are named by their
path ("handsets.extension") and the group itself is an "object" whose cardinality is its min/max.
The same entries, trimmed to what TMF620 v4 allows there, are the offering's prodSpecCharValueUse.
"""

from __future__ import annotations

from orders.models import LifecycleStatus, ProductOffering
from orders.requirements import PHONE_PATTERN, choice_options, label_of, number_subspecs
from ordersite.tmf.tmf620 import CATALOG_PATH
from ordersite.tmf.tmf620.prices import price_reference, prices_of
from ordersite.tmf.tmf630.dates import format_datetime

VALUE_TYPES = {
    "text": "string",
    "number": "number",
    "choice": "string",
    "boolean": "boolean",
    "date": "date",
    "phone": "string",
    "email": "string",
    "group": "object",
    "telephone_number": "object",
}
VALUE_USE_KEYS = {
    "name",
    "description",
    "valueType",
    "minCardinality",
    "maxCardinality",
    "productSpecCharacteristicValue",
}


def characteristic_specs(requirements: list, prefix: str = "") -> list[dict]:
    specs = []
    for field in requirements or []:
        kind = field["type"]
        name = prefix + field["name"]
        description = label_of(field) + (f". {field['help']}" if field.get("help") else "")
        spec: dict = {
            "name": name,
            "description": description,
            "valueType": "integer" if kind == "number" and field.get("integer") else VALUE_TYPES[kind],
            "configurable": True,
            "minCardinality": 1 if field.get("required") else 0,
            "maxCardinality": 1,
        }
        values: list[dict] = []
        if kind == "group":
            spec["minCardinality"] = max(field.get("min", 0), 1 if field.get("required") else 0)
            if field.get("max") is not None:
                spec["maxCardinality"] = field["max"]
            else:
                del spec["maxCardinality"]
        elif kind == "text":
            if field.get("pattern"):
                spec["regex"] = field["pattern"]
            bounds = [f"at least {field['min_length']}" if "min_length" in field else ""]
            bounds.append(f"at most {field['max_length']}" if "max_length" in field else "")
            if any(bounds):
                spec["description"] += f" ({' and '.join(b for b in bounds if b)} characters)"
        elif kind == "phone":
            spec["regex"] = PHONE_PATTERN.pattern
        elif kind == "telephone_number":
            spec["description"] += (
                " (a new number: {number}, from our pool or given at activation when left out; a kept one: "
                "{keep: true, number, and the porting fields})"
            )
        elif kind in ("number", "date") and ("min" in field or "max" in field):
            value = {"rangeInterval": "closed", "valueType": spec["valueType"]}
            if "min" in field:
                value["valueFrom"] = str(field["min"])
            if "max" in field:
                value["valueTo"] = str(field["max"])
            values.append(value)
        elif kind == "choice":
            if "choices_from" in field:
                group, _, inner = field["choices_from"].partition(".")
                spec["description"] += f" (one of the {inner} values given in {group})"
            else:
                default = field.get("default")
                options = choice_options(field)
                values.extend(
                    {"value": value, "valueType": "string", **({"isDefault": True} if value == default else {})}
                    for value, _label in options
                )
                # TMF620 v4 has no label for a value: the description lists them.
                labels = [f"{value} = {label}" for value, label in options if label != value]
                if labels:
                    spec["description"] += f" ({'; '.join(labels)})"
            if field.get("multiple"):
                options = len(choice_options(field)) if "choices" in field else None
                if options:
                    spec["maxCardinality"] = options
                else:
                    del spec["maxCardinality"]
        if field.get("unique"):
            spec["isUnique"] = True
        if values:
            spec["productSpecCharacteristicValue"] = values
        spec["@type"] = "ProductSpecificationCharacteristic"
        specs.append(spec)
        if kind == "group":
            specs.extend(characteristic_specs(field.get("fields", []), prefix=f"{name}."))
        if kind == "telephone_number":
            keep = {"name": "keep", "label": "Keep a number from another provider", "type": "boolean"}
            specs.extend(characteristic_specs([keep, *number_subspecs(field)], prefix=f"{name}."))
    return specs


def offering_href(request, offering: ProductOffering) -> str:
    return request.build_absolute_uri(f"{CATALOG_PATH}/productOffering/{offering.code}")


def specification_href(request, offering: ProductOffering) -> str:
    return request.build_absolute_uri(f"{CATALOG_PATH}/productSpecification/{offering.code}")


def specification_reference(request, offering: ProductOffering) -> dict:
    """Each offering has its own specification (isBundle is false): its data requirements, same id."""
    return {
        "id": offering.code,
        "href": specification_href(request, offering),
        "name": offering.name,
        "@referredType": "ProductSpecification",
    }


def specification_representation(request, offering: ProductOffering) -> dict:
    data = {
        "id": offering.code,
        "href": specification_href(request, offering),
        "name": offering.name,
        "description": offering.description,
        "isBundle": False,
        "lifecycleStatus": offering.lifecycle_status,
        "lastUpdate": format_datetime(offering.updated_at),
        "productSpecCharacteristic": characteristic_specs(offering.data_requirements),
        "@type": "ProductSpecification",
    }
    return {k: v for k, v in data.items() if v not in (None, "", [])}


SPECIFICATION_ATTRIBUTES = {
    "id",
    "href",
    "name",
    "description",
    "isBundle",
    "lifecycleStatus",
    "lastUpdate",
    "productSpecCharacteristic",
    "@type",
}


def offering_representation(request, offering: ProductOffering) -> dict:
    specs = characteristic_specs(offering.data_requirements)
    data = {
        "id": offering.code,
        "href": offering_href(request, offering),
        "name": offering.name,
        "description": offering.description,
        "lifecycleStatus": offering.lifecycle_status,
        "isBundle": False,
        "isSellable": offering.lifecycle_status == LifecycleStatus.LAUNCHED,
        "lastUpdate": format_datetime(offering.updated_at),
        "category": [
            {"id": offering.category, "name": str(offering.get_category_display()), "@referredType": "Category"}
        ]
        if offering.category
        else [],  # one in design may not have its category yet
        "productSpecification": specification_reference(request, offering),
        "productOfferingPrice": [price_reference(request, price) for price in prices_of(offering)],
        "prodSpecCharValueUse": [
            {
                **{k: v for k, v in spec.items() if k in VALUE_USE_KEYS},
                "@type": "ProductSpecificationCharacteristicValueUse",
            }
            for spec in specs
        ],
        "productSpecCharacteristic": specs,
        "@type": "ProductOffering",
    }
    return {k: v for k, v in data.items() if v not in (None, "", [])}


OFFERING_ATTRIBUTES = {
    "id",
    "href",
    "name",
    "description",
    "lifecycleStatus",
    "isBundle",
    "isSellable",
    "lastUpdate",
    "category",
    "productSpecification",
    "productOfferingPrice",
    "prodSpecCharValueUse",
    "productSpecCharacteristic",
    "@type",
}
