"""The guided capture in the agent console: each step saves the draft, errors sit at their fields."""

import re

import pytest
from django.urls import reverse

from customers.models import Address, CreditClass, ProductStatus
from orders.models import FeasibilityAssessment, ItemIntent, Order, OrderState
from orders.services import add_item, create_draft_order, record_initiating_request
from tests.factories import (
    AgentFactory,
    CustomerFactory,
    CustomerUserFactory,
    InstalledProductFactory,
    valid_address,
)

# Issued orders stay in progress: no simulated downstream system moves them on.
pytestmark = pytest.mark.usefixtures("manual_downstream")


@pytest.fixture
def draft(agent, customer, catalog):
    request = record_initiating_request(customer=customer, by=agent, kind="sales_proposal", reference="Q-1")
    return create_draft_order(customer=customer, by=agent, initiating_request=request)


def step_url(order, step):
    return reverse("console:capture", args=[order.number, step])


def html(response) -> str:
    return response.content.decode()


# --- step 1 ----------------------------------------------------------------------------------------


def test_starting_an_order_records_the_request_and_the_channel_of_whoever_captures_it(client, customer):
    retail_agent = AgentFactory(channel="retail")
    client.force_login(retail_agent)

    response = client.post(
        reverse("console:capture-start"),
        {
            "customer": customer.number,
            "kind": "sales_proposal",
            "reference": "Q-77",
            "category": "consumer",
            "priority": 2,
        },
    )

    order = Order.objects.get()
    assert response.status_code == 302
    assert response.url == step_url(order, "products")
    assert (order.state, order.channel, order.captured_by) == (OrderState.DRAFT, "retail", retail_agent)
    assert order.initiating_request.reference == "Q-77"


def test_without_a_customer_the_first_step_searches_for_one(signed_in, alice_morgan):
    response = signed_in.get(reverse("console:capture-start"), {"q": "alice"})

    assert list(response.context["results"]) == [alice_morgan]
    assert f"?customer={alice_morgan.number}" in html(response)


