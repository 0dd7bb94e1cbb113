"""What an agent reads when something is wrong says the rule to follow, never Django's "Enter a valid value."."""

import re

import pytest
from django import forms
from django.urls import reverse

from customers.models import Customer
from orders.demo import seed_catalog
from orders.models import ItemIntent
from orders.services import add_item, create_draft_order, record_initiating_request, submit_order
from ordersite.console.forms.customers import AddressForm, CustomerForm
from ordersite.console.forms.orders import DeliveryStepForm, OrderFilterForm, RequestStepForm
from ordersite.presentation.rules import RulesInMessages, django_default_messages
from tests.factories import InstalledProductFactory, valid_address

# What Django says when nobody words it better: none of it may reach a page.
DJANGO_DEFAULTS = re.compile(
    r"Enter a valid|Ensure this value|Select a valid choice|has the wrong format|That choice is not one of"
)


class Everything(RulesInMessages, forms.Form):
    name = forms.CharField(max_length=5, min_length=2)
    email = forms.EmailField()
    when = forms.DateField()
    count = forms.IntegerField(min_value=1, max_value=4)
    price = forms.DecimalField(max_digits=5, decimal_places=2)
    colour = forms.ChoiceField(choices=[("red", "Red")])
    worded = forms.CharField(max_length=3, error_messages={"max_length": "Three letters, like GBP."})


def test_each_default_message_becomes_the_rule_in_words():
    form = Everything(
        data={
            "name": "toolong",
            "email": "nope",
            "when": "31 Foo",
            "count": "9",
            "price": "1.234",
            "colour": "blue",
            "worded": "EURO",
        }
    )

    assert not form.is_valid()
    assert form.errors == {
        "name": ["Use at most 5 characters; this has 7."],
        "email": ["Enter an email address such as name@example.com."],
        "when": ["Enter a date as day/month/year, such as 31/12/2026."],
        "count": ["Enter 4 or less."],
        "price": ["Use at most 2 digits after the decimal point."],
        "colour": ["Choose one of the options listed (blue is not one)."],
        "worded": ["Three letters, like GBP."],  # a form's own wording is kept
    }


def test_too_short_and_not_a_number():
    form = Everything(data={"name": "a", "count": "three", "price": "cheap"})
    form.is_valid()
    assert form.errors["name"] == ["Use at least 2 characters; this has 1."]
    assert form.errors["count"] == ["Enter a whole number, such as 3."]
    assert form.errors["price"] == ["Enter a number, such as 12.50."]


def test_defaults_are_read_from_the_field_class():
    assert django_default_messages(forms.DateField())["invalid"] == "Enter a valid date."


@pytest.mark.django_db
def test_the_new_customer_form_states_each_rule():
    form = CustomerForm(data={"kind": "x", "name": "N" * 250, "email": "alice@", "phone": ""})

    assert not form.is_valid()
    assert form.errors["kind"] == ["Choose one of the options listed (x is not one)."]
    assert form.errors["name"] == ["Use at most 200 characters; this has 250."]
    assert form.errors["email"] == ["Enter an email address such as name@example.com."]
    for messages in form.errors.values():
        assert not any(DJANGO_DEFAULTS.search(str(message)) for message in messages)


@pytest.mark.django_db
def test_the_address_form_states_each_rule():
    form = AddressForm(
        data={
            "purpose": "billing",
            "house_number": "12",
            "street": "Rue de la Paix",
            "postcode": "75002",
            "unit": "U" * 60,
        }
    )

    assert not form.is_valid()
    assert form.errors["postcode"] == ["This is not a postcode; postcodes look like RV1 2LL."]
    assert form.errors["unit"][0].startswith("Use at most ")


@pytest.mark.django_db
def test_the_request_step_states_each_rule(customer):
    form = RequestStepForm(
        data={"kind": "", "category": "nope", "priority": "x", "reference": "R" * 61}, customer=customer
    )

    assert not form.is_valid()
    assert form.errors["kind"] == ["Choose what led to this order, or pick an earlier request."]
    assert form.errors["category"] == ["Choose one of the options listed (nope is not one)."]
    assert form.errors["reference"] == ["Use at most 60 characters; this has 61."]


