"""Repackaging in the console: only what the customer can have at the product's address is offered, and the
configuration that still applies is kept."""

import re

import pytest
from django.urls import reverse

from customers.models import ProductStatus
from orders.models import ItemIntent, LifecycleStatus, Order
from orders.services import add_item, create_draft_order, record_initiating_request
from tests.factories import InstalledProductFactory, OfferingFactory, valid_address

pytestmark = pytest.mark.usefixtures("manual_downstream")


@pytest.fixture
def fibre_line(customer, catalog):
    """Fibre 500 at 12 Mill Lane (served by fibre, VDSL, cable, 5G and 4G), with a mesh router."""
    return InstalledProductFactory(
        customer=customer,
        offering=catalog["fibre-500"],
        status=ProductStatus.ACTIVE,
        install_address=valid_address(customer, "Mill Lane", "12"),
        characteristics={"router": "mesh-pack"},
    )


@pytest.fixture
def leased_line(db):
    """A broadband offering Mill Lane cannot have: it needs an ethernet district."""
    return OfferingFactory(
        code="leased-line",
        name="Leased Line 1G",
        lifecycle_status=LifecycleStatus.LAUNCHED,
        serviceable_technologies=["ethernet"],
        requires_install_address=True,
    )


def offered(html: str) -> set[str]:
    select = re.search(r'<select name="[^"]*offering"[^>]*>(.*?)</select>', html, re.S).group(1)
    return {label.strip() for label in re.findall(r"<option[^>]*>([^<]+)</option>", select)}


def test_the_repackage_page_offers_only_what_qualifies_and_says_why_not_for_the_rest(
    signed_in, fibre_line, leased_line
):
    response = signed_in.get(reverse("console:product-action", args=[fibre_line.pk, "repackage"]))

    html = response.content.decode()
    assert offered(html) == {"Choose the new offering…", "Fibre Broadband 150", "Fibre Broadband 900"}
    assert "Not offered here:" in html
    assert "Leased Line 1G is not available at 12 Mill Lane" in html
    assert 'aria-describedby="id_new_offering_helptext new-offering-unavailable"' in html
    assert 'id="new-offering-unavailable"' in html


def test_an_offering_that_does_not_qualify_is_refused_if_posted_anyway(signed_in, fibre_line, leased_line):
    response = signed_in.post(
        reverse("console:product-action", args=[fibre_line.pk, "repackage"]), {"new_offering": leased_line.pk}
    )

    assert (
        "Choose one of the offerings listed: the others can&#x27;t be had at this address." in response.content.decode()
    )
    assert not Order.objects.exists()


def test_the_repackage_page_keeps_the_router_when_moving_from_fibre_500_to_900(signed_in, fibre_line, catalog):
    response = signed_in.post(
        reverse("console:product-action", args=[fibre_line.pk, "repackage"]),
        {"new_offering": catalog["fibre-900"].pk, "reason": "Wants more speed"},
        follow=True,
    )

    item = Order.objects.get().items.get()
    assert (item.offering.code, item.characteristics) == ("fibre-900", {"router": "mesh-pack"})
    assert re.search(r'value="mesh-pack"[^>]*selected', response.content.decode())


def test_the_configure_steps_repackage_list_is_qualified_too(signed_in, agent, customer, fibre_line, leased_line):
    request = record_initiating_request(customer=customer, by=agent, kind="customer_request")
    draft = create_draft_order(customer=customer, by=agent, initiating_request=request)
    add_item(
        draft,
        by=agent,
        offering=fibre_line.offering,
        intent=ItemIntent.REPACKAGE,
        product=fibre_line,
        install_address=fibre_line.install_address,
    )

    response = signed_in.get(reverse("console:capture", args=[draft.number, "configure"]))

    html = response.content.decode()
    assert offered(html) == {"Choose the new offering…", "Fibre Broadband 150", "Fibre Broadband 900"}
    assert "Leased Line 1G is not available at 12 Mill Lane" in html
