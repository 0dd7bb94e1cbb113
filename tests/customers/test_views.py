"""Customer pages of the agent console: search, step-guided creation, the 360 page and its product actions."""

from django.urls import reverse

from customers.models import Address, Contact, Customer, Interaction, ProductStatus
from orders.models import ItemIntent, Order
from tests.factories import (
    AddressFactory,
    AgentFactory,
    CustomerFactory,
    CustomerUserFactory,
    InstalledProductFactory,
    OrderItemFactory,
)


def page(response) -> str:
    return response.content.decode()


def test_customers_are_found_by_name_phone_or_address(signed_in, alice_morgan):
    AddressFactory(customer=alice_morgan, street="Mill Lane", house_number="12", postcode="RV1 2LL")
    CustomerFactory(name="Bob Hughes")

    for query in ("morgan", "900123", "12 Mill Lane", "rv1 2ll"):
        response = signed_in.get(reverse("console:customer-list"), {"q": query})
        assert [c.name for c in response.context["customers"]] == ["Alice Morgan"], query


def test_a_new_customer_is_created_with_a_primary_contact_and_then_asked_for_an_address(signed_in):
    response = signed_in.post(
        reverse("console:customer-create"),
        {"kind": "individual", "name": "Fatima Khan", "phone": "+44 7700 900555", "contact_name": ""},
    )

    customer = Customer.objects.get()
    assert response.url == reverse("console:add-address", args=[customer.number]) + "?new=1"
    contact = customer.contacts.get()
    assert (contact.name, contact.phone, contact.is_primary) == ("Fatima Khan", "+44 7700 900555", True)


def test_creating_a_customer_explains_each_problem_at_its_field(signed_in):
    response = signed_in.post(
        reverse("console:customer-create"), {"kind": "individual", "name": "Fatima Khan", "company_number": "123"}
    )

    errors = response.context["form"].errors
    assert errors["phone"] == ["Give at least a phone number or an email address."]
    assert errors["company_number"] == ["Only organisations have this; leave it empty for an individual."]
    assert not Customer.objects.exists() and not Contact.objects.exists()


def test_an_address_is_validated_with_suggestions_and_saved_in_the_reference_spelling(signed_in, customer):
    url = reverse("console:add-address", args=[customer.number])

    wrong = signed_in.post(url, {"purpose": "installation", "house_number": "12", "street": "Mil Lane"})
    assert "No street called Mil Lane" in page(wrong)
    assert 'data-street="Mill Lane"' in page(wrong)

    right = signed_in.post(url, {"purpose": "installation", "house_number": "12", "street": "mill lane"})
    assert right.url == reverse("console:customer-detail", args=[customer.number])
    address = customer.addresses.get()
    assert (str(address), address.is_validated) == ("12 Mill Lane, Riverton RV1 2LL", True)


def test_the_address_page_asks_for_completions_as_the_agent_types(signed_in, customer):
    response = signed_in.get(reverse("console:add-address", args=[customer.number]))

    assert 'data-complete-url="/agent/addresses/complete/"' in page(response)
    assert "js/address.js" in page(response)


def test_the_customer_page_offers_only_the_changes_each_product_allows(signed_in, customer, mobile):
    InstalledProductFactory(customer=customer, offering=mobile, status=ProductStatus.ACTIVE)
    InstalledProductFactory(customer=customer, offering=mobile, status=ProductStatus.SUSPENDED)
    InstalledProductFactory(customer=customer, offering=mobile, status=ProductStatus.TERMINATED)

    response = signed_in.get(reverse("console:customer-detail", args=[customer.number]))

    offered = {p.status: [intent for intent, _ in p.actions] for p in response.context["products"]}
    assert offered == {
        "active": ["change", "suspend", "change_ownership", "repackage", "discontinue"],
        "suspended": ["resume", "change_ownership", "discontinue"],
        "terminated": [],
    }


def test_a_product_with_an_open_order_links_to_it_instead_of_offering_changes(signed_in, customer, product):
    item = OrderItemFactory(order__customer=customer, product=product, intent="suspend", action="modify")

    response = signed_in.get(reverse("console:customer-detail", args=[customer.number]))

    assert response.context["products"][0].open_item == item
    assert item.order.number in page(response)


