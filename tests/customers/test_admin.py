"""Supervisors maintain customers and the installed base in the admin; searches use exact keys or names."""

import pytest

from customers.models import InstalledProduct
from orders.models import OrderState
from tests.factories import CustomerFactory, InstalledProductFactory, OfferingFactory, OrderFactory

pytestmark = pytest.mark.django_db

CUSTOMERS = "/admin/customers/customer/"
PRODUCTS = "/admin/customers/installedproduct/"


@pytest.mark.parametrize("term", ["{number}", "{number_lower}", "ada.lovelace@example.com", "lovel", "+44 7700 900321"])
def test_a_supervisor_finds_a_customer_by_number_email_phone_or_name(client, supervisor, term):
    ada = CustomerFactory(name="Ada Lovelace", email="ada.lovelace@example.com", phone="+44 7700 900321")
    CustomerFactory(name="Charles Babbage")
    client.force_login(supervisor)

    query = term.format(number=ada.number, number_lower=ada.number.lower())
    results = client.get(CUSTOMERS, {"q": query}).context["cl"].result_list

    assert [c.pk for c in results] == [ada.pk]


def test_the_customer_page_lists_the_latest_orders_and_links_to_all_of_them(client, supervisor):
    customer = CustomerFactory()
    orders = [OrderFactory(customer=customer, state=OrderState.IN_PROGRESS) for _ in range(2)]
    OrderFactory()  # someone else's
    client.force_login(supervisor)

    page = client.get(f"{CUSTOMERS}{customer.pk}/change/").content.decode()
    assert all(order.number in page for order in orders)

    listed = client.get("/admin/orders/order/", {"customer__id__exact": customer.pk}).context["cl"].result_list
    assert {o.pk for o in listed} == {o.pk for o in orders}


def test_installed_product_characteristics_are_validated_against_the_offering_on_save(client, supervisor):
    offering = OfferingFactory(data_requirements=[{"name": "speed", "type": "number", "min": 10, "required": True}])
    product = InstalledProductFactory(offering=offering, characteristics={"speed": 100})
    client.force_login(supervisor)
    form = {
        "customer": product.customer_id,
        "offering": offering.pk,
        "name": product.name,
        "status": "active",
        "characteristics": '{"speed": 5}',
    }

    response = client.post(f"{PRODUCTS}{product.pk}/change/", form)

    assert response.status_code == 200
    assert "speed" in str(response.context["adminform"].form.errors["characteristics"])
    assert InstalledProduct.objects.get(pk=product.pk).characteristics == {"speed": 100}

    response = client.post(f"{PRODUCTS}{product.pk}/change/", {**form, "characteristics": '{"speed": 50}'})
    assert response.status_code == 302
    assert InstalledProduct.objects.get(pk=product.pk).characteristics == {"speed": 50}


def test_the_product_page_offers_no_list_of_every_order_item(client, supervisor):
    product = InstalledProductFactory()
    client.force_login(supervisor)

    form = client.get(f"{PRODUCTS}{product.pk}/change/").context["adminform"].form

    assert "last_order_item" not in form.fields
    assert "customer" in form.fields and form.fields["customer"].widget.__class__.__name__ == "ForeignKeyRawIdWidget"


def test_the_customer_page_costs_the_same_queries_for_few_or_many_products(
    client, supervisor, django_assert_num_queries
):
    customer = CustomerFactory()
    client.force_login(supervisor)
    url = f"{CUSTOMERS}{customer.pk}/change/"
    InstalledProductFactory(customer=customer)
    client.get(url)

    # 3 shared by every page (session, user, groups; the permissions are in the cache, and the request
    # before pushed the session's expiry on), the customer, its latest orders, and one query per inline:
    # contacts, addresses, products, interactions.
    with django_assert_num_queries(3 + 2 + 4):
        client.get(url)
    for _ in range(10):
        InstalledProductFactory(customer=customer, offering=OfferingFactory())
    with django_assert_num_queries(3 + 2 + 4):
        client.get(url)


def test_agents_may_look_but_not_change_the_installed_base(client, agent):
    agent.is_staff = True
    agent.save()
    product = InstalledProductFactory()
    client.force_login(agent)

    assert client.get(f"{PRODUCTS}{product.pk}/change/").status_code == 200
    response = client.post(f"{PRODUCTS}{product.pk}/change/", {"name": "Renamed"})
    assert response.status_code == 403
    assert InstalledProduct.objects.get(pk=product.pk).name != "Renamed"
