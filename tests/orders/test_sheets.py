"""ordersite.presentation.sheets: a group's rows read from pasted spreadsheet text or a CSV file."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from orders.demo import HOSTED_PBX_REQUIREMENTS
from ordersite.presentation.sheets import MAX_FILE_BYTES, columns_of, decode_upload, read_sheet

HANDSETS = next(spec for spec in HOSTED_PBX_REQUIREMENTS if spec["name"] == "handsets")
DOCUMENT = {"user_groups": [{"name": "Sales"}, {"name": "Support desk"}]}


def read(text):
    return read_sheet(text, HANDSETS, DOCUMENT)


def test_the_columns_are_the_groups_fields_but_its_nested_groups():
    assert [spec["name"] for spec in columns_of(HANDSETS)] == ["model", "extension", "user_name", "group", "features"]


def test_tab_separated_rows_without_a_header_fill_the_columns_in_the_forms_order():
    sheet = read("yealink-t54w\t201\tAnn Lee\tSales\tvoicemail\nsoftphone\t202\tBo Chan\tSales\t")

    assert sheet.errors == []
    assert sheet.rows == [
        {
            "model": "yealink-t54w",
            "extension": "201",
            "user_name": "Ann Lee",
            "group": "Sales",
            "features": ["voicemail"],
        },
        {"model": "softphone", "extension": "202", "user_name": "Bo Chan", "group": "Sales"},
    ]


def test_a_header_names_columns_by_label_or_name_in_any_order_and_case():
    sheet = read("EXTENSION\tuser_name\tUser group *\tmodel\n201\tAnn Lee\tsupport desk\tYealink W73H DECT cordless")

    assert sheet.errors == []
    assert sheet.rows == [
        {"extension": "201", "user_name": "Ann Lee", "group": "Support desk", "model": "yealink-w73h"},
    ]


def test_choices_match_values_or_labels_and_multiple_choices_split_on_semicolons_or_commas():
    sheet = read(
        'Model,Extension,User,Features\nSOFTPHONE APP (NO HARDWARE),201,Ann,"Voicemail, hot_desking"\n'
        "yealink-t33g,202,Bo,call recording;Voicemail;voicemail"
    )

    assert sheet.rows[0]["model"] == "softphone"
    assert sheet.rows[0]["features"] == ["voicemail", "hot_desking"]
    assert sheet.rows[1]["features"] == ["call_recording", "voicemail"]  # once each, in the order given


def test_a_value_that_matches_no_choice_is_kept_as_typed_for_validation_to_name_it():
    sheet = read("Fax machine\t201\tAnn\tMarketing")

    assert sheet.rows == [{"model": "Fax machine", "extension": "201", "user_name": "Ann", "group": "Marketing"}]


def test_quoted_csv_cells_keep_their_commas_quotes_and_line_breaks():
    sheet = read('Extension,User\n201,"Lee, Ann ""Annie"""\n202,"Bo\nChan"')

    assert sheet.errors == []
    assert [row["user_name"] for row in sheet.rows] == ['Lee, Ann "Annie"', "Bo\nChan"]


def test_a_european_csv_separated_by_semicolons_is_read():
    sheet = read("Extension;User;Features\n201;Ann;voicemail,hot_desking")

    assert sheet.rows == [{"extension": "201", "user_name": "Ann", "features": ["voicemail", "hot_desking"]}]


def test_blank_lines_and_windows_line_ends_are_skipped_and_short_lines_leave_the_rest_empty():
    sheet = read("\r\nExtension\tUser\tModel\r\n\r\n201\tAnn\r\n   \t \r\n202\r\n")

    assert sheet.errors == []
    assert sheet.rows == [{"extension": "201", "user_name": "Ann"}, {"extension": "202"}]


def test_a_line_with_more_values_than_columns_is_named_and_nothing_is_read():
    sheet = read("Extension\tUser\n201\tAnn\n202\tBo\tSales\tvoicemail\n203\tCy\t\t")

    assert sheet.rows == []
    assert sheet.errors == ["Line 3 has 4 values; a handset has 2 columns (Extension, User)."]


def test_a_header_naming_a_column_the_form_lacks_is_refused_with_the_columns_it_has():
    sheet = read("Extension\tUser\tDepartment\n201\tAnn\tFinance")

    assert sheet.rows == []
    assert sheet.errors == [
        "The first line names columns the form does not have: “Department”. "
        "Its columns are Model, Extension, User, User group, Features."
    ]


def test_a_header_naming_a_column_twice_is_refused():
    assert read("Extension\textension\n201\t202").errors == ["The first line names Extension twice."]


def test_a_first_line_of_values_is_data_even_when_one_value_looks_like_a_column():
    sheet = read("softphone\t201\tModel\tSales")  # a user called "Model"

    assert sheet.rows == [{"model": "softphone", "extension": "201", "user_name": "Model", "group": "Sales"}]


@pytest.mark.parametrize("text", ["", "\n\n", " \t \n"])
def test_an_empty_paste_asks_for_rows(text):
    assert read(text).errors == ["Paste rows copied from a spreadsheet, or choose a CSV file, first."]


def test_a_header_alone_asks_for_the_rows_below_it():
    assert read("Extension\tUser").errors == ["Only the column names were pasted: copy the rows below them too."]


def test_numbers_and_yes_no_are_typed_as_the_form_types_them():
    group = {
        "name": "lines",
        "type": "group",
        "fields": [
            {"name": "count", "type": "number", "integer": True},
            {"name": "share", "type": "number"},
            {"name": "recorded", "type": "boolean"},
        ],
    }
    sheet = read_sheet("1,200\t2.5\tyes\n3\tabc\tno\n4\t\tmaybe", group, {})

    assert sheet.rows == [
        {"count": 1200, "share": 2.5, "recorded": True},
        {"count": 3, "share": "abc"},  # kept as typed: validation says "must be a number"
        {"count": 4, "recorded": "maybe"},
    ]


def test_an_uploaded_csv_is_read_as_utf8_with_or_without_excels_mark_else_windows_1252():
    assert decode_upload(SimpleUploadedFile("h.csv", "\ufeffUser\nZoë".encode())) == ("User\nZoë", "")
    assert decode_upload(SimpleUploadedFile("h.csv", "User\nZoë".encode("cp1252"))) == ("User\nZoë", "")


def test_an_upload_that_is_not_text_or_too_big_is_refused_with_the_reason():
    text, error = decode_upload(SimpleUploadedFile("h.xlsx", b"PK\x03\x04\x00\x00"))
    assert (text, error) == (
        "",
        "The file is not a CSV file: save the sheet as CSV (comma separated) and choose it again.",
    )
    text, error = decode_upload(SimpleUploadedFile("h.csv", b"a" * (MAX_FILE_BYTES + 1)))
    assert error == "The file is 1,000 kB: a CSV file of at most 1 MB is read."
