"""Self-service (issue 16): the details step asks the qualification service, the price comes before the
buttons, a physical SIM says where it is posted, and an amended order says what changed."""

import pytest
from django.urls import reverse

from customers.models import Address, Channel
from orders.services import start_amendment, submit_order, update_item
from ordersite.selfservice.presenters import Change, amendment_changes
from tests.factories import AgentFactory, FulfilmentStepFactory, OfferingFactory
from tests.selfservice_helpers import (
    NO_FIBRE_STREET,
    customer_login,
    fibre_offering,
    place_order,
    signed_in,
    text_of,
    validated_address,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("manual_downstream")]

SIM = {
    "name": "sim_type",
    "label": "SIM",
    "type": "choice",
    "required": True,
    "choices": [{"value": "physical", "label": "Physical SIM"}, {"value": "esim", "label": "eSIM"}],
}
SPEND_CAP = {"name": "spend_cap", "label": "Monthly spend cap (GBP)", "type": "number", "min": 0, "max": 500}


def sim_offering():
    offering = OfferingFactory(
        code="mobile-unlimited",
        name="Mobile Unlimited",
        category="mobile",
        recurring_price="20.00",
        requires_install_address=False,
        data_requirements=[SIM, SPEND_CAP],
    )
    ship = FulfilmentStepFactory(
        offering=offering, code="ship-sim", name="Ship SIM", system="logistics", applies_when={"sim_type": "physical"}
    )
    FulfilmentStepFactory(offering=offering, code="activate-sim", name="Activate SIM", sequence=20).depends_on.set(
        [ship]
    )
    return offering


def online_draft(customer_user, offering, characteristics):
    draft = place_order(customer_user, customer_user.customer, offering, characteristics, submit=False)
    draft.channel = Channel.SELF_SERVICE
    draft.save(update_fields=["channel"])
    return draft


# --- qualification on the details step ----------------------------------------------------------


def test_the_details_step_offers_only_the_addresses_the_qualification_service_accepts(client):
    alice = customer_login()
    validated_address(alice.customer, NO_FIBRE_STREET)
    draft = online_draft(alice, fibre_offering(), {"router": "hub-6"})

    response = signed_in(client, alice).get(reverse("selfservice:my-order-details", args=[draft.number]))

    page = text_of(response)
    assert "Installed at 12 Mill Lane" in page
    assert [a.street for a in response.context["delivery"].addresses.values()] == ["Mill Lane"]
    assert "Fibre Broadband 500 is not available at 9 Church Lane" in page
    assert "it needs Fibre (FTTP)" in page


def test_an_address_the_service_refuses_cannot_be_posted(client):
    alice = customer_login()
    elsewhere = validated_address(alice.customer, NO_FIBRE_STREET)
    draft = online_draft(alice, fibre_offering(), {"router": "hub-6"})

    response = signed_in(client, alice).post(
        reverse("selfservice:my-order-details", args=[draft.number]),
        {"c-router": "hub-6", "install_address": str(elsewhere.pk)},
    )

    assert response.status_code in (200, 302)
    assert draft.items.get().install_address.street == "Mill Lane"


# --- the price before the buttons ----------------------------------------------------------------


def test_the_details_step_puts_the_price_and_totals_before_the_buttons(client):
    alice = customer_login()
    draft = online_draft(alice, fibre_offering(), {"router": "hub-6"})

    page = text_of(signed_in(client, alice).get(reverse("selfservice:my-order-details", args=[draft.number])))

    buttons = page.index("Choose something else")
    assert page.index("£37.99") < page.rindex("Total", 0, buttons) < buttons < page.rindex("Continue")
    assert "£29.00" in page[: page.index("Choose something else")]


# --- where the SIM goes --------------------------------------------------------------------------


def test_a_physical_sim_says_where_it_is_posted_and_an_esim_does_not(client):
    alice = customer_login()
    Address.objects.filter(customer=alice.customer).update(purpose=Address.Purpose.POSTAL)
    offering = sim_offering()
    physical = online_draft(alice, offering, {"sim_type": "physical"})
    esim = online_draft(alice, offering, {"sim_type": "esim"})
    signed_in(client, alice)

    for view in ("my-order-details", "my-order-review", "my-order"):
        assert "Your SIM is posted to 12 Mill Lane" in text_of(
            client.get(reverse(f"selfservice:{view}", args=[physical.number]))
        )
        assert "posted to" not in text_of(client.get(reverse(f"selfservice:{view}", args=[esim.number])))


# --- what an amendment changed -------------------------------------------------------------------


def amended(alice, before, after):
    agent = AgentFactory()
    order = place_order(agent, alice.customer, sim_offering(), before)
    revision = start_amendment(order, by=agent)
    update_item(revision.items.get(), by=agent, characteristics=after)
    submit_order(revision, by=agent)
    order.refresh_from_db()
    revision.refresh_from_db()
    return order, revision


def test_the_changes_read_in_the_customers_words():
    alice = customer_login()
    order, revision = amended(alice, {"sim_type": "physical", "spend_cap": 40}, {"sim_type": "esim", "spend_cap": 60})

    assert amendment_changes(order, revision) == [
        Change("SIM", "Physical SIM", "eSIM"),
        Change("Monthly spend cap", "£40", "£60"),
    ]
    assert str(Change("Monthly spend cap", "£40", "£60")) == "Monthly spend cap: £40 → £60"


def test_the_amended_order_shows_what_changed_and_the_replaced_one_points_to_it(client):
    alice = customer_login()
    order, revision = amended(
        alice, {"sim_type": "physical", "spend_cap": 40}, {"sim_type": "physical", "spend_cap": 60}
    )
    signed_in(client, alice)

    page = text_of(client.get(reverse("selfservice:my-order", args=[revision.number])))
    assert "What we changed" in page
    assert f"This order replaces {order.number}" in page
    assert "Monthly spend cap: £40 → £60" in page

    old_page = text_of(client.get(reverse("selfservice:my-order", args=[order.number])))
    assert "What changes in the new order" in old_page
    assert "Monthly spend cap: £40 → £60" in old_page


def test_an_order_never_amended_shows_no_changes(client):
    alice = customer_login()
    order = place_order(AgentFactory(), alice.customer, sim_offering(), {"sim_type": "physical"})

    page = text_of(signed_in(client, alice).get(reverse("selfservice:my-order", args=[order.number])))

    assert "What we changed" not in page
