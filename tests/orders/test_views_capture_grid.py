"""The configuration step's grids without JavaScript (copy a row, paste a sheet, import a CSV), and their queries."""

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from orders.services import add_item, create_draft_order, record_initiating_request

pytestmark = pytest.mark.usefixtures("manual_downstream")


@pytest.fixture
def draft(agent, customer, catalog):
    request = record_initiating_request(customer=customer, by=agent, kind="sales_proposal", reference="Q-1")
    return create_draft_order(customer=customer, by=agent, initiating_request=request)


@pytest.fixture
def pbx(draft, agent, catalog):
    return add_item(draft, by=agent, offering=catalog["hosted-pbx"])


def configure_url(order):
    return reverse("console:capture", args=[order.number, "configure"])


def handsets(count, *, start=200):
    return [
        {"model": "yealink-t54w", "extension": str(start + n), "user_name": f"User {n + 1}", "group": "Sales"}
        for n in range(count)
    ]


def posted(item, rows, **extra):
    """What the step posts for these handsets (the grid as the browser sends it)."""
    prefix = f"i{item.pk}-c"
    data = {
        f"{prefix}-main_number": "+44 1632 960200",
        f"{prefix}-user_groups": "0",
        f"{prefix}-user_groups-0-name": "Sales",
        f"{prefix}-user_groups-0-hunt_pattern": "simultaneous",
        f"{prefix}-handsets": [str(key) for key in range(len(rows))],
    }
    for key, row in enumerate(rows):
        data |= {f"{prefix}-handsets-{key}-{name}": value for name, value in row.items()}
    return data | extra


def sheet(count, *, bad=()):
    lines = ["Extension\tUser\tModel\tUser group\tFeatures"]
    for number in range(1, count + 1):
        extension = f"#{number}" if number in bad else str(1000 + number)
        lines.append(f"{extension}\tUser {number}\tYealink T33G desk phone\tsales\tVoicemail")
    return "\n".join(lines)


def summary(response) -> list[tuple[str, str]]:
    html = response.content.decode()
    block = html[html.index('id="error-summary"') : html.index("</ul>", html.index('id="error-summary"'))]
    return [(text, anchor) for anchor, text in re.findall(r'<a href="#([^"]+)">([^<]+)</a>', block)]


def test_copy_repeats_a_row_below_it_without_its_extension(signed_in, draft, pbx):
    rows = handsets(2)
    rows[0]["features"] = ["voicemail", "hot_desking"]
    response = signed_in.post(configure_url(draft), posted(pbx, rows, **{"capture-copy": f"i{pbx.pk}-c-handsets-0"}))

    assert response.status_code == 200
    pbx.refresh_from_db()
    saved = pbx.characteristics["handsets"]
    assert [h.get("extension") for h in saved] == ["200", None, "201"]
    assert saved[1] == {
        "model": "yealink-t54w",
        "user_name": "User 1",
        "group": "Sales",
        "features": ["voicemail", "hot_desking"],
    }
    assert pbx.recurring_price == Decimal("9.50") + 3 * Decimal("6.50")


def test_a_pasted_sheet_fills_the_grid_and_names_each_bad_row_in_the_summary(signed_in, draft, pbx):
    data = posted(
        pbx,
        [{}],
        **{"capture-paste": f"i{pbx.pk}-c-handsets", f"i{pbx.pk}-c-handsets-paste": sheet(200, bad=(57, 190))},
    )

    response = signed_in.post(configure_url(draft), data)

    assert response.status_code == 200
    assert summary(response) == [
        ("Item 1 · Handset 57 › Extension: Must be 3 or 4 digits.", f"id_i{pbx.pk}-c-handsets-56-extension"),
        ("Item 1 · Handset 190 › Extension: Must be 3 or 4 digits.", f"id_i{pbx.pk}-c-handsets-189-extension"),
    ]
    assert "200 handsets filled in from the sheet and saved. 2 of the rows need fixing" in response.content.decode()
    pbx.refresh_from_db()
    saved = pbx.characteristics["handsets"]
    assert len(saved) == 200  # the blank row the grid started with is replaced, not kept
    assert saved[0] == {
        "extension": "1001",
        "user_name": "User 1",
        "model": "yealink-t33g",
        "group": "Sales",
        "features": ["voicemail"],
    }
    assert (pbx.one_off_price, pbx.recurring_price) == (Decimal("9150.00"), Decimal("1309.50"))
    assert "£1,309.50" in response.content.decode()


def test_a_paste_is_added_after_the_rows_there_or_replaces_them(signed_in, draft, pbx):
    paste = {"capture-paste": f"i{pbx.pk}-c-handsets", f"i{pbx.pk}-c-handsets-paste": "yealink-t54w\t300\tAnn\tSales"}
    signed_in.post(configure_url(draft), posted(pbx, handsets(2), **paste))
    pbx.refresh_from_db()
    assert [h["extension"] for h in pbx.characteristics["handsets"]] == ["200", "201", "300"]

    signed_in.post(configure_url(draft), posted(pbx, handsets(2), **paste, **{f"i{pbx.pk}-c-handsets-replace": "on"}))
    pbx.refresh_from_db()
    assert [h["extension"] for h in pbx.characteristics["handsets"]] == ["300"]


