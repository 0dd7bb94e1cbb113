"""The customer's own pages at /my/: follow orders, answer, cancel, sign off, change products, order.

The builders (a customer login at a validated address, offerings with fulfilment plans, orders placed
through the real commands) live in tests/selfservice_helpers.py, shared with test_isolation.py and the browser journeys.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import Channel, ProductStatus
from orders import outbox
from orders.fulfilment import orchestration
from orders.models import (
    CancellationRequest,
    InformationRequest,
    ItemIntent,
    Order,
    OrderNote,
    OrderState,
)
from orders.selectors import order_page_for_customer
from orders.services import (
    add_item,
    add_note,
    create_change_order,
    submit_order,
)
from ordersite.selfservice.wording import STATE_LABELS, state_label
from tests.factories import (
    AgentFactory,
    InstalledProductFactory,
    OfferingFactory,
)
from tests.selfservice_helpers import (
    NO_FIBRE_STREET,
    ask,
    awaiting_signoff,
    bespoke_offering,
    customer_login,
    deliver,
    fibre_offering,
    fibre_order,
    mobile_offering,
    mobile_order,
    place_order,
    signed_in,
    text_of,
    validated_address,
)

pytestmark = pytest.mark.django_db

# --- words for customers -------------------------------------------------------------------------


def test_every_order_state_has_a_customer_friendly_name():
    assert set(STATE_LABELS) == set(OrderState.values)
    order = Order(state=OrderState.HELD, needs_special_handling=True)
    assert state_label(order) == "Being reviewed"
    order.needs_special_handling = False
    assert state_label(order) == "We're working on an issue"


# --- my orders -----------------------------------------------------------------------------------


def test_my_orders_lists_my_orders_only_with_friendly_states(client):
    alice, bob = customer_login(), customer_login("Bob Hughes")
    agent = AgentFactory()
    mine = fibre_order(agent, alice.customer)
    draft = mobile_order(agent, alice.customer, submit=False)
    theirs = mobile_order(agent, bob.customer)

    page = text_of(signed_in(client, alice).get(reverse("selfservice:my-orders")))

    assert mine.number in page and "In progress" in page and "Fibre Broadband 500" in page
    assert draft.number in page and "Not sent yet" in page
    assert theirs.number not in page


def test_my_orders_can_show_open_or_finished_orders(client):
    alice = customer_login()
    agent = AgentFactory()
    open_order = fibre_order(agent, alice.customer)
    finished = deliver(mobile_order(agent, alice.customer))
    assert finished.state == OrderState.COMPLETED
    signed_in(client, alice)

    open_page = text_of(client.get(reverse("selfservice:my-orders") + "?show=open"))
    closed_page = text_of(client.get(reverse("selfservice:my-orders") + "?show=closed"))

    assert open_order.number in open_page and finished.number not in open_page
    assert finished.number in closed_page and "Done" in closed_page and open_order.number not in closed_page


@pytest.mark.parametrize("count", [1, 6])
def test_my_orders_costs_the_same_queries_however_many_orders(client, django_assert_num_queries, count):
    alice = customer_login()
    agent = AgentFactory()
    for _ in range(count):
        order = fibre_order(agent, alice.customer, submit=False)
        add_item(order, by=agent, offering=mobile_offering(code=f"m-{order.pk}"), characteristics={"sim_type": "esim"})
    ask(fibre_order(agent, alice.customer))
    signed_in(client, alice)

    # session, user, customer, count, orders, their items; the session saved (3)
    with django_assert_num_queries(9):
        response = client.get(reverse("selfservice:my-orders"))
    assert response.status_code == 200


@pytest.mark.parametrize("extra_items", [0, 4])
def test_an_order_page_costs_the_same_queries_however_big_the_order(client, django_assert_num_queries, extra_items):
    alice = customer_login()
    agent = AgentFactory()
    order = fibre_order(agent, alice.customer, submit=False)
    for index in range(extra_items):
        add_item(order, by=agent, offering=mobile_offering(code=f"m-{index}"), characteristics={"sim_type": "physical"})
    submit_order(order, by=agent)
    ask(order)
    add_note(order, by=agent, text="We'll call before the visit.", customer_visible=True)
    signed_in(client, alice)

    # session, user, customer, the order, its items, events, questions, cancellations, notes, tasks,
    # sign-offs; the plans' steps and the customer's addresses (where the SIMs are posted); the session saved (3)
    with django_assert_num_queries(15):
        response = client.get(reverse("selfservice:my-order", args=[order.number]))
    assert response.status_code == 200


def test_an_order_page_shows_what_happened_and_what_comes_next(client):
    alice = customer_login()
    order = fibre_order(AgentFactory(username="sam.taylor"), alice.customer)
    orchestration.dispatch_ready_tasks(order)
    orchestration.record_task_result(order.tasks.get(code="ship-router"), succeeded=True)

    page = text_of(signed_in(client, alice).get(reverse("selfservice:my-order", args=[order.number])))

    assert "In progress" in page
    assert "What comes next" in page and "What happened" in page
    assert "Book engineer visit" in page and "Under way" in page  # dispatched now
    assert "Activate fibre line" in page and "Start billing" in page  # still to come
    assert "Ship router" in page  # done
    order.refresh_from_db()
    assert f"Expected by {order.expected_completion_date:%A %-d %B %Y}" in page
    assert "We started this order for you" in page and "We received your order" in page
    assert "£37.99" in page and "£29.00" in page and "Home Hub 6" in page
    assert "sam.taylor" not in page  # staff are "us"


def test_an_order_page_shows_customer_visible_notes_only(client):
    alice = customer_login()
    agent = AgentFactory()
    order = fibre_order(agent, alice.customer)
    add_note(order, by=agent, text="Engineer booked for Tuesday morning.", customer_visible=True)
    add_note(order, by=agent, text="Customer was rude on the phone; internal only.")

    page = text_of(signed_in(client, alice).get(reverse("selfservice:my-order", args=[order.number])))

    assert "Engineer booked for Tuesday morning." in page
    assert "internal only" not in page


def test_a_rejected_order_says_why(client):
    alice = customer_login(street=NO_FIBRE_STREET)
    order = place_order(AgentFactory(), alice.customer, fibre_offering(), {"router": "hub-6"}, submit=False)
    submit_order(order, by=AgentFactory(), reject_if_incomplete=True)

    page = text_of(signed_in(client, alice).get(reverse("selfservice:my-order", args=[order.number])))

    assert "Not accepted" in page and "We couldn't accept this order" in page
    assert "Fibre Broadband 500 is not available at" in page
    assert "items[0]" not in page and "install_address" not in page  # no field paths for customers


def test_order_numbers_are_read_whatever_their_case(client):
    alice = customer_login()
    order = fibre_order(AgentFactory(), alice.customer)
    response = signed_in(client, alice).get(f"/my/orders/{order.number.lower()}/")
    assert response.status_code == 200


# --- questions -----------------------------------------------------------------------------------


def test_answering_a_question_moves_the_order_on(client):
    alice = customer_login()
    order = fibre_order(AgentFactory(), alice.customer)
    ask(order, "Which floor is the flat on?")
    signed_in(client, alice)

    page = text_of(client.get(reverse("selfservice:my-order", args=[order.number])))
    assert "Waiting for you" in page and "Which floor is the flat on?" in page and "Answer now" in page

    response = client.post(reverse("selfservice:my-order-answer", args=[order.number]), {"answer": "Second floor"})

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.IN_PROGRESS
    question = order.information_requests.get()
    assert question.answer == "Second floor" and question.answered_by == alice
    page = text_of(client.get(response.url))
    assert "we have your answer" in page and "You answered" in page and "Second floor" in page


def test_an_empty_answer_is_refused_and_changes_nothing(client):
    alice = customer_login()
    order = fibre_order(AgentFactory(), alice.customer)
    ask(order)

    response = signed_in(client, alice).post(
        reverse("selfservice:my-order-answer", args=[order.number]), {"answer": " "}
    )

    assert response.status_code == 200
    assert "Write your answer before sending it." in text_of(response)
    order.refresh_from_db()
    assert order.state == OrderState.PENDING and order.information_requests.get().is_open


def test_an_answer_to_an_order_no_longer_waiting_is_refused_clearly(client):
    alice = customer_login()
    order = fibre_order(AgentFactory(), alice.customer)

    response = signed_in(client, alice).post(
        reverse("selfservice:my-order-answer", args=[order.number]), {"answer": "Hello"}, follow=True
    )

    assert "has no open question" in text_of(response)
    assert not InformationRequest.objects.exists()


# --- cancellation --------------------------------------------------------------------------------


def test_cancelling_before_the_point_of_no_return_cancels_the_order(client):
    alice = customer_login()
    order = mobile_order(AgentFactory(), alice.customer)  # the SIM has not shipped: nothing past no return
    signed_in(client, alice)

    page = text_of(client.get(reverse("selfservice:my-order-cancel", args=[order.number])))
    assert "Cancel order" in page and "Why do you want to cancel?" in page

    response = client.post(reverse("selfservice:my-order-cancel", args=[order.number]), {"reason": "Changed my mind"})

    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED
    cancellation = order.cancellation_requests.get()
    assert (cancellation.state, cancellation.channel, cancellation.requested_by) == (
        CancellationRequest.State.DONE,
        Channel.SELF_SERVICE,
        alice,
    )
    page = text_of(client.get(response.url))
    assert "is cancelled" in page and "You asked to cancel" in page and "Changed my mind" in page


def test_cancelling_needs_a_reason(client):
    alice = customer_login()
    order = mobile_order(AgentFactory(), alice.customer)

    response = signed_in(client, alice).post(reverse("selfservice:my-order-cancel", args=[order.number]), {})

    assert response.status_code == 200 and "Tell us briefly why" in text_of(response)
    order.refresh_from_db()
    assert order.state == OrderState.IN_PROGRESS and not order.cancellation_requests.exists()


def test_after_the_point_of_no_return_cancelling_is_refused_clearly(client, settings):
    settings.SIMULATOR_DELAY_SECONDS = 3600  # field service has the booking and has not answered yet
    alice = customer_login()
    order = fibre_order(AgentFactory(), alice.customer)
    outbox.hand_over_tasks()  # the engineer booking, the point of no return, reaches field service
    signed_in(client, alice)

    detail = text_of(client.get(reverse("selfservice:my-order", args=[order.number])))
    assert "Cancel this order" not in detail and "can no longer be cancelled" in detail
    page = text_of(client.get(reverse("selfservice:my-order-cancel", args=[order.number])))
    assert "too late to cancel" in page

    # A request sent anyway (an old page, a second tab) gets the service's refusal, worded for the customer.
    response = client.post(
        reverse("selfservice:my-order-cancel", args=[order.number]), {"reason": "Too slow"}, follow=True
    )

    order.refresh_from_db()
    assert order.state == OrderState.IN_PROGRESS
    assert order.cancellation_requests.get().state == CancellationRequest.State.REJECTED
    page = text_of(response)
    assert "We couldn't cancel" in page
    assert "Work on Fibre Broadband 500 has passed the point where it can be stopped" in page


def test_orders_that_are_done_offer_no_cancellation(client):
    alice = customer_login()
    order = deliver(mobile_order(AgentFactory(), alice.customer))
    signed_in(client, alice)

    response = client.post(reverse("selfservice:my-order-cancel", args=[order.number]), {"reason": "x"}, follow=True)

    assert "can't be cancelled now" in text_of(response)
    assert not order.cancellation_requests.exists()


def test_an_order_delivered_and_awaiting_sign_off_offers_no_cancellation_and_says_why(client):
    alice = customer_login()
    order = awaiting_signoff(alice.customer)
    signed_in(client, alice)

    detail = text_of(client.get(reverse("selfservice:my-order", args=[order.number])))
    assert "Sign off delivery" in detail and "Cancel this order" not in detail
    assert "Everything in this order is delivered, so it can no longer be cancelled" in detail
    assert "say so when you sign off" in detail

    # A request sent anyway (an old page, a second tab) is turned away with the same reason, and nothing is stored.
    response = client.post(reverse("selfservice:my-order-cancel", args=[order.number]), {"reason": "x"}, follow=True)

    assert "so it can no longer be cancelled" in text_of(response)
    order.refresh_from_db()
    assert (order.state, order.awaiting_signoff) == (OrderState.PENDING, True)
    assert not order.cancellation_requests.exists()


# --- sign-off ------------------------------------------------------------------------------------


def test_signing_off_a_delivery_completes_the_order(client):
    alice = customer_login()
    order = awaiting_signoff(alice.customer)
    signed_in(client, alice)

    detail = text_of(client.get(reverse("selfservice:my-order", args=[order.number])))
    assert "Waiting for you" in detail and "Sign off delivery" in detail
    form = text_of(client.get(reverse("selfservice:my-order-signoff", args=[order.number])))
    assert "Would you like training?" in form

    training_day = timezone.localdate() + dt.timedelta(days=5)
    response = client.post(
        reverse("selfservice:my-order-signoff", args=[order.number]),
        {"test_result": "passed", "accepted": "on", "training": "scheduled", "training_date": training_day.isoformat()},
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED
    signoff = order.signoffs.get()
    assert (signoff.signed_by, signoff.training, signoff.training_date) == (alice, "scheduled", training_day)
    assert alice.customer.products.get().status == ProductStatus.ACTIVE
    page = text_of(client.get(response.url))
    assert "Done" in page and "You signed off the delivery" in page


def test_a_sign_off_that_is_not_accepted_needs_remarks_and_goes_back_to_us(client):
    alice = customer_login()
    order = awaiting_signoff(alice.customer)
    url = reverse("selfservice:my-order-signoff", args=[order.number])
    signed_in(client, alice)

    refused = client.post(url, {"test_result": "failed", "accepted": "on", "training": "declined"})
    assert refused.status_code == 200
    assert "can't accept a delivery whose test failed" in text_of(refused)
    assert "Tell us what you noticed" in text_of(refused)
    assert not order.signoffs.exists()

    client.post(url, {"test_result": "failed", "remarks": "No dial tone", "training": "declined"})

    order.refresh_from_db()
    assert order.state == OrderState.HELD
    assert order.signoffs.get().remarks == "No dial tone"
    page = text_of(client.get(reverse("selfservice:my-order", args=[order.number])))
    assert "You reported a problem with the delivery" in page


def test_an_order_not_waiting_for_a_sign_off_cannot_be_signed_off(client):
    alice = customer_login()
    order = fibre_order(AgentFactory(), alice.customer)

    response = signed_in(client, alice).post(
        reverse("selfservice:my-order-signoff", args=[order.number]), {"test_result": "passed", "accepted": "on"}
    )

    assert response.status_code == 302
    assert not order.signoffs.exists()


# --- my products ---------------------------------------------------------------------------------


def test_my_products_offer_the_actions_their_status_allows(client):
    alice = customer_login()
    mobile = mobile_offering()
    InstalledProductFactory(customer=alice.customer, offering=mobile, name="Work phone", status="active")
    InstalledProductFactory(customer=alice.customer, offering=mobile, name="Holiday phone", status="suspended")
    InstalledProductFactory(customer=alice.customer, offering=mobile, name="Old phone", status="terminated")

    page = signed_in(client, alice).get(reverse("selfservice:my-products")).content.decode()

    assert "Change settings" in page and "Suspend" in page and ">Resume<" in page
    assert "Products you no longer have" in page and "Old phone" in page
    active = page.index("Work phone")
    assert 'Resume<span class="visually-hidden"> Work phone' not in page[active:]


def test_a_product_cancelled_before_delivery_is_not_among_my_products(client):
    alice = customer_login()
    mobile = mobile_offering()
    InstalledProductFactory(customer=alice.customer, offering=mobile, name="Work phone", status="active")
    InstalledProductFactory(customer=alice.customer, offering=mobile, name="Never delivered", status="cancelled")
    signed_in(client, alice)

    for page in (reverse("selfservice:my-products"), reverse("selfservice:my-home")):
        text = text_of(client.get(page))
        assert "Work phone" in text and "Never delivered" not in text


def test_suspending_a_product_sends_a_self_service_order(client):
    alice = customer_login()
    product = InstalledProductFactory(
        customer=alice.customer, offering=mobile_offering(), name="Work phone", characteristics={"sim_type": "esim"}
    )
    url = reverse("selfservice:my-product-action", args=[product.pk, "suspend"])
    signed_in(client, alice)
    assert "Suspend Work phone" in text_of(client.get(url))

    response = client.post(url, {"reason": "Travelling for three months"})

    order = Order.objects.get(customer=alice.customer)
    assert response.url == reverse("selfservice:my-order", args=[order.number])
    assert (order.channel, order.state, order.captured_by) == (Channel.SELF_SERVICE, OrderState.IN_PROGRESS, alice)
    item = order.items.get()
    assert (item.intent, item.product) == (ItemIntent.SUSPEND, product)
    assert order.initiating_request.details == "Travelling for three months"
    page = text_of(client.get(response.url))
    assert "Your request to suspend Work phone is confirmed" in page and "Suspend Work phone" in page
    assert "Your note Travelling for three months" in page


def test_a_suspension_done_downstream_shows_the_product_suspended(client):
    alice = customer_login()
    product = InstalledProductFactory(
        customer=alice.customer, offering=mobile_offering(), name="Work phone", characteristics={"sim_type": "esim"}
    )
    signed_in(client, alice).post(reverse("selfservice:my-product-action", args=[product.pk, "suspend"]), {})

    deliver(Order.objects.get(customer=alice.customer))

    page = text_of(client.get(reverse("selfservice:my-products")))
    assert "Suspended" in page and "Resume" in page


def test_changing_settings_is_validated_against_the_catalog(client):
    alice = customer_login()
    product = InstalledProductFactory(
        customer=alice.customer, offering=mobile_offering(), characteristics={"sim_type": "physical"}
    )
    url = reverse("selfservice:my-product-action", args=[product.pk, "change"])
    signed_in(client, alice)

    same = client.post(url, {"c-sim_type": "physical"})
    assert "Nothing has changed yet" in text_of(same)
    wrong = client.post(url, {"c-sim_type": "esim", "c-spend_cap": "9000"})
    assert wrong.status_code == 200 and "500" in text_of(wrong)
    assert not Order.objects.exists()

    client.post(url, {"c-sim_type": "esim", "c-spend_cap": "25"})

    item = Order.objects.get().items.get()
    assert (item.intent, item.characteristics) == (ItemIntent.CHANGE, {"sim_type": "esim", "spend_cap": 25})


def test_ending_a_product_needs_a_confirmation(client):
    alice = customer_login()
    product = InstalledProductFactory(
        customer=alice.customer, offering=mobile_offering(), characteristics={"sim_type": "esim"}
    )
    url = reverse("selfservice:my-product-action", args=[product.pk, "discontinue"])
    signed_in(client, alice)

    unconfirmed = client.post(url, {})
    assert "Tick the box" in text_of(unconfirmed) and not Order.objects.exists()

    client.post(url, {"confirm": "on"})
    assert Order.objects.get().items.get().intent == ItemIntent.DISCONTINUE


def test_a_product_with_a_change_on_its_way_cannot_be_changed_again(client):
    alice = customer_login()
    product = InstalledProductFactory(
        customer=alice.customer, offering=mobile_offering(), name="Work phone", characteristics={"sim_type": "esim"}
    )
    submit_order(create_change_order(product, intent="suspend", by=AgentFactory()), by=AgentFactory())
    url = reverse("selfservice:my-product-action", args=[product.pk, "discontinue"])
    signed_in(client, alice)

    page = text_of(client.get(url))
    assert "already has a change on its way" in page
    client.post(url, {"confirm": "on"})

    assert Order.objects.count() == 1


@pytest.mark.parametrize("intent", ["change_ownership", "repackage", "provide", "explode"])
def test_actions_customers_cannot_start_online_are_not_found(client, intent):
    alice = customer_login()
    product = InstalledProductFactory(customer=alice.customer, offering=mobile_offering())

    response = signed_in(client, alice).post(reverse("selfservice:my-product-action", args=[product.pk, intent]), {})

    assert response.status_code == 404
    assert not Order.objects.exists()


def test_a_product_whose_details_no_longer_fit_the_catalog_is_not_changed_online(client):
    alice = customer_login()
    product = InstalledProductFactory(customer=alice.customer, offering=mobile_offering(), characteristics={})

    response = signed_in(client, alice).post(reverse("selfservice:my-product-action", args=[product.pk, "suspend"]), {})

    assert "Please call us" in text_of(response)
    assert not Order.objects.exists()


def test_resuming_is_refused_for_an_active_product(client):
    alice = customer_login()
    product = InstalledProductFactory(customer=alice.customer, offering=mobile_offering(), status="active")

    response = signed_in(client, alice).post(reverse("selfservice:my-product-action", args=[product.pk, "resume"]), {})

    assert response.status_code == 302 and not Order.objects.exists()


# --- order something -----------------------------------------------------------------------------


def test_only_what_is_serviceable_at_my_address_can_be_ordered(client):
    alice = customer_login(street=NO_FIBRE_STREET)
    fibre, mobile = fibre_offering(), mobile_offering()
    signed_in(client, alice)

    page = text_of(client.get(reverse("selfservice:my-order-new")))
    assert "Choose Mobile Unlimited" in page
    assert "Choose Fibre Broadband 500" not in page and "Not available at your address" in page

    client.post(reverse("selfservice:my-order-new"), {"offering": fibre.pk})
    assert not Order.objects.exists()
    client.post(reverse("selfservice:my-order-new"), {"offering": mobile.pk})
    assert Order.objects.get().items.get().offering == mobile


def test_an_add_on_needs_the_product_it_goes_with(client):
    alice = customer_login()
    fibre = fibre_offering()
    tv = OfferingFactory(code="tv", name="TV add-on", category="tv", is_addon=True, requires_install_address=False)
    tv.requires.set([fibre])
    signed_in(client, alice)

    assert "Needs Fibre Broadband 500" in text_of(client.get(reverse("selfservice:my-order-new")))
    InstalledProductFactory(customer=alice.customer, offering=fibre)
    assert "Choose TV add-on" in text_of(client.get(reverse("selfservice:my-order-new")))


def test_ordering_broadband_takes_three_steps_and_issues_the_order(client):
    alice = customer_login()
    fibre = fibre_offering()
    signed_in(client, alice)

    started = client.post(reverse("selfservice:my-order-new"), {"offering": fibre.pk})
    order = Order.objects.get()
    assert started.url == reverse("selfservice:my-order-details", args=[order.number])
    assert (order.state, order.channel, order.captured_by) == (OrderState.DRAFT, Channel.SELF_SERVICE, alice)
    assert order.items.get().install_address == alice.customer.addresses.get()
    prefix = f"i{order.items.get().pk}-c"

    missing = client.post(started.url, {f"{prefix}-static_ip": "on"})
    assert missing.status_code == 200 and "Router: This field is required." in text_of(missing)
    assert order.items.get().characteristics == {"static_ip": True}  # kept, although incomplete

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    details = client.post(
        started.url,
        {f"{prefix}-router": "mesh-pack", f"{prefix}-static_ip": "on", "requested_start_date": tomorrow.isoformat()},
    )
    review_url = reverse("selfservice:my-order-review", args=[order.number])
    assert details.url == review_url
    review = text_of(client.get(review_url))
    assert "Home Hub 6 + mesh discs" in review and "Place my order" in review and "£37.99" in review

    placed = client.post(review_url)
    again = client.post(review_url)  # a double click: harmless

    order.refresh_from_db()
    assert order.state == OrderState.IN_PROGRESS and order.requested_start_date == tomorrow
    assert placed.url == again.url == reverse("selfservice:my-order", args=[order.number])
    assert Order.objects.count() == 1
    assert "Your order is confirmed" in text_of(client.get(placed.url))
    assert order.number in text_of(client.get(reverse("selfservice:my-orders")))


def test_a_date_in_the_past_is_refused(client):
    alice = customer_login()
    signed_in(client, alice).post(reverse("selfservice:my-order-new"), {"offering": fibre_offering().pk})
    order = Order.objects.get()
    prefix = f"i{order.items.get().pk}-c"

    response = client.post(
        reverse("selfservice:my-order-details", args=[order.number]),
        {f"{prefix}-router": "hub-6", "requested_start_date": "2020-01-01"},
    )

    assert response.status_code == 200 and "Choose today or a later date." in text_of(response)
    order.refresh_from_db()
    assert order.requested_start_date is None


def test_a_bespoke_offering_becomes_a_request_for_our_specialists(client):
    alice = customer_login()
    line = bespoke_offering()
    signed_in(client, alice)
    client.post(reverse("selfservice:my-order-new"), {"offering": line.pk})
    order = Order.objects.get()
    details_url = reverse("selfservice:my-order-details", args=[order.number])
    prefix = f"i{order.items.get().pk}-c"

    needs_words = client.post(details_url, {f"{prefix}-bandwidth": "1G"})
    assert "Describe what you need" in text_of(needs_words)

    client.post(details_url, {f"{prefix}-bandwidth": "1G", "special_requirements": "Two sites, dual path."})
    review_url = reverse("selfservice:my-order-review", args=[order.number])
    assert "Send my request" in text_of(client.get(review_url))
    response = client.post(review_url)

    order.refresh_from_db()
    assert order.state == OrderState.HELD and order.needs_special_handling
    assert order.special_requirements == "Two sites, dual path."
    page = text_of(client.get(response.url))
    assert "Being reviewed" in page and "Our specialist team reviews your request" in page


def test_an_install_address_must_be_my_own(client):
    alice, bob = customer_login(), customer_login("Bob Hughes")
    validated_address(alice.customer, ("High Street", "48", "RV1 1AA"))  # two addresses: a choice to make
    bobs_address = bob.customer.addresses.get()
    signed_in(client, alice).post(reverse("selfservice:my-order-new"), {"offering": fibre_offering().pk})
    order = Order.objects.get()
    item = order.items.get()
    before = item.install_address_id

    response = client.post(
        reverse("selfservice:my-order-details", args=[order.number]),
        {f"i{item.pk}-c-router": "hub-6", "install_address": bobs_address.pk},
    )

    assert response.status_code == 200 and "Select a valid choice" in text_of(response)
    item.refresh_from_db()
    assert item.install_address_id == before != bobs_address.pk


def test_an_incomplete_order_cannot_be_sent(client):
    alice = customer_login()
    signed_in(client, alice).post(reverse("selfservice:my-order-new"), {"offering": fibre_offering().pk})
    order = Order.objects.get()
    review_url = reverse("selfservice:my-order-review", args=[order.number])

    assert "Router: This field is required." in text_of(client.get(review_url))
    response = client.post(review_url)

    assert response.status_code == 200 and "isn't complete yet" in text_of(response)
    order.refresh_from_db()
    assert order.state == OrderState.DRAFT


def test_a_draft_our_team_prepares_cannot_be_changed_online(client):
    alice = customer_login()
    order = fibre_order(AgentFactory(), alice.customer, submit=False)
    signed_in(client, alice)

    details = client.get(reverse("selfservice:my-order-details", args=[order.number]))
    review = client.post(reverse("selfservice:my-order-review", args=[order.number]))

    assert details.url == review.url == reverse("selfservice:my-order", args=[order.number])
    order.refresh_from_db()
    assert order.state == OrderState.DRAFT
    assert "Our team is still preparing this order" in text_of(client.get(details.url))


def test_a_sent_order_cannot_be_changed_through_the_order_steps(client):
    alice = customer_login()
    signed_in(client, alice).post(reverse("selfservice:my-order-new"), {"offering": mobile_offering().pk})
    order = Order.objects.get()
    prefix = f"i{order.items.get().pk}-c"
    client.post(reverse("selfservice:my-order-details", args=[order.number]), {f"{prefix}-sim_type": "esim"})
    client.post(reverse("selfservice:my-order-review", args=[order.number]))

    client.post(reverse("selfservice:my-order-details", args=[order.number]), {f"{prefix}-sim_type": "physical"})

    assert order.items.get().characteristics == {"sim_type": "esim"}


# --- the overview --------------------------------------------------------------------------------


def test_the_overview_shows_what_waits_for_me(client):
    alice = customer_login()
    agent = AgentFactory()
    question = fibre_order(agent, alice.customer)
    ask(question)
    signoff = awaiting_signoff(alice.customer)
    quiet = mobile_order(agent, alice.customer)

    response = signed_in(client, alice).get(reverse("selfservice:my-home"))
    page = text_of(response)

    assert "Waiting for you" in page and "Answer our question" in page and "Test and sign off" in page
    attention, others = page.split("Other orders on their way")
    assert question.number in attention and signoff.number in attention and quiet.number not in attention
    assert quiet.number in others and question.number not in others


@pytest.mark.parametrize("count", [1, 5])
def test_the_overview_costs_the_same_queries_however_much_there_is(client, django_assert_num_queries, count):
    alice = customer_login()
    agent = AgentFactory()
    for index in range(count):
        ask(mobile_order(agent, alice.customer))
        mobile_order(agent, alice.customer)
        InstalledProductFactory(customer=alice.customer, offering=mobile_offering(code=f"p-{index}"))
    signed_in(client, alice)

    # session, user, customer; open orders + items; waiting orders + items; products + their open
    # items; the session saved (3)
    with django_assert_num_queries(12):
        assert client.get(reverse("selfservice:my-home")).status_code == 200


def test_staff_notes_never_load_on_a_self_service_page():
    alice = customer_login()
    agent = AgentFactory()
    order = fibre_order(agent, alice.customer)
    OrderNote.objects.create(order=order, author=agent, text="Staff only", customer_visible=False)

    loaded = order_page_for_customer(customer=alice.customer, number=order.number)

    assert [n.text for n in loaded.notes.all()] == []
