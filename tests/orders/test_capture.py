"""Capture forms generated from data requirements: posted forms become documents, errors land at fields."""

from django.http import QueryDict

from orders.demo import HOSTED_PBX_REQUIREMENTS
from orders.requirements import FieldError
from ordersite.presentation.capture import (
    ADD_ROW,
    REMOVE_ROW,
    CharacteristicsForm,
    describe,
    html_name,
    path_label,
    read_document,
    row_noun,
    value_text,
)

BROADBAND = [
    {
        "name": "router",
        "label": "Router",
        "type": "choice",
        "required": True,
        "choices": [{"value": "hub-6", "label": "Home Hub 6"}, "own-router"],
    },
    {"name": "static_ip", "label": "Static IP address", "type": "boolean"},
    {"name": "lines", "type": "number", "integer": True, "min": 1, "max": 4, "default": 1},
    {"name": "go_live", "type": "date"},
]


def post(**fields) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, value in fields.items():
        for one in value if isinstance(value, list) else [value]:
            data.appendlist(name.replace("__", "-"), one)
    return data


def pbx_post(**extra) -> QueryDict:
    """Two user groups, three handsets (the third without an extension), a speed dial on the first."""
    fields = {
        "c__main_number": "+44 1632 960200",
        "c__user_groups": ["0", "1"],
        "c__user_groups__0__name": "Sales",
        "c__user_groups__0__hunt_pattern": "simultaneous",
        "c__user_groups__1__name": "Warehouse",
        "c__user_groups__1__hunt_pattern": "sequential",
        "c__handsets": ["0", "5", "2"],
    }
    for key, extension, group in (("0", "201", "Sales"), ("5", "202", "Sales"), ("2", "", "Warehouse")):
        fields |= {
            f"c__handsets__{key}__model": "yealink-t54w",
            f"c__handsets__{key}__extension": extension,
            f"c__handsets__{key}__user_name": f"User {key}",
            f"c__handsets__{key}__group": group,
        }
    fields["c__handsets__0__features"] = ["voicemail", "hot_desking"]
    fields["c__handsets__0__speed_dials"] = ["3"]
    fields["c__handsets__0__speed_dials__3__label"] = "Depot"
    fields["c__handsets__0__speed_dials__3__number"] = "+44 1632 960150"
    return post(**fields, **extra)


def test_a_posted_form_becomes_a_typed_document_with_rows_in_page_order():
    document = read_document(HOSTED_PBX_REQUIREMENTS, pbx_post(), "c")

    assert document["main_number"] == "+44 1632 960200"
    assert [group["name"] for group in document["user_groups"]] == ["Sales", "Warehouse"]
    assert [h["user_name"] for h in document["handsets"]] == ["User 0", "User 5", "User 2"]
    assert document["handsets"][0]["features"] == ["voicemail", "hot_desking"]
    assert document["handsets"][0]["speed_dials"] == [{"label": "Depot", "number": "+44 1632 960150"}]
    assert "extension" not in document["handsets"][2]  # empty values are left out
    assert "speed_dials" not in document["handsets"][1]


def test_numbers_and_booleans_are_stored_as_such_and_unreadable_input_is_kept_as_typed():
    assert read_document(BROADBAND, post(c__router="hub-6", c__static_ip="on", c__lines="2"), "c") == {
        "router": "hub-6",
        "static_ip": True,
        "lines": 2,
    }
    assert read_document(BROADBAND, post(c__lines="two"), "c") == {"lines": "two"}
    assert read_document(BROADBAND, post(c__lines="2.5"), "c")["lines"] == 2.5


def test_validation_errors_land_at_the_right_row_and_field():
    form = CharacteristicsForm(HOSTED_PBX_REQUIREMENTS, prefix="c", data=pbx_post())

    assert not form.is_valid()
    assert form.errors == [FieldError("handsets[2].extension", "this field is required")]
    third = form.fields[3].rows[2]
    extension = next(f for f in third.fields if f.spec["name"] == "extension")
    assert third.title == "Handset 3"
    assert extension.errors == ["This field is required."]
    assert extension.id == "id_c-handsets-2-extension" == form.id_for("handsets[2].extension")
    assert form.error_summary() == [("Handset 3 › Extension: This field is required.", "id_c-handsets-2-extension")]


def test_rows_are_renumbered_when_the_form_is_drawn_again():
    form = CharacteristicsForm(HOSTED_PBX_REQUIREMENTS, prefix="c", data=pbx_post())

    handsets = form.fields[3]
    assert [row.key for row in handsets.rows] == ["0", "1", "2"]
    assert [row.prefix for row in handsets.rows] == ["c-handsets-0", "c-handsets-1", "c-handsets-2"]
    assert handsets.next_key == 3
    assert handsets.template_row.prefix == "c-handsets-__row0__"
    nested = next(f for f in handsets.template_row.fields if f.spec["name"] == "speed_dials")
    assert nested.template_row.prefix == "c-handsets-__row0__-speed_dials-__row1__"


