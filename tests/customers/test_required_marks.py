"""Every required field of the agent's pages is marked before anything is submitted."""

import re

import pytest
from django.urls import reverse

from customers.models import ProductStatus
from orders.demo import seed_catalog
from orders.services import add_item, create_draft_order, record_initiating_request, submit_order
from tests.factories import InstalledProductFactory, valid_address

LEGEND = '<span class="required-mark" aria-hidden="true">*</span> Required'


def html(response) -> str:
    return response.content.decode()


def required_input(page: str, name: str) -> bool:
    tag = re.search(rf'<(?:input|select|textarea)[^>]*name="{name}"[^>]*>', page)
    return bool(tag) and re.search(r"\srequired[\s>]", tag.group(0)) is not None


@pytest.mark.django_db
def test_the_new_customer_form_marks_its_fields_and_the_phone_or_email_group(signed_in):
    page = html(signed_in.get(reverse("console:customer-create")))

    assert LEGEND in page
    assert required_input(page, "name") and required_input(page, "kind")
    assert not required_input(page, "phone") and not required_input(page, "email")
    assert 'How to reach them<span class="required-mark" aria-hidden="true"> *</span>' in page
    assert (
        '<p class="form-text mt-0 mb-2" id="contact-rule">Give a phone number or an email (at least one).</p>' in page
    )
    assert page.count('aria-describedby="contact-rule"') == 2


@pytest.mark.django_db
def test_the_request_step_marks_what_led_to_the_order(signed_in, customer):
    page = html(signed_in.get(reverse("console:capture-start") + f"?customer={customer.number}"))

    assert LEGEND in page
    assert required_input(page, "kind")
    assert not required_input(page, "existing_request")


@pytest.mark.django_db
def test_an_earlier_request_makes_a_new_one_unnecessary(signed_in, agent, customer):
    earlier = record_initiating_request(customer=customer, by=agent, kind="sales_proposal", reference="Q-1")

    response = signed_in.post(
        reverse("console:capture-start"),
        {
            "customer": customer.number,
            "existing_request": earlier.pk,
            "kind": "",
            "category": "consumer",
            "priority": 2,
        },
    )

    assert response.status_code == 302


@pytest.mark.django_db
def test_the_address_form_the_interaction_and_the_repackage_page_are_marked(signed_in, agent, customer):
    catalog = seed_catalog()
    product = InstalledProductFactory(
        customer=customer,
        offering=catalog["fibre-500"],
        status=ProductStatus.ACTIVE,
        install_address=valid_address(customer),
        characteristics={"router": "hub-6"},
    )

    address_page = html(signed_in.get(reverse("console:add-address", args=[customer.number])))
    customer_page = html(signed_in.get(reverse("console:customer-detail", args=[customer.number])))
    repackage_page = html(signed_in.get(reverse("console:product-action", args=[product.pk, "repackage"])))

    assert LEGEND in address_page and required_input(address_page, "street")
    assert required_input(customer_page, "summary") and 'aria-required="true"' in customer_page
    assert LEGEND in repackage_page and required_input(repackage_page, "new_offering")


@pytest.mark.django_db
def test_the_order_pages_actions_say_what_the_mark_means(signed_in, agent, customer):
    catalog = seed_catalog()
    request = record_initiating_request(customer=customer, by=agent, kind="sales_proposal", reference="Q-1")
    order = create_draft_order(customer=customer, by=agent, initiating_request=request)
    add_item(order, by=agent, offering=catalog["mobile-unlimited"], characteristics={"sim_type": "esim"})
    submit_order(order, by=agent)

    page = html(signed_in.get(reverse("console:order-detail", args=[order.number])))

    assert '<span class="required-mark" aria-hidden="true">*</span> Required</span>' in page


@pytest.mark.django_db
def test_the_delivery_step_marks_the_install_address(signed_in, agent, customer):
    catalog = seed_catalog()
    valid_address(customer)
    request = record_initiating_request(customer=customer, by=agent, kind="sales_proposal", reference="Q-1")
    order = create_draft_order(customer=customer, by=agent, initiating_request=request)
    add_item(order, by=agent, offering=catalog["fibre-500"], characteristics={"router": "hub-6"})

    page = html(signed_in.get(reverse("console:capture", args=[order.number, "delivery"])))

    assert 'Install address<span class="required-mark" aria-hidden="true"> *</span>' in page
    assert 'role="radiogroup" aria-required="true"' in page


@pytest.mark.django_db
def test_a_failed_new_customer_lists_every_problem_linked_to_its_field(signed_in):
    page = html(
        signed_in.post(
            reverse("console:customer-create"), {"kind": "individual", "name": "", "email": "x@", "phone": ""}
        )
    )

    summary = page[page.index('id="error-summary"') : page.index("</ul>", page.index('id="error-summary"'))]
    assert "2 things to fix" in summary
    assert '<a href="#id_name">Full name or legal name: This field is required.</a>' in summary
    assert '<a href="#id_email">Email: Enter an email address such as name@example.com.</a>' in summary


@pytest.mark.django_db
def test_a_refused_repackage_is_summarised_above_the_form(signed_in, customer):
    catalog = seed_catalog()
    product = InstalledProductFactory(
        customer=customer,
        offering=catalog["fibre-500"],
        status=ProductStatus.ACTIVE,
        install_address=valid_address(customer),
    )

    page = html(signed_in.post(reverse("console:product-action", args=[product.pk, "repackage"]), {"new_offering": ""}))

    assert '<a href="#id_new_offering">Repackage into: Choose the offering to repackage into.</a>' in page
