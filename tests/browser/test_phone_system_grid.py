"""Business phone systems at their real size (issue 16): handsets captured in a grid, 200 at a time from a sheet.

Set SCREENSHOTS_DIR=/some/dir to keep a full-page PNG of the grid with ten rows, with errors, and filled.
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from orders.models import Order, OrderState
from tests.browser.test_accessibility import axe_problems
from tests.browser.test_agent_journeys import console, shop  # noqa: F401  (the journeys' fixtures)
from tests.browser.test_screens import SCREENSHOTS_DIR, snapshot

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("manual_downstream")]

MODELS = ["Yealink T54W desk phone", "yealink-t33g", "Softphone app (no hardware)"]


def look(page, name):
    """The whole page, and what the agent sees of it at once (a 200-row page is too tall to read whole)."""
    snapshot(page, name)
    if SCREENSHOTS_DIR:
        page.screenshot(path=f"{SCREENSHOTS_DIR}/{name}_viewport.png")


def cell(page, name):
    """An input of the grid by its row and column: "Handset 3 › Extension".

    Read by its aria-label rather than by get_by_label: working out the accessible name of every one
    of 200 rows' inputs outran the timeout on a loaded machine (axe checks the names are there).
    """
    return page.locator(f'[aria-label="{name}"]:is(input, select, textarea)')


def handset_sheet(count, *, bad=None):
    """What an agent copies from the customer's spreadsheet: a header in its own order, tab-separated."""
    bad = bad or {}
    lines = ["User\tExtension\tModel\tUser group\tFeatures"]
    for number in range(1, count + 1):
        extension = bad.get(number, str(2000 + number))
        group = "sales" if number % 2 else "Support"  # group names in any case
        features = "Voicemail; call_recording" if number % 3 == 0 else "voicemail"
        lines.append(f"User {number}\t{extension}\t{MODELS[number % 3]}\t{group}\t{features}")
    return "\n".join(lines)


def start_pbx_order(agent, page, shop, live_server):  # noqa: F811
    page.goto(f"{live_server.url}/agent/customers/{shop.harbourside.number}/")
    agent.click(page.get_by_role("link", name="New order").first)
    agent.choose(page.get_by_label("What led to this order"), "sales_proposal")
    agent.click(page.get_by_role("button", name="Start the order"))
    agent.click(page.get_by_role("button", name="Add Hosted Voice PBX"))
    agent.click(page.get_by_role("link", name="Continue"))
    agent.fill(page.get_by_label(re.compile(r"^Main business number")), "+44 1632 960200")
    agent.fill(cell(page, "User group 1 › Group name"), "Sales")
    agent.choose(cell(page, "User group 1 › Ringing pattern"), "simultaneous")
    agent.click(page.get_by_role("button", name="Add user group"))
    agent.fill(cell(page, "User group 2 › Group name"), "Support")
    agent.choose(cell(page, "User group 2 › Ringing pattern"), "sequential")


def paste_handsets(agent, page, text):
    agent.click(page.get_by_text("Paste handsets from a spreadsheet or a CSV file"))
    agent.fill(page.get_by_label("Handsets to paste"), text)
    agent.click(page.get_by_role("button", name="Fill the grid"))


