"""The data-requirements validator: one function every channel uses to check characteristics."""

import copy

import pytest

from orders.demo import HOSTED_PBX_REQUIREMENTS, PBX_DEMO_CHARACTERISTICS
from orders.requirements import (
    FieldError,
    ItemPath,
    item_path,
    requirement_schema_errors,
    split_reason,
    validate_characteristics,
)

BROADBAND = [
    {"name": "router", "type": "choice", "required": True, "choices": ["hub-6", {"value": "mesh", "label": "Mesh"}]},
    {"name": "static_ip", "type": "boolean"},
    {"name": "notes", "type": "text", "max_length": 10},
    {"name": "boxes", "type": "number", "min": 1, "max": 4, "integer": True},
    {"name": "install_on", "type": "date", "min": "2026-01-01"},
    {"name": "contact", "type": "phone"},
    {"name": "email", "type": "email"},
    {"name": "pin", "type": "text", "pattern": "^[0-9]{4}$", "pattern_rule": "4 digits"},
]


def messages(requirements, document):
    return [str(error) for error in validate_characteristics(requirements, document)]


def test_a_complete_document_is_valid():
    assert messages(BROADBAND, {"router": "mesh", "static_ip": True, "boxes": 2, "install_on": "2026-02-01"}) == []


def test_a_missing_required_field_is_reported_by_name():
    assert messages(BROADBAND, {}) == ["router: this field is required"]
    assert messages(BROADBAND, {"router": ""}) == ["router: this field is required"]


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"router": "fax"}, "router: must be one of hub-6 or Mesh; fax is not one"),
        ({"static_ip": "yes"}, "static_ip: must be true or false"),
        ({"notes": "much too long text"}, "notes: must be at most 10 characters"),
        ({"notes": 12}, "notes: must be text"),
        ({"boxes": 0}, "boxes: must be at least 1"),
        ({"boxes": 5}, "boxes: must be at most 4"),
        ({"boxes": 1.5}, "boxes: must be a whole number"),
        ({"boxes": "two"}, "boxes: must be a number"),
        ({"boxes": True}, "boxes: must be a number"),
        ({"install_on": "2025-12-31"}, "install_on: must be on or after 2026-01-01"),
        ({"install_on": "31/12/2026"}, "install_on: must be a date (yyyy-mm-dd)"),
        ({"contact": "call me"}, "contact: must be a phone number"),
        ({"email": "not-an-address"}, "email: must be an email address"),
        ({"pin": "12a4"}, "pin: must be 4 digits"),
        ({"colour": "red"}, "colour: unknown field"),
    ],
)
def test_bad_values_are_reported_with_their_path(document, expected):
    assert expected in messages(BROADBAND, {"router": "hub-6", **document})


def test_numbers_given_as_text_are_accepted_within_bounds():
    assert messages(BROADBAND, {"router": "hub-6", "boxes": "3"}) == []


def test_the_demo_hosted_pbx_characteristics_are_valid():
    assert messages(HOSTED_PBX_REQUIREMENTS, PBX_DEMO_CHARACTERISTICS) == []


def test_a_missing_field_in_a_repeated_row_is_reported_with_its_index():
    document = copy.deepcopy(PBX_DEMO_CHARACTERISTICS)
    del document["handsets"][2]["extension"]
    assert messages(HOSTED_PBX_REQUIREMENTS, document) == ["handsets[2].extension: this field is required"]


def test_group_minimum_and_maximum_are_enforced():
    document = copy.deepcopy(PBX_DEMO_CHARACTERISTICS)
    document["user_groups"] = []
    assert "user_groups: at least 1 required" in messages(HOSTED_PBX_REQUIREMENTS, document)

    document = copy.deepcopy(PBX_DEMO_CHARACTERISTICS)
    document["handsets"][0]["speed_dials"] = [{"label": f"D{i}", "number": "+44 1632 960000"} for i in range(11)]
    assert messages(HOSTED_PBX_REQUIREMENTS, document) == ["handsets[0].speed_dials: at most 10 allowed, 11 given"]


def test_nested_groups_report_the_full_path():
    document = copy.deepcopy(PBX_DEMO_CHARACTERISTICS)
    document["handsets"][0]["speed_dials"][0]["number"] = "nope"
    assert messages(HOSTED_PBX_REQUIREMENTS, document) == ["handsets[0].speed_dials[0].number: must be a phone number"]


def test_unique_fields_must_differ_between_rows():
    document = copy.deepcopy(PBX_DEMO_CHARACTERISTICS)
    document["handsets"][1]["extension"] = "201"
    assert messages(HOSTED_PBX_REQUIREMENTS, document) == ["handsets[1].extension: duplicates handsets[0]"]


def test_choices_can_come_from_another_group_in_the_same_document():
    document = copy.deepcopy(PBX_DEMO_CHARACTERISTICS)
    document["handsets"][0]["group"] = "Marketing"
    assert messages(HOSTED_PBX_REQUIREMENTS, document) == [
        "handsets[0].group: must be one of Sales or Warehouse; Marketing is not one"
    ]


def test_multiple_choice_lists_every_wrong_value():
    document = copy.deepcopy(PBX_DEMO_CHARACTERISTICS)
    document["handsets"][0]["features"] = ["voicemail", "teleport", "fax"]
    assert messages(HOSTED_PBX_REQUIREMENTS, document) == [
        "handsets[0].features: must be chosen from Voicemail, Call forwarding, Call recording, Hot desking "
        "or Busy lamp field; teleport and fax are not"
    ]