def test_duplicates_are_explained_with_the_row_they_repeat():
    data = pbx_post()
    data.setlist("c-handsets-2-extension", ["201"])
    form = CharacteristicsForm(HOSTED_PBX_REQUIREMENTS, prefix="c", data=data)

    assert not form.is_valid()
    assert form.error_summary()[0][0] == "Handset 3 › Extension: Already used in Handset 1."


def test_add_and_remove_buttons_work_without_javascript():
    data = pbx_post(**{ADD_ROW: "c-handsets-5-speed_dials"})
    added = CharacteristicsForm(HOSTED_PBX_REQUIREMENTS, prefix="c", data=data, add=data[ADD_ROW])
    assert added.document["handsets"][1]["speed_dials"] == [{}]
    assert len(added.fields[3].rows[1].fields[-1].rows) == 1

    data = pbx_post(**{REMOVE_ROW: "c-handsets-5"})
    removed = CharacteristicsForm(HOSTED_PBX_REQUIREMENTS, prefix="c", data=data, remove=data[REMOVE_ROW])
    assert [h["user_name"] for h in removed.document["handsets"]] == ["User 0", "User 2"]


def test_a_group_never_takes_more_rows_than_its_maximum_and_ignores_odd_keys():
    specs = [{"name": "sims", "type": "group", "max": 2, "fields": [{"name": "n", "type": "text"}]}]
    data = post(c__sims=["0", "1", "2", "x", "../1", "1"], c__sims__0__n="a", c__sims__1__n="b", c__sims__2__n="c")

    assert read_document(specs, data, "c") == {"sims": [{"n": "a"}, {"n": "b"}]}


def test_choices_from_offer_the_values_captured_in_the_source_group():
    form = CharacteristicsForm(HOSTED_PBX_REQUIREMENTS, prefix="c", data=pbx_post())

    group = next(f for f in form.fields[3].rows[0].fields if f.spec["name"] == "group")
    assert group.options == [("Sales", "Sales"), ("Warehouse", "Warehouse")]
    assert group.choices_from == "user_groups.name"
    assert group.source_noun == "user group"


def test_a_fresh_form_shows_defaults_and_the_minimum_number_of_rows():
    form = CharacteristicsForm(HOSTED_PBX_REQUIREMENTS, prefix="c")
    assert [len(f.rows) for f in form.fields if f.kind == "group"] == [1, 1]

    broadband = CharacteristicsForm(BROADBAND, prefix="c")
    assert broadband.document == {"lines": 1}
    assert CharacteristicsForm(BROADBAND, prefix="c", initial={"router": "hub-6"}).document == {"router": "hub-6"}


def test_errors_for_fields_the_form_does_not_have_are_shown_above_it():
    form = CharacteristicsForm(BROADBAND, prefix="c", initial={"router": "hub-6", "colour": "red"})

    assert not form.is_valid()
    form.fields  # noqa: B018 (drawing the form sorts the errors)
    assert form.unplaced_errors == [FieldError("colour", "unknown field")]


def test_a_document_is_described_with_labels_and_choice_labels():
    entries = describe(BROADBAND, {"router": "hub-6", "static_ip": False, "extra": "kept"})

    assert [(e.label, e.text) for e in entries] == [
        ("Router", "Home Hub 6"),
        ("Static IP address", "No"),
        ("extra", "kept"),
    ]
    pbx = describe(HOSTED_PBX_REQUIREMENTS, read_document(HOSTED_PBX_REQUIREMENTS, pbx_post(), "c"))
    handsets = next(e for e in pbx if e.label == "Handsets")
    assert [title for title, _ in handsets.rows] == ["Handset 1", "Handset 2", "Handset 3"]
    assert ("Features", "Voicemail, Hot desking") in [(e.label, e.text) for e in handsets.rows[0][1]]


def test_paths_and_values_read_as_words():
    assert (
        path_label(HOSTED_PBX_REQUIREMENTS, "handsets[2].speed_dials[0].number") == "Handset 3 › Speed dial 1 › Number"
    )
    assert path_label(HOSTED_PBX_REQUIREMENTS, "mystery") == "mystery"
    assert value_text(BROADBAND[0], "hub-6") == "Home Hub 6"
    assert value_text(BROADBAND[1], True) == "Yes"
    assert value_text(None, None) == "—"
    assert html_name("i7-c", "handsets[2].extension") == "i7-c-handsets-2-extension"
    assert row_noun({"name": "application_policies", "type": "group"}) == "Application policy"
    assert row_noun({"name": "boxes", "type": "group"}) == "Box"