def test_an_agent_pastes_200_handsets_fixes_the_two_bad_ones_in_the_grid_and_submits(
    console,  # noqa: F811
    page,
    shop,  # noqa: F811
    live_server,
):
    agent = console
    page.set_viewport_size({"width": 1280, "height": 900})
    start_pbx_order(agent, page, shop, live_server)
    paste_handsets(agent, page, handset_sheet(200, bad={57: "57", 120: "2001"}))

    summary = page.locator("#error-summary")
    expect(summary.get_by_role("heading")).to_have_text("2 things to fix")
    short = summary.get_by_role("link", name="Item 1 · Handset 57 › Extension: Must be 3 or 4 digits.")
    expect(short).to_be_visible()
    duplicate = "Item 1 · Handset 120 › Extension: Already used in Handset 1."
    expect(summary.get_by_role("link", name=duplicate)).to_be_visible()
    filled = "200 handsets filled in from the sheet and saved. 2 of the rows need fixing"
    expect(page.get_by_text(filled)).to_be_visible()
    expect(cell(page, "Handset 200 › User")).to_have_value("User 200")
    expect(cell(page, "Handset 2 › Model")).to_have_value("softphone")  # matched by its label
    expect(cell(page, "Handset 2 › User group")).to_have_value("Support")
    # The price follows the handsets: £9.50 + 200 × £6.50 a month, £150 + 200 × £45 one-off.
    price = page.locator("[data-live-price]")
    expect(price).to_contain_text("£1,309.50 a month")
    expect(price).to_contain_text("£9,150.00 one-off")
    expect(price).to_contain_text("includes 200 handsets")
    look(page, "grid_200_pasted_with_two_errors")
    assert axe_problems(page) == []  # errors shown in 200 rows included

    # Each error links to its cell; the agent fixes both there.
    agent.click(short)
    fifty_seventh = cell(page, "Handset 57 › Extension")
    expect(fifty_seventh).to_be_focused()
    look(page, "grid_200_at_the_error")
    expect(fifty_seventh).to_have_attribute("aria-invalid", "true")
    agent.fill(fifty_seventh, "2057")
    agent.fill(cell(page, "Handset 120 › Extension"), "2120")
    agent.click(page.get_by_role("button", name="Save and continue"))
    agent.click(page.get_by_role("button", name="Save and review"))
    expect(page.get_by_role("heading", name="Ready to submit")).to_be_visible()
    expect(page.get_by_text("£1,309.50").first).to_be_visible()
    agent.click(page.get_by_role("button", name="Submit order"))

    expect(page.get_by_role("heading", name="Issued")).to_be_visible()
    assert agent.interactions <= 25, f"{agent.interactions} interactions"
    order = Order.objects.get(customer=shop.harbourside)
    item = order.items.get()
    handsets = item.characteristics["handsets"]
    assert len(handsets) == 200
    assert (handsets[56]["extension"], handsets[119]["extension"]) == ("2057", "2120")
    assert handsets[2]["features"] == ["voicemail", "call_recording"]
    assert (item.one_off_price, item.recurring_price) == (Decimal("9150.00"), Decimal("1309.50"))
    assert order.state != OrderState.DRAFT


def test_the_grid_is_worked_by_keyboard_and_its_price_follows_the_rows(
    console,  # noqa: F811
    page,
    shop,  # noqa: F811
    live_server,
):
    agent = console
    page.set_viewport_size({"width": 1280, "height": 900})
    start_pbx_order(agent, page, shop, live_server)
    price = page.locator("[data-live-price]")
    expect(price).to_contain_text("£16.00 a month")  # one (blank) handset row: £9.50 + £6.50

    cell(page, "Handset 1 › Model").focus()
    page.keyboard.press("ArrowDown")  # a select takes the keyboard: the first model
    for name in ("Handset 1 › Extension", "Handset 1 › User", "Handset 1 › User group"):
        page.keyboard.press("Tab")
        expect(cell(page, name)).to_be_focused()
    page.keyboard.type("S")  # "Choose a user group…" → Sales
    expect(cell(page, "Handset 1 › User group")).to_have_value("Sales")
    cell(page, "Handset 1 › Extension").focus()
    page.keyboard.type("201")
    page.keyboard.press("Tab")
    page.keyboard.type("Ann Lee")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the features cell: a summary that opens a list of boxes
    features = page.locator("summary", has_text="Handset 1 › Features")
    expect(features).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_role("checkbox", name="Voicemail").first).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Escape")
    expect(features).to_be_focused()
    expect(features).to_contain_text("Voicemail")
    page.keyboard.press("Tab")  # speed dials: a cell that opens their own grid
    expect(page.locator("summary", has_text="Handset 1 › Speed dials")).to_be_focused()
    page.keyboard.press("Tab")
    copy = page.get_by_role("button", name="Copy Handset 1")
    expect(copy).to_be_focused()
    page.keyboard.press("Enter")

    # The copy keeps the model, user group and features and asks for its own extension.
    second_extension = cell(page, "Handset 2 › Extension")
    expect(second_extension).to_be_focused()
    expect(second_extension).to_have_value("")
    expect(cell(page, "Handset 2 › User group")).to_have_value("Sales")
    expect(page.locator("summary", has_text="Handset 2 › Features")).to_contain_text("Voicemail")
    expect(price).to_contain_text("£22.50 a month")
    expect(price).to_contain_text("£240.00 one-off")
    page.keyboard.type("202")
    # Two handsets used to make a 2,700-pixel page; as grid rows they are two lines of it.
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 1500, f"{height} px with two handsets"
    look(page, "grid_two_handsets")

    # Speed dials: a cell that opens the handset's own grid of them.
    page.locator("summary", has_text="Handset 1 › Speed dials").click()
    page.get_by_role("button", name="Add speed dial").first.click()
    expect(cell(page, "Handset 1 › Speed dial 1 › Label")).to_be_focused()
    page.keyboard.type("Reception")
    page.keyboard.press("Tab")
    page.keyboard.type("+44 1632 960300")
    expect(page.locator("summary", has_text="Handset 1 › Speed dials")).to_contain_text("1 speed dial")
    look(page, "grid_speed_dials_open")
    page.keyboard.press("Escape")

    # Eight more from a sheet: ten rows, shown for a look at 1280 px.
    paste_handsets(agent, page, "\n".join(f"Yealink T33G desk phone,2{n:02d},User {n},Sales" for n in range(3, 11)))
    expect(page.locator("#error-summary")).to_have_count(0)
    expect(cell(page, "Handset 10 › Extension")).to_have_value("210")
    expect(cell(page, "Handset 2 › Extension")).to_have_value("202")
    expect(price).to_contain_text("£74.50 a month")
    saved = Order.objects.get(customer=shop.harbourside).items.get().characteristics["handsets"]
    assert saved[0]["speed_dials"] == [{"label": "Reception", "number": "+44 1632 960300"}]
    look(page, "grid_ten_handsets")
    assert axe_problems(page) == []

    remove = page.get_by_role("button", name="Remove Handset 10")
    remove.focus()
    page.keyboard.press("Enter")
    expect(cell(page, "Handset 10 › Extension")).to_have_count(0)
    expect(price).to_contain_text("£68.00 a month")