def test_unknown_keys_inside_rows_and_wrong_shapes_are_reported():
    document = copy.deepcopy(PBX_DEMO_CHARACTERISTICS)
    document["handsets"][0]["colour"] = "red"
    document["user_groups"] = {"name": "Sales"}
    assert messages(HOSTED_PBX_REQUIREMENTS, document) == [
        "user_groups: must be a list of entries",
        "handsets[0].colour: unknown field",
        "handsets[0].group: must be one of the choices entered above (there are none yet); Sales is not one",
        "handsets[1].group: must be one of the choices entered above (there are none yet); Sales is not one",
        "handsets[2].group: must be one of the choices entered above (there are none yet); Warehouse is not one",
    ]


def test_a_document_that_is_not_an_object_is_one_error():
    assert messages(BROADBAND, ["router"]) == ["characteristics must be an object"]


def test_no_requirements_accept_an_empty_document_only():
    assert messages([], {}) == []
    assert messages([], {"anything": 1}) == ["anything: unknown field"]


# --- the requirements declarations themselves -------------------------------------------------


def test_the_demo_requirements_declarations_are_well_formed():
    assert requirement_schema_errors(HOSTED_PBX_REQUIREMENTS) == []


@pytest.mark.parametrize(
    ("requirements", "expected"),
    [
        ({"name": "x"}, "Data requirements must be a list of field specs."),
        ([{"name": "Bad Name", "type": "text"}], "name must be lower-case"),
        ([{"name": "a", "type": "colour"}], "type must be one of"),
        ([{"name": "a", "type": "text"}, {"name": "a", "type": "text"}], "the name is used twice"),
        ([{"name": "a", "type": "choice"}], "needs a non-empty list of choices"),
        ([{"name": "a", "type": "text", "min_length": 5, "max_length": 2}], "min_length is greater than max_length"),
        ([{"name": "a", "type": "group", "fields": []}], "a group needs a non-empty list of fields"),
        ([{"name": "a", "type": "text", "pattern": "("}], "pattern is not a valid regular expression"),
        (
            [{"name": "a", "type": "text", "pattern": "^[0-9]{4}$"}],
            "a pattern needs its pattern_rule, the rule in words",
        ),
        ([{"name": "a", "type": "text", "choices": ["x"]}], "unknown keys for a text field: choices"),
        ([{"name": "a", "type": "choice", "choices_from": "nowhere.name"}], "choices_from must name a top-level group"),
        (
            [{"name": "g", "type": "group", "fields": [{"name": "n", "type": "number", "max": "lots"}]}],
            "g.n: max must be a number",
        ),
        (
            [{"name": "g", "type": "group", "fields": [{"name": "n", "type": "text"}], "price_per_entry": "6.50"}],
            "g: price_per_entry must be an object with one_off and/or recurring amounts",
        ),
        (
            [
                {
                    "name": "g",
                    "type": "group",
                    "fields": [{"name": "n", "type": "text"}],
                    "price_per_entry": {"monthly": "1"},
                }
            ],
            "g: price_per_entry must be an object with one_off and/or recurring amounts",
        ),
        (
            [
                {
                    "name": "g",
                    "type": "group",
                    "fields": [{"name": "n", "type": "text"}],
                    "price_per_entry": {"one_off": "-1"},
                }
            ],
            'g: price_per_entry one_off must be an amount such as "6.50" (0 or more)',
        ),
        (
            [
                {
                    "name": "g",
                    "type": "group",
                    "fields": [{"name": "n", "type": "text"}],
                    "price_per_entry": {"recurring": "1.234"},
                }
            ],
            "price_per_entry recurring must be an amount",
        ),
        (
            [{"name": "t", "type": "text", "price_per_entry": {"recurring": "1"}}],
            "unknown keys for a text field: price_per_entry",
        ),
    ],
)
def test_malformed_requirements_are_explained(requirements, expected):
    errors = requirement_schema_errors(requirements)
    assert any(expected in error for error in errors), errors


def test_field_paths_are_read_in_one_place():
    at = item_path("items[2].characteristics.handsets[0].extension")
    assert (at.item, at.index, at.part, at.rest) == ("2", 2, "characteristics", "handsets[0].extension")
    assert at.field == "characteristics.handsets[0].extension"
    assert item_path("items[A-1].offering") == ItemPath("A-1", "offering")
    assert item_path("special_requirements") is None
    assert FieldError("items[0].install_address", "required").item_path == ItemPath("0", "install_address")

    assert split_reason("items[0].offering: not on sale") == ("items[0].offering", "not on sale")
    assert split_reason("special_requirements: too long") == ("special_requirements", "too long")
    assert split_reason("The credit bureau declined: score too low") == (
        "",
        "The credit bureau declined: score too low",
    )


def test_a_pattern_with_its_rule_in_words_says_the_rule():
    extension = {"name": "extension", "type": "text", "pattern": "^[0-9]{3,4}$", "pattern_rule": "3 or 4 digits"}
    assert messages([extension], {"extension": "12"}) == ["extension: must be 3 or 4 digits"]
    assert messages([extension], {"extension": "1234"}) == []


def test_the_demo_catalogs_patterns_all_say_their_rule():
    from orders.demo import CATALOG

    def text_fields(specs):
        for spec in specs:
            if spec.get("type") == "group":
                yield from text_fields(spec["fields"])
            elif "pattern" in spec:
                yield spec

    patterns = [spec for entry in CATALOG for spec in text_fields(entry.get("data_requirements", []))]
    assert patterns and all(spec.get("pattern_rule") for spec in patterns)