def test_dates_in_the_delivery_step_and_the_order_filter_state_their_format():
    delivery = DeliveryStepForm(data={"requested_start_date": "next tuesday"}, needs_address=False)
    filters = OrderFilterForm(data={"created_from": "yesterday"})

    assert not delivery.is_valid() and not filters.is_valid()
    assert delivery.errors["requested_start_date"] == ["Enter a date as day/month/year, such as 31/12/2026."]
    assert filters.errors["created_from"] == ["Enter a date as day/month/year, such as 31/12/2026."]


@pytest.mark.django_db
def test_a_new_customer_posted_all_wrong_shows_no_django_default(signed_in):
    response = signed_in.post(
        reverse("console:customer-create"), {"kind": "individual", "name": "", "email": "x@", "phone": ""}
    )

    html = response.content.decode()
    assert "Enter an email address such as name@example.com." in html
    assert not DJANGO_DEFAULTS.search(html)
    assert not Customer.objects.exists()


@pytest.mark.django_db
def test_a_repackage_to_something_not_listed_says_why(signed_in, agent, customer):
    catalog = seed_catalog()
    product = InstalledProductFactory(
        customer=customer,
        offering=catalog["fibre-500"],
        install_address=valid_address(customer),
        characteristics={"router": "hub-6"},
    )
    request = record_initiating_request(customer=customer, by=agent, kind="customer_request")
    draft = create_draft_order(customer=customer, by=agent, initiating_request=request)
    item = add_item(draft, by=agent, offering=product.offering, intent=ItemIntent.REPACKAGE, product=product)

    response = signed_in.post(
        reverse("console:capture", args=[draft.number, "configure"]),
        {f"i{item.pk}-offering": catalog["mobile-unlimited"].pk},
    )

    html = response.content.decode()
    assert "Choose one of the offerings listed: the others can&#x27;t be had at this address." in html
    assert not DJANGO_DEFAULTS.search(html)


@pytest.mark.django_db
@pytest.mark.parametrize("phone", ["call me", "123", "+44 12"])
def test_a_phone_number_we_cannot_call_states_the_rule(phone):
    form = CustomerForm(data={"kind": "individual", "name": "Fatima Khan", "phone": phone})

    assert not form.is_valid()
    assert form.errors["phone"] == [
        "Enter a phone number we can call: digits, spaces and + only, such as 07700 900123 or +44 7700 900123."
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("phone", ["07700 900123", "+44 7700 900123", "(0113) 496-0000"])
def test_phone_numbers_as_people_write_them_are_accepted(phone):
    form = CustomerForm(data={"kind": "individual", "name": "Fatima Khan", "phone": phone})
    assert form.is_valid(), form.errors


@pytest.mark.django_db
def test_the_order_pages_forms_state_their_rules_too(signed_in, agent, customer):
    catalog = seed_catalog()
    request = record_initiating_request(customer=customer, by=agent, kind="sales_proposal", reference="Q-1")
    order = create_draft_order(customer=customer, by=agent, initiating_request=request, special_requirements="Loft")
    add_item(order, by=agent, offering=catalog["mobile-unlimited"], characteristics={"sim_type": "esim"})
    submit_order(order, by=agent)

    note = signed_in.post(reverse("console:add-note", args=[order.number]), {"text": "n" * 4001})
    feasibility = signed_in.post(reverse("console:record-feasibility", args=[order.number]), {"result": "maybe"})

    assert note.context["note_form"].errors["text"] == ["Use at most 4000 characters; this has 4001."]
    assert feasibility.context["feasibility_form"].errors["result"] == [
        "Choose one of the options listed (maybe is not one)."
    ]
    assert not DJANGO_DEFAULTS.search(note.content.decode() + feasibility.content.decode())