def fits_the_window(page) -> None:
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"the page scrolls sideways: {width} px wide in a {inner} px window"


def test_on_a_phone_each_handset_is_a_card_and_the_page_never_scrolls_sideways(
    console,  # noqa: F811
    page,
    shop,  # noqa: F811
    live_server,
):
    agent = console
    page.set_viewport_size({"width": 390, "height": 844})
    start_pbx_order(agent, page, shop, live_server)
    fits_the_window(page)

    # An open panel used to let the 1,000-pixel table spill across the page; now it opens inside the card.
    page.locator("summary", has_text="Handset 1 › Features").click()
    page.get_by_role("checkbox", name="Voicemail").first.check()
    fits_the_window(page)
    page.keyboard.press("Escape")
    page.locator("summary", has_text="Handset 1 › Speed dials").click()
    page.get_by_role("button", name="Add speed dial").first.click()
    expect(cell(page, "Handset 1 › Speed dial 1 › Label")).to_be_focused()
    fits_the_window(page)
    look(page, "grid_phone_speed_dials_open")
    page.keyboard.press("Escape")

    paste_handsets(agent, page, handset_sheet(4, bad={2: "57"}))
    expect(page.get_by_text("4 handsets filled in from the sheet and saved.")).to_be_visible()
    fits_the_window(page)
    # The sheet's rows follow the first handset, so its second row is Handset 3. Each card names itself and
    # its cells, as the grid's header row does on a wider screen.
    third = page.locator("tr[data-row]", has=cell(page, "Handset 3 › Extension"))
    title = third.locator(":scope > th [data-row-title]")
    expect(title).to_have_text("Handset 3")
    assert title.bounding_box()["width"] > 40  # shown, no longer only read out
    assert (
        third.locator(":scope > td[data-label='Extension']").evaluate(
            "cell => getComputedStyle(cell, '::before').content"
        )
        == '"Extension *"'
    )
    box = third.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    expect(cell(page, "Handset 3 › Extension")).to_have_attribute("aria-invalid", "true")
    look(page, "grid_phone_pasted_with_an_error")
    assert axe_problems(page) == []


def test_on_a_tablet_an_open_panel_stays_inside_the_grid_and_the_page_never_scrolls_sideways(
    console,  # noqa: F811
    page,
    shop,  # noqa: F811
    live_server,
):
    page.set_viewport_size({"width": 1024, "height": 900})
    start_pbx_order(console, page, shop, live_server)

    page.locator("summary", has_text="Handset 1 › Features").click()
    fits_the_window(page)
    page.keyboard.press("Escape")
    page.locator("summary", has_text="Handset 1 › Speed dials").click()
    add = page.get_by_role("button", name="Add speed dial").first
    expect(add).to_be_in_viewport()  # the grid scrolled its own box to show the panel
    fits_the_window(page)
    look(page, "grid_tablet_speed_dials_open")
    add.click()
    expect(cell(page, "Handset 1 › Speed dial 1 › Label")).to_be_focused()
    fits_the_window(page)
