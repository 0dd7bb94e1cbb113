"""Qualification comes first: capture's products step and self-service offer only what the customer can have."""

import pytest
from django.urls import reverse

from customers.models import InstalledProduct, ProductStatus
from orders.models import ItemIntent, Order, ProductOffering
from orders.services import add_item, create_draft_order, record_initiating_request, submit_order
from tests.factories import CustomerUserFactory, InstalledProductFactory, OrganisationFactory, valid_address
from tests.selfservice_helpers import NO_FIBRE_STREET, customer_login, text_of
from tests.selfservice_helpers import signed_in as signed_in_as

pytestmark = pytest.mark.usefixtures("manual_downstream")


def draft_for(customer, agent):
    request = record_initiating_request(customer=customer, by=agent, kind="sales_proposal", reference="Q-1")
    return create_draft_order(customer=customer, by=agent, initiating_request=request)


def products_url(order, **query):
    url = reverse("console:capture", args=[order.number, "products"])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def no_fibre_address(customer):
    street, number, postcode = NO_FIBRE_STREET
    return valid_address(customer, street=street, number=number, postcode=postcode)


def test_the_products_step_lists_what_the_customer_cannot_have_here_with_the_reason(
    signed_in, agent, customer, catalog
):
    address = no_fibre_address(customer)
    order = draft_for(customer, agent)

    response = signed_in.get(products_url(order))
    page = text_of(response)

    assert f"Availability at {address}" in page and "Served by 4G mobile and VDSL (copper)." in page
    offered = {o.code for o in response.context["offerings"]}
    assert offered == {"mobile-unlimited"}
    refused = {a.offering.code: a.explanation for a in response.context["unavailable"]}
    assert refused["fibre-150"].startswith(f"Fibre Broadband 150 is not available at {address}: it needs Fibre")
    assert refused["hosted-pbx"] == "Hosted Voice PBX is sold to organisations only."
    assert f"Fibre Broadband 150 is not available at {address}" in page
    assert "Add Fibre Broadband 150" not in page and "Add Mobile Unlimited" in page


def test_the_agent_can_check_another_install_address(signed_in, agent, customer, catalog):
    no_fibre_address(customer)
    served = valid_address(customer)  # 12 Mill Lane, Riverton Centre: fibre
    order = draft_for(customer, agent)

    response = signed_in.get(products_url(order, place=served.pk))

    assert response.context["place"] == served
    assert {"fibre-150", "fibre-500", "fibre-900"} <= {o.code for o in response.context["offerings"]}
    assert 'name="place"' in response.content.decode()


def test_adding_an_offering_the_customer_cannot_have_is_refused_with_the_reason(signed_in, agent, customer, catalog):
    address = no_fibre_address(customer)
    order = draft_for(customer, agent)

    response = signed_in.post(
        products_url(order), {"offering": catalog["fibre-150"].pk, "place": address.pk}, follow=True
    )
    assert not order.items.exists()
    assert f"Fibre Broadband 150 is not available at {address}" in text_of(response)

    response = signed_in.post(products_url(order), {"offering": catalog["hosted-pbx"].pk}, follow=True)
    assert not order.items.exists()
    assert "Hosted Voice PBX is sold to organisations only." in text_of(response)


def test_an_add_on_is_offered_once_its_product_is_in_the_order(signed_in, agent, customer, catalog):
    valid_address(customer)
    order = draft_for(customer, agent)
    assert "tv-essentials" in {a.offering.code for a in signed_in.get(products_url(order)).context["unavailable"]}

    signed_in.post(products_url(order), {"offering": catalog["fibre-500"].pk})
    signed_in.post(products_url(order), {"offering": catalog["tv-essentials"].pk})

    assert [i.offering.code for i in order.items.order_by("item_id")] == ["fibre-500", "tv-essentials"]


def test_an_add_on_is_offered_to_a_customer_holding_its_product_but_not_one_it_is_leaving_or_left(
    signed_in, agent, customer, catalog
):
    valid_address(customer)
    order = draft_for(customer, agent)
    product = InstalledProductFactory(customer=customer, offering=catalog["fibre-150"])

    def offered():
        return {o.code for o in signed_in.get(products_url(order)).context["offerings"]}

    for status, holds in [
        (ProductStatus.PENDING_TERMINATE, False),
        (ProductStatus.TERMINATED, False),
        (ProductStatus.CREATED, False),
        (ProductStatus.PENDING_ACTIVE, True),
        (ProductStatus.SUSPENDED, True),
        (ProductStatus.ACTIVE, True),
    ]:
        InstalledProduct.objects.filter(pk=product.pk).update(status=status)
        assert ("tv-essentials" in offered()) is holds, status