def test_a_sheet_beyond_the_groups_maximum_is_refused_whole_and_says_why(signed_in, draft, pbx):
    data = posted(
        pbx, handsets(3), **{"capture-paste": f"i{pbx.pk}-c-handsets", f"i{pbx.pk}-c-handsets-paste": sheet(498)}
    )

    response = signed_in.post(configure_url(draft), data)

    message = (
        "The sheet has 498 handsets and at most 500 are allowed. With the 3 already here that makes 501. "
        "Nothing was added: paste fewer rows, or replace the ones here."
    )
    assert summary(response) == [(f"Item 1 · Handsets from a spreadsheet: {message}", f"id_i{pbx.pk}-c-handsets-paste")]
    assert f'id="id_i{pbx.pk}-c-handsets-paste"' in response.content.decode()
    pbx.refresh_from_db()
    assert len(pbx.characteristics["handsets"]) == 3  # what the grid held is saved, nothing of the sheet
    assert "1001\tUser 1" in response.content.decode()  # the sheet is shown again to be trimmed


def test_a_csv_file_is_imported_like_a_paste(signed_in, draft, pbx):
    upload = SimpleUploadedFile(
        "handsets.csv", "Extension,User,Model,User group\r\n401,Zoë,softphone,Sales\r\n".encode("cp1252")
    )
    data = posted(pbx, [{}], **{"capture-paste": f"i{pbx.pk}-c-handsets", f"i{pbx.pk}-c-handsets-csv": upload})

    response = signed_in.post(configure_url(draft), data)

    assert response.status_code == 200
    pbx.refresh_from_db()
    assert pbx.characteristics["handsets"] == [
        {"extension": "401", "user_name": "Zoë", "model": "softphone", "group": "Sales"}
    ]


def test_the_step_costs_the_same_queries_for_10_or_500_handsets(
    signed_in, draft, pbx, agent, django_assert_max_num_queries
):
    from orders.services import update_item

    for count in (10, 500):
        update_item(pbx, by=agent, characteristics=posted_document(handsets(count)))
        signed_in.get(configure_url(draft))  # the session's first touch
        with django_assert_max_num_queries(10):
            response = signed_in.get(configure_url(draft))
        assert len(re.findall(rf'name="i{pbx.pk}-c-handsets" value="\d+"', response.content.decode())) == count
        with django_assert_max_num_queries(20):
            response = signed_in.post(configure_url(draft), posted(pbx, handsets(count, start=1000)))
        assert response.status_code == 302


def posted_document(rows):
    return {
        "main_number": "+44 1632 960200",
        "user_groups": [{"name": "Sales", "hunt_pattern": "simultaneous"}],
        "handsets": rows,
    }


def test_in_self_service_copying_or_pasting_rows_shows_the_page_again_instead_of_going_on(client, db):
    from orders.models import Order
    from tests.selfservice_helpers import customer_login, fibre_offering, signed_in

    alice = customer_login()
    mesh = fibre_offering()
    mesh.data_requirements = mesh.data_requirements + [
        {"name": "rooms", "label": "Rooms", "type": "group", "fields": [{"name": "room", "type": "text"}]}
    ]
    mesh.save()
    signed_in(client, alice).post(reverse("selfservice:my-order-new"), {"offering": mesh.pk})
    order = Order.objects.get()
    prefix = f"i{order.items.get().pk}-c"
    details_url = reverse("selfservice:my-order-details", args=[order.number])
    valid = {f"{prefix}-router": "hub-6", f"{prefix}-rooms": "0", f"{prefix}-rooms-0-room": "Office"}

    copied = client.post(details_url, valid | {"capture-copy": f"{prefix}-rooms-0"})
    assert copied.status_code == 200
    assert order.items.get().characteristics["rooms"] == [{"room": "Office"}, {"room": "Office"}]

    pasted = client.post(details_url, valid | {"capture-paste": f"{prefix}-rooms", f"{prefix}-rooms-paste": "Den"})
    assert pasted.status_code == 200
    assert order.items.get().characteristics["rooms"] == [{"room": "Office"}, {"room": "Den"}]
    assert f'name="{prefix}-rooms-csv"' not in pasted.content.decode()  # that form uploads no file


def test_the_catalog_says_what_each_handset_adds_to_the_price(signed_in, catalog):
    from tests.selfservice_helpers import text_of

    home = text_of(signed_in.get(reverse("console:agent-home")))

    assert "Hosted Voice PBX" in home
    assert "+ £6.50 a month and £45.00 one-off per handset" in home