def test_suspending_a_product_starts_a_change_order_ready_for_review(signed_in, agent, product):
    response = signed_in.post(
        reverse("console:product-action", args=[product.pk, "suspend"]), {"reason": "Travelling for 3 months"}
    )

    order = Order.objects.get()
    assert response.url == reverse("console:capture", args=[order.number, "review"])
    item = order.items.get()
    assert (item.intent, item.product, order.captured_by, order.channel) == ("suspend", product, agent, "call_centre")
    assert order.initiating_request.details == "Travelling for 3 months"


def test_a_transfer_needs_the_new_owner_and_refuses_the_same_customer(signed_in, customer, product):
    url = reverse("console:product-action", args=[product.pk, ItemIntent.CHANGE_OWNERSHIP])

    missing = signed_in.post(url, {"reason": "Gift"})
    same = signed_in.post(url, {"new_owner": customer.number})

    assert missing.context["form"].errors["new_owner"] == ["This field is required."]
    assert same.context["form"].errors["new_owner"] == [
        "Choose another customer: the product already belongs to this one."
    ]
    bob = CustomerFactory(name="Bob Hughes")
    signed_in.post(url, {"new_owner": bob.number})
    assert Order.objects.get().items.get().new_owner == bob


def test_an_action_the_product_does_not_allow_is_explained(signed_in, product):
    response = signed_in.get(reverse("console:product-action", args=[product.pk, "resume"]))

    assert "it cannot be changed this way" in page(response)
    assert signed_in.get(reverse("console:product-action", args=[product.pk, "explode"])).status_code == 404


def test_a_second_open_change_for_the_same_product_is_refused_with_the_reason(signed_in, product):
    url = reverse("console:product-action", args=[product.pk, "suspend"])
    signed_in.post(url, {})

    response = signed_in.post(url, {})

    assert "already has an open order" in page(response)
    assert Order.objects.count() == 1


def test_the_new_owner_picker_lists_other_matching_customers_as_choices(signed_in, alice_morgan):
    bob = CustomerFactory(name="Bob Hughes")

    response = signed_in.get(
        reverse("console:customer-lookup"),
        {"field": "i7-new_owner", "i7-new_owner-q": "hughes", "exclude": alice_morgan.number},
    )

    assert f'name="i7-new_owner" value="{bob.number}"' in page(response)
    odd = signed_in.get(reverse("console:customer-lookup"), {"field": '"><script>', "q": "alice", "exclude": ""})
    assert 'name="customer"' in page(odd)


def test_an_interaction_is_recorded_with_the_agents_channel(client, customer):
    dealer = AgentFactory(channel="dealer")
    client.force_login(dealer)

    client.post(reverse("console:record-interaction", args=[customer.number]), {"kind": "call", "summary": "Hi"})

    interaction = Interaction.objects.get()
    assert (interaction.channel, interaction.recorded_by, interaction.summary) == ("dealer", dealer, "Hi")


def test_customers_cannot_open_the_agent_customer_pages(client, customer):
    client.force_login(CustomerUserFactory(customer=customer))

    for url in (reverse("console:customer-list"), reverse("console:customer-detail", args=[customer.number])):
        assert client.get(url).status_code == 403


def test_the_customer_page_costs_the_same_queries_however_much_the_customer_has(
    signed_in, customer, mobile, django_assert_num_queries
):
    def grow():
        product = InstalledProductFactory(customer=customer, offering=mobile)
        AddressFactory(customer=customer)
        OrderItemFactory(order__customer=customer, product=product, intent="change", action="modify")
        Interaction.objects.create(customer=customer, summary="Call")

    grow()
    url = reverse("console:customer-detail", args=[customer.number])
    signed_in.get(url)

    # session, user, groups; customer, contacts, addresses, products, open items, interactions;
    # orders, documents (no session write: the request before pushed its expiry on)
    with django_assert_num_queries(11):
        signed_in.get(url)
    for _ in range(5):
        grow()
    with django_assert_num_queries(11):
        signed_in.get(url)
    assert Address.objects.filter(customer=customer).count() == 6
