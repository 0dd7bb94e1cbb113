"""The supervisor's back office in Chromium: refusing an order is confirmed first, showing what the customer reads."""

import pytest
from playwright.sync_api import expect

from orders.models import Order, OrderState
from tests.factories import PASSWORD, OfferingFactory, OrderFactory, OrderItemFactory, SupervisorFactory

pytestmark = pytest.mark.browser

ROUTER = {
    "name": "router",
    "label": "Router model",
    "type": "choice",
    "choices": [{"value": "hub-6", "label": "Home Hub 6"}],
}


def test_a_supervisor_refuses_a_held_order_after_seeing_what_the_customer_will_read(login, page, live_server):
    supervisor = SupervisorFactory(username="jo.s", first_name="Jo", last_name="Supervisor")
    order = OrderFactory(
        state=OrderState.HELD,
        needs_special_handling=True,
        special_handling_reasons=["Bespoke item 1: Fibre to the depot"],
    )
    OrderItemFactory(
        order=order,
        offering=OfferingFactory(name="Fibre to the depot", data_requirements=[ROUTER]),
        is_bespoke=True,
        characteristics={"router": "hub-6"},
    )
    login(supervisor.username, PASSWORD)

    page.goto(f"{live_server.url}/admin/")
    page.get_by_role("link", name="1", exact=True).first.click()  # the review queue's count
    page.get_by_role("link", name=order.number).click()
    expect(page.get_by_text("Router model:")).to_be_visible()
    expect(page.get_by_text("Home Hub 6")).to_be_visible()
    expect(page.get_by_label("Result")).to_have_value("")  # feasibility: nothing chosen for the supervisor

    page.get_by_label("Reason (the customer sees it)").fill("No fibre reaches the depot before March.")
    page.get_by_role("button", name="Refuse", exact=True).click()

    expect(page.get_by_role("heading", name=f"Refuse {order.number} and cancel it?")).to_be_visible()
    expect(page.get_by_text("Refused: No fibre reaches the depot before March.")).to_be_visible()
    assert Order.objects.get(pk=order.pk).state == OrderState.HELD  # nothing changed yet

    page.get_by_role("link", name="Go back: change nothing").click()
    expect(page.get_by_role("heading", name=order.number)).to_be_visible()
    assert Order.objects.get(pk=order.pk).state == OrderState.HELD

    page.get_by_label("Reason (the customer sees it)").fill("No fibre reaches the depot before March.")
    page.get_by_role("button", name="Refuse", exact=True).click()
    page.get_by_role("button", name="Refuse and cancel the order").click()

    expect(page.get_by_text(f"{order.number} refused and cancelled; the customer can see the reason.")).to_be_visible()
    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED
    assert order.notes.get().text == "Refused: No fibre reaches the depot before March."
