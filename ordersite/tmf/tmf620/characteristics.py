"""productSpecCharacteristic sent by a client, read back into the catalog's data requirements.

The reverse of representation.characteristic_specs. A characteristic sent exactly as the API shows
it keeps the field it came from, with what TMF620 has no words for (a phone or email type, a
pattern's rule, a group's charge per entry); a new or changed one is built from its value type,
cardinality, allowed values and range. The result then goes through the admin's validation
(`requirement_schema_errors`, in the model's `clean`).
"""

from __future__ import annotations

from ordersite.tmf.tmf620.representation import characteristic_specs
from ordersite.tmf.tmf630.errors import Unprocessable

ATTRIBUTE = "productSpecCharacteristic"
SHOWN_KEYS = {
    "name",
    "description",
    "valueType",
    "configurable",
    "minCardinality",
    "maxCardinality",
    "isUnique",
    "regex",
    "productSpecCharacteristicValue",
}


def requirements_from(characteristics: list[dict], current: list) -> list:
    """The data requirements the characteristics describe; `current` gives back the fields left as shown."""
    shown = {spec["name"]: _comparable(spec) for spec in characteristic_specs(current)}
    originals = _fields_by_path(current)
    nodes: dict[str, dict] = {}
    top: list[str] = []
    for index, characteristic in enumerate(characteristics):
        name = characteristic.get("name") or ""
        if name in nodes:
            raise Unprocessable({f"{ATTRIBUTE}[{index}].name": f"{name} is given twice"})
        parent, _, _ = name.rpartition(".")
        if parent and parent not in nodes:
            raise Unprocessable(
                {f"{ATTRIBUTE}[{index}].name": f"{name} is inside {parent}, which must come first (valueType object)"}
            )
        nodes[name] = {"characteristic": characteristic, "index": index, "children": []}
        (nodes[parent]["children"] if parent else top).append(name)
    return [_field(path, nodes, shown, originals) for path in top]


def _field(path: str, nodes: dict, shown: dict, originals: dict) -> dict:
    node = nodes[path]
    characteristic = node["characteristic"]
    original = originals.get(path)
    children = [_field(child, nodes, shown, originals) for child in node["children"]]
    if original is not None and shown.get(path) == _comparable(characteristic):
        if original["type"] != "group":
            return original  # a telephone_number's porting fields come back with it
        return {**original, "fields": children}
    where = f"{ATTRIBUTE}[{node['index']}]"
    return _built(characteristic, children, where)


def _built(characteristic: dict, children: list, where: str) -> dict:
    name = characteristic["name"].rpartition(".")[2]
    value_type = characteristic.get("valueType") or "string"
    minimum = characteristic.get("minCardinality", 0)
    maximum = characteristic.get("maxCardinality")
    values = characteristic.get("productSpecCharacteristicValue") or []
    field: dict = {"name": name}
    if characteristic.get("description"):
        field["label"] = characteristic["description"]
    allowed = [v["value"] for v in values if "value" in v]
    ranges = [v for v in values if "valueFrom" in v or "valueTo" in v]
    if value_type == "object":
        field |= {"type": "group", "fields": children}
        if minimum:
            field["min"] = minimum
        if maximum is not None:
            field["max"] = maximum
        return field
    if children:
        raise Unprocessable({f"{where}.valueType": "only an object characteristic has characteristics inside it"})
    if characteristic.get("regex"):
        raise Unprocessable(
            {f"{where}.regex": "a pattern needs its rule in words, which TMF620 cannot carry: declare it in the admin"}
        )
    if allowed:
        field |= {"type": "choice", "choices": [str(value) for value in allowed]}
        defaults = [v["value"] for v in values if v.get("isDefault") and "value" in v]  # a range is no default
        if defaults:
            field["default"] = str(defaults[0])
        if maximum is not None and maximum > 1:
            field["multiple"] = True
    elif value_type in ("number", "integer"):
        field["type"] = "number"
        if value_type == "integer":
            field["integer"] = True
        field |= _range(ranges, where, float)
    elif value_type == "date":
        field |= {"type": "date", **_range(ranges, where, str)}
    elif value_type == "boolean":
        field["type"] = "boolean"
    elif value_type == "string":
        field["type"] = "text"
    else:
        raise Unprocessable({f"{where}.valueType": "one of string, number, integer, boolean, date or object"})
    if minimum:
        field["required"] = True
    if characteristic.get("isUnique"):
        field["unique"] = True
    return field


def _range(ranges: list[dict], where: str, convert) -> dict:
    bounds = {}
    for value in ranges[:1]:
        for key, bound in (("valueFrom", "min"), ("valueTo", "max")):
            if key in value:
                try:
                    number = convert(value[key])
                except ValueError:
                    raise Unprocessable({f"{where}.productSpecCharacteristicValue.{key}": "not a number"}) from None
                bounds[bound] = int(number) if isinstance(number, float) and number.is_integer() else number
    return bounds


def _comparable(characteristic: dict) -> dict:
    return {k: v for k, v in characteristic.items() if k in SHOWN_KEYS}


def _fields_by_path(requirements, prefix: str = "") -> dict[str, dict]:
    fields: dict[str, dict] = {}
    for spec in requirements or []:
        if isinstance(spec, dict) and "name" in spec:
            path = prefix + spec["name"]
            fields[path] = spec
            if spec.get("type") == "group":
                fields.update(_fields_by_path(spec.get("fields"), f"{path}."))
    return fields