def test_an_organisation_is_offered_the_business_products(signed_in, agent, catalog):
    company = OrganisationFactory()
    valid_address(company, street="Harbour Way", number="5", postcode="")  # Harbourside: fibre and ethernet
    order = draft_for(company, agent)

    offered = {o.code for o in signed_in.get(products_url(order)).context["offerings"]}

    assert {"hosted-pbx", "dedicated-internet", "sd-wan"} <= offered


def test_the_products_step_costs_the_same_queries_for_a_larger_catalog(
    signed_in, agent, customer, catalog, django_assert_num_queries, django_assert_max_num_queries
):
    valid_address(customer)
    order = draft_for(customer, agent)
    signed_in.get(products_url(order))
    with django_assert_max_num_queries(100) as small:
        signed_in.get(products_url(order))
    queries = len(small.captured_queries)
    for number in range(15):
        ProductOffering.objects.create(code=f"extra-{number}", name=f"Extra {number}", category="tv")
    assert len(signed_in.get(products_url(order)).context["offerings"]) > 15  # the changed catalog, loaded once
    with django_assert_num_queries(queries):
        signed_in.get(products_url(order))


def test_the_products_step_costs_the_same_seven_queries_whatever_the_customer_holds_and_orders(
    signed_in, agent, customer, catalog, django_assert_num_queries
):
    address = valid_address(customer)
    no_fibre_address(customer)

    def draft_holding(count):
        order = draft_for(customer, agent)
        for _ in range(count):
            product = InstalledProductFactory(customer=customer, offering=catalog["fibre-150"], install_address=address)
            add_item(order, by=agent, offering=catalog["fibre-500"], install_address=address)
            add_item(order, by=agent, offering=product.offering, intent=ItemIntent.CHANGE, product=product)
        return order

    small, large = draft_holding(1), draft_holding(5)
    signed_in.get(products_url(small, place=address.pk))

    # session, user, groups; the order (with its customer and request) and its items; the customer's
    # products (which also say what an add-on's prerequisites are met by) and install addresses. The
    # offerings are kept in memory and their version in the cache. No session write: the request before
    # pushed it on.
    for order, changed in ((small, 1), (large, 5)):
        with django_assert_num_queries(7):
            response = signed_in.get(products_url(order, place=address.pk))
        assert response.context["place"] == address
        assert {"fibre-150", "tv-essentials"} <= {o.code for o in response.context["offerings"]}
        products = response.context["products"]
        assert len(products) == 6 and all(product.actions for product in products)
        assert sum(product.in_this_order for product in products) == changed


def test_submission_refuses_what_qualification_refuses(agent, catalog):
    customer = customer_login().customer
    order = draft_for(customer, agent)
    add_item(order, by=agent, offering=catalog["hosted-pbx"], install_address=customer.addresses.get())

    outcome = submit_order(order, by=agent, reject_if_incomplete=True)

    assert "items[0].offering: Hosted Voice PBX is sold to organisations only" in outcome.rejected_reasons


# --- self-service ------------------------------------------------------------------------------


def test_self_service_never_offers_a_person_the_business_products(client, catalog):
    alice = customer_login()
    signed_in_as(client, alice)

    page = text_of(client.get(reverse("selfservice:my-order-new")))

    assert "Choose Fibre Broadband 500" in page
    for name in ("Hosted Voice PBX", "Dedicated Internet Access", "Managed SD-WAN"):
        assert name not in page

    client.post(reverse("selfservice:my-order-new"), {"offering": catalog["hosted-pbx"].pk})
    assert not Order.objects.exists()


def test_self_service_offers_an_organisation_its_business_products(client, catalog):
    user = CustomerUserFactory(customer=OrganisationFactory())
    valid_address(user.customer, street="Harbour Way", number="5", postcode="")
    signed_in_as(client, user)

    page = text_of(client.get(reverse("selfservice:my-order-new")))

    assert "Hosted Voice PBX" in page


def test_self_service_says_an_add_on_is_not_available_where_its_product_is_not_either(client, catalog):
    alice = customer_login(street=NO_FIBRE_STREET)
    signed_in_as(client, alice)

    page = text_of(client.get(reverse("selfservice:my-order-new")))

    assert (
        "TV Essentials add-on · Not available at your address: it needs Fibre (FTTP), "
        "and your address has 4G mobile and VDSL (copper)." in page
    )