def test_a_missing_request_kind_is_shown_at_the_field_and_nothing_is_created(signed_in, customer):
    response = signed_in.post(
        reverse("console:capture-start"), {"customer": customer.number, "category": "consumer", "priority": 2}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["kind"] == ["Choose what led to this order, or pick an earlier request."]
    assert 'id="id_kind"' in html(response) and "is-invalid" in html(response)
    assert not Order.objects.exists()


def test_a_problem_restoration_needs_its_trouble_ticket(signed_in, customer):
    response = signed_in.post(
        reverse("console:capture-start"),
        {"customer": customer.number, "kind": "problem_restoration", "category": "consumer", "priority": 2},
    )

    assert response.context["form"].errors["reference"] == ["A problem restoration needs its trouble-ticket reference."]


def test_revisiting_step_one_can_switch_to_an_earlier_request(signed_in, draft, customer, agent):
    earlier = record_initiating_request(customer=customer, by=agent, kind="performance_issue", details="Slow")

    signed_in.post(step_url(draft, "request"), {"existing_request": earlier.pk, "category": "consumer", "priority": 1})

    draft.refresh_from_db()
    assert (draft.initiating_request, draft.priority) == (earlier, 1)


# --- step 2 ----------------------------------------------------------------------------------------


def test_products_are_added_and_removed(signed_in, draft, catalog):
    signed_in.post(step_url(draft, "products"), {"offering": catalog["fibre-500"].pk})
    item = draft.items.get()
    assert (item.offering.code, item.intent, item.recurring_price) == (
        "fibre-500",
        "provide",
        catalog["fibre-500"].recurring_price,
    )

    signed_in.post(step_url(draft, "products"), {"remove_item": item.pk})
    assert not draft.items.exists()


def test_a_change_to_an_installed_product_is_added_with_its_current_settings(signed_in, draft, customer, catalog):
    product = InstalledProductFactory(
        customer=customer, offering=catalog["mobile-unlimited"], characteristics={"sim_type": "esim"}
    )

    signed_in.post(step_url(draft, "products"), {"product": product.pk, "intent": "suspend"})

    item = draft.items.get()
    assert (item.intent, item.action, item.product, item.characteristics) == (
        "suspend",
        "modify",
        product,
        {"sim_type": "esim"},
    )


def test_a_change_that_makes_no_sense_for_the_product_is_refused(signed_in, draft, customer, catalog):
    product = InstalledProductFactory(customer=customer, offering=catalog["mobile-unlimited"], status="active")

    response = signed_in.post(step_url(draft, "products"), {"product": product.pk, "intent": "resume"}, follow=True)

    assert not draft.items.exists()
    assert "cannot be changed so" in html(response)


def test_another_customers_product_cannot_be_added(signed_in, draft, catalog):
    stranger = InstalledProductFactory(offering=catalog["mobile-unlimited"])

    response = signed_in.post(step_url(draft, "products"), {"product": stranger.pk, "intent": "suspend"})

    assert response.status_code == 404
    assert not draft.items.exists()


# --- step 3 ----------------------------------------------------------------------------------------


def test_configuration_is_saved_even_when_incomplete_and_errors_sit_at_the_field(signed_in, draft, agent, catalog):
    item = add_item(draft, by=agent, offering=catalog["fibre-500"])

    response = signed_in.post(step_url(draft, "configure"), {f"i{item.pk}-c-static_ip": "on"})

    item.refresh_from_db()
    assert item.characteristics == {"static_ip": True}
    assert response.status_code == 200
    page = html(response)
    assert f'id="id_i{item.pk}-c-router-error"' in page
    assert f'href="#id_i{item.pk}-c-router"' in page  # the summary links to the field
    assert "Item 1 · Router: This field is required." in page


PBX_FIELDS = {
    "main_number": "+44 1632 960200",
    "user_groups": "0",
    "user_groups-0-name": "Sales",
    "user_groups-0-hunt_pattern": "simultaneous",
}


def pbx_post(item, *, third_extension=""):
    data = {f"i{item.pk}-c-{name}": value for name, value in PBX_FIELDS.items()}
    data[f"i{item.pk}-c-handsets"] = ["0", "1", "2"]
    for key, extension in (("0", "201"), ("1", "202"), ("2", third_extension)):
        prefix = f"i{item.pk}-c-handsets-{key}-"
        data |= {
            prefix + "model": "yealink-t54w",
            prefix + "extension": extension,
            prefix + "user_name": f"User {key}",
            prefix + "group": "Sales",
        }
    return data


def test_a_missing_extension_is_reported_at_its_handset_and_the_rest_is_kept(signed_in, draft, agent, catalog):
    item = add_item(draft, by=agent, offering=catalog["hosted-pbx"])

    response = signed_in.post(step_url(draft, "configure"), pbx_post(item))

    assert f'id="id_i{item.pk}-c-handsets-2-extension-error"' in html(response)
    assert f'id="id_i{item.pk}-c-handsets-1-extension-error"' not in html(response)
    item.refresh_from_db()
    assert [h.get("extension") for h in item.characteristics["handsets"]] == ["201", "202", None]

    response = signed_in.post(step_url(draft, "configure"), pbx_post(item, third_extension="301"))
    assert response.status_code == 302
    assert response.url == step_url(draft, "delivery")


def test_rows_are_added_by_the_server_when_the_browser_runs_no_script(signed_in, draft, agent, catalog):
    item = add_item(draft, by=agent, offering=catalog["hosted-pbx"])
    data = pbx_post(item, third_extension="301") | {"capture-add": f"i{item.pk}-c-handsets"}

    response = signed_in.post(step_url(draft, "configure"), data)

    assert response.status_code == 200
    assert f'name="i{item.pk}-c-handsets-3-extension"' in html(response)
    assert "This field is required" not in html(response)  # a new row is not an error yet
    item.refresh_from_db()
    assert len(item.characteristics["handsets"]) == 4


def test_the_stepper_moves_on_even_with_errors_and_keeps_what_was_typed(signed_in, draft, agent, catalog):
    item = add_item(draft, by=agent, offering=catalog["fibre-500"])

    response = signed_in.post(step_url(draft, "configure"), {f"i{item.pk}-c-static_ip": "on", "goto": "review"})

    assert response.url == step_url(draft, "review")
    item.refresh_from_db()
    assert item.characteristics == {"static_ip": True}


def test_a_transfer_names_its_new_owner_by_customer_number(signed_in, draft, customer, agent, catalog):
    product = InstalledProductFactory(customer=customer, offering=catalog["mobile-unlimited"])
    item = add_item(draft, by=agent, offering=product.offering, intent=ItemIntent.CHANGE_OWNERSHIP, product=product)
    new_owner = CustomerFactory(name="Bob Hughes")

    response = signed_in.post(step_url(draft, "configure"), {f"i{item.pk}-new_owner": "CUS-999999"})
    assert "There is no customer CUS-999999." in html(response)

    signed_in.post(step_url(draft, "configure"), {f"i{item.pk}-new_owner": new_owner.number})
    item.refresh_from_db()
    assert item.new_owner == new_owner


def test_repackaging_changes_the_offering_and_keeps_the_configuration_that_still_applies(
    signed_in, draft, customer, agent, catalog
):
    product = InstalledProductFactory(
        customer=customer, offering=catalog["fibre-150"], characteristics={"router": "mesh-pack", "static_ip": True}
    )
    item = add_item(draft, by=agent, offering=product.offering, intent=ItemIntent.REPACKAGE, product=product)

    response = signed_in.post(
        step_url(draft, "configure"),
        {f"i{item.pk}-offering": catalog["fibre-900"].pk, f"i{item.pk}-c-router": "mesh-pack"},
        follow=True,
    )

    item.refresh_from_db()
    assert (item.offering.code, item.characteristics) == ("fibre-900", {"router": "mesh-pack"})
    assert "Now Fibre Broadband 900. Kept from the current product: Router." in html(response)
    assert re.search(r'value="mesh-pack"[^>]*selected', html(response))


def test_adding_a_repackage_in_the_products_step_starts_from_the_products_configuration(
    signed_in, draft, customer, catalog
):
    product = InstalledProductFactory(
        customer=customer, offering=catalog["fibre-500"], characteristics={"router": "mesh-pack"}
    )

    signed_in.post(step_url(draft, "products"), {"product": product.pk, "intent": "repackage"})

    assert draft.items.get().characteristics == {"router": "mesh-pack"}


# --- step 4 ----------------------------------------------------------------------------------------


def test_the_delivery_step_sets_the_install_address_and_the_order_details(signed_in, draft, agent, catalog, address):
    item = add_item(draft, by=agent, offering=catalog["fibre-500"], characteristics={"router": "hub-6"})

    response = signed_in.post(
        step_url(draft, "delivery"),
        {
            "install_address": address.pk,
            "appointment_preference": "Saturday",
            "special_requirements": "  Ring the side door.  ",
            "feasibility_result": "feasible",
            "feasibility_notes": "Survey done",
        },
    )

    assert response.url == step_url(draft, "review")
    item.refresh_from_db()
    draft.refresh_from_db()
    assert item.install_address == address
    assert (draft.appointment_preference, draft.special_requirements) == ("Saturday", "Ring the side door.")
    assert draft.feasibility_assessments.get().result == FeasibilityAssessment.Result.FEASIBLE


def test_a_new_address_that_does_not_validate_shows_suggestions_and_the_rest_is_saved(signed_in, draft, agent, catalog):
    add_item(draft, by=agent, offering=catalog["fibre-500"])

    response = signed_in.post(
        step_url(draft, "delivery"),
        {
            "install_address": "new",
            "addr-purpose": "installation",
            "addr-house_number": "12",
            "addr-street": "Mil Lane",
            "special_requirements": "Dog on site",
            "feasibility_result": "feasible",
        },
    )

    assert response.status_code == 200
    assert "No street called Mil Lane" in html(response)
    assert 'data-street="Mill Lane"' in html(response)
    draft.refresh_from_db()
    assert draft.special_requirements == "Dog on site"
    assert not draft.feasibility_assessments.exists()  # recorded once the step is done
    assert not Address.objects.exists()


def test_a_new_valid_address_is_kept_with_the_customer_and_used_for_the_items(
    signed_in, draft, agent, catalog, customer
):
    item = add_item(draft, by=agent, offering=catalog["fibre-500"])

    signed_in.post(
        step_url(draft, "delivery"),
        {"install_address": "new", "addr-purpose": "installation", "addr-house_number": "12", "addr-street": "mill ln"},
    )

    item.refresh_from_db()
    assert item.install_address.customer == customer
    assert item.install_address.is_validated
    assert str(item.install_address) == "12 Mill Lane, Riverton RV1 2LL"


def test_an_install_address_must_be_chosen_to_continue(signed_in, draft, agent, catalog, address):
    add_item(draft, by=agent, offering=catalog["fibre-500"])

    response = signed_in.post(step_url(draft, "delivery"), {"special_requirements": ""})

    assert response.context["form"].errors["install_address"] == ["Choose where to install, or enter a new address."]


# --- step 5 ----------------------------------------------------------------------------------------


def test_the_review_lists_every_problem_with_a_link_to_its_step(signed_in, draft, agent, catalog):
    item = add_item(draft, by=agent, offering=catalog["fibre-500"])

    response = signed_in.get(step_url(draft, "review"))

    problems = {p.text: p.url for p in response.context["problems"]}
    assert problems == {
        "Item 1 (Fibre Broadband 500) · Router: This field is required": step_url(draft, "configure")
        + f"#id_i{item.pk}-c-router",
        "Item 1 (Fibre Broadband 500): An install address is required": step_url(draft, "delivery")
        + "#install-address",
    }


def complete_broadband(draft, agent, catalog, address, speed="500", **characteristics):
    return add_item(
        draft,
        by=agent,
        offering=catalog[f"fibre-{speed}"],
        characteristics={"router": "hub-6", **characteristics},
        install_address=address,
    )


def test_submitting_a_standard_order_issues_it_and_says_so(signed_in, draft, agent, catalog, address):
    complete_broadband(draft, agent, catalog, address)

    response = signed_in.post(step_url(draft, "review"))

    assert response.url == reverse("console:outcome", args=[draft.number])
    draft.refresh_from_db()
    assert draft.state == OrderState.IN_PROGRESS
    assert "Issued" in html(signed_in.get(response.url))


def test_a_second_submit_of_the_same_draft_changes_nothing(signed_in, draft, agent, catalog, address):
    complete_broadband(draft, agent, catalog, address)
    signed_in.post(step_url(draft, "review"))

    response = signed_in.post(step_url(draft, "review"))

    assert response.url == reverse("console:order-detail", args=[draft.number])
    assert list(draft.events.values_list("transition", flat=True)) == ["acknowledge", "issue"]


def test_an_order_with_special_requirements_is_held_with_its_reasons(signed_in, draft, agent, catalog, address):
    complete_broadband(draft, agent, catalog, address)
    Order.objects.filter(pk=draft.pk).update(special_requirements="Install in the loft")

    response = signed_in.post(step_url(draft, "review"), follow=True)

    page = html(response)
    assert "Held for special handling" in page
    assert "Special requirements: Install in the loft" in page
    assert "No positive feasibility assessment on record." in page


def test_a_refused_credit_check_rejects_the_order_with_the_reason(signed_in, agent, catalog):
    poor = CustomerFactory(credit_class=CreditClass.D)
    request = record_initiating_request(customer=poor, by=agent, kind="sales_proposal")
    order = create_draft_order(customer=poor, by=agent, initiating_request=request)
    complete_broadband(order, agent, catalog, valid_address(poor), speed="900")  # 29 + 12 × 49.99 > 600

    response = signed_in.post(step_url(order, "review"), follow=True)

    assert "Rejected" in html(response)
    assert "exceeds the 600 limit for class D" in html(response)


def test_an_incomplete_order_stays_a_draft_and_the_problems_are_listed(signed_in, draft, agent, catalog):
    add_item(draft, by=agent, offering=catalog["fibre-500"])

    response = signed_in.post(step_url(draft, "review"))

    assert response.status_code == 200
    assert "not complete yet" in html(response)
    assert len(response.context["problems"]) == 2
    draft.refresh_from_db()
    assert draft.state == OrderState.DRAFT


def test_a_submitted_order_cannot_be_captured_again(signed_in, draft, agent, catalog, address):
    complete_broadband(draft, agent, catalog, address)
    signed_in.post(step_url(draft, "review"))

    response = signed_in.get(step_url(draft, "configure"))

    assert response.url == reverse("console:order-detail", args=[draft.number])


def test_every_step_shows_the_progress_and_links_back_to_the_others(signed_in, draft, agent, catalog, address):
    complete_broadband(draft, agent, catalog, address)

    for number, step in enumerate(["request", "products", "configure", "delivery", "review"], start=1):
        page = html(signed_in.get(step_url(draft, step)))
        assert f"Step {number} of 5" in page
        assert 'aria-current="step"' in page
        assert re.search(rf'aria-valuenow="{number * 20}"', page)


@pytest.mark.parametrize("url", ["/agent/orders/new/", "/agent/orders/ORD-000001/capture/products/"])
def test_customers_cannot_open_the_capture_pages(client, db, url):
    client.force_login(CustomerUserFactory())
    assert client.get(url).status_code == 403


def test_an_unknown_step_or_order_is_not_found(signed_in, draft):
    assert signed_in.get(f"/agent/orders/{draft.number}/capture/payment/").status_code == 404
    assert signed_in.get("/agent/orders/ORD-999999/capture/products/").status_code == 404
    assert signed_in.get("/agent/orders/nonsense/capture/products/").status_code == 404


def test_the_products_step_offers_only_the_changes_each_product_allows(signed_in, draft, customer, catalog):
    InstalledProductFactory(customer=customer, offering=catalog["mobile-unlimited"], status=ProductStatus.SUSPENDED)

    response = signed_in.get(step_url(draft, "products"))

    (product,) = response.context["products"]
    assert [intent for intent, _ in product.actions] == ["resume", "change_ownership", "discontinue"]


# session, user, groups; the order (with its customer and request) and its items; the review shows
# the feasibility results too. No session write: it was pushed on by the request just before.
@pytest.mark.parametrize(("step", "queries"), [("configure", 5), ("review", 6)])
def test_the_configuration_and_review_steps_cost_the_same_queries_for_one_item_or_five(
    signed_in, agent, customer, catalog, address, step, queries, django_assert_num_queries
):
    def order_with(count):
        request = record_initiating_request(customer=customer, by=agent, kind="sales_proposal")
        order = create_draft_order(customer=customer, by=agent, initiating_request=request)
        for _ in range(count):
            complete_broadband(order, agent, catalog, address)
        return order

    small, large = order_with(1), order_with(5)
    signed_in.get(step_url(small, step))

    with django_assert_num_queries(queries):
        signed_in.get(step_url(small, step))
    with django_assert_num_queries(queries):
        signed_in.get(step_url(large, step))
