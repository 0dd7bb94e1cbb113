"""A draft nobody will send can be discarded: kept and cancelled for the record, never announced."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from customers.models import Channel
from orders.models import ItemState, OrderState, OutboxEvent
from orders.services import (
    ActionRefused,
    add_item,
    create_draft_order,
    discard_draft,
    record_initiating_request,
    submit_order,
)
from tests.factories import CustomerFactory, CustomerUserFactory, OfferingFactory

pytestmark = pytest.mark.django_db


def draft_for(customer, by):
    request = record_initiating_request(customer=customer, by=by, kind="customer_request")
    order = create_draft_order(customer=customer, by=by, initiating_request=request)
    add_item(order, by=by, offering=OfferingFactory(requires_install_address=False))
    return order


def test_a_discarded_draft_is_cancelled_with_who_and_why_and_nothing_is_published(agent):
    order = draft_for(CustomerFactory(), agent)

    discard_draft(order, by=agent, reason="Customer went with a competitor")

    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED and order.completed_at is not None
    assert [i.state for i in order.items.all()] == [ItemState.CANCELLED]
    event = order.events.get()
    assert (event.transition, event.from_state, event.actor, event.note) == (
        "discard",
        OrderState.DRAFT,
        agent,
        "Customer went with a competitor",
    )
    assert not OutboxEvent.objects.filter(order=order).exists()


def test_a_submitted_order_cannot_be_discarded(agent):
    order = draft_for(CustomerFactory(), agent)
    submit_order(order, by=agent)

    with pytest.raises(ActionRefused, match="request its cancellation"):
        discard_draft(order, by=agent)


def test_customers_discard_their_own_drafts_only():
    owner = CustomerUserFactory()
    order = draft_for(owner.customer, owner)

    with pytest.raises(PermissionDenied):
        discard_draft(order, by=CustomerUserFactory())
    discard_draft(order, by=owner)

    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED


def test_the_agent_discards_a_draft_from_the_console(client, agent):
    customer = CustomerFactory()
    order = draft_for(customer, agent)
    client.force_login(agent)
    assert client.get(reverse("console:discard", args=[order.number])).status_code == 405

    response = client.post(reverse("console:discard", args=[order.number]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("console:customer-detail", args=[customer.number])
    assert f"Draft {order.number} discarded" in response.content.decode()
    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED
    assert order not in client.get(reverse("console:agent-home")).context["drafts"]


def test_the_order_page_offers_discard_only_for_drafts(client, agent):
    order = draft_for(CustomerFactory(), agent)
    client.force_login(agent)
    url = reverse("console:order-detail", args=[order.number])
    assert "Discard draft" in client.get(url).content.decode()

    submit_order(order, by=agent)

    assert "Discard draft" not in client.get(url).content.decode()
    response = client.post(reverse("console:discard", args=[order.number]), follow=True)
    assert "request its cancellation instead" in response.content.decode()


def test_a_customer_deletes_an_unsent_online_order_and_no_longer_sees_it(client):
    alice = CustomerUserFactory()
    order = draft_for(alice.customer, alice)
    assert order.channel == Channel.SELF_SERVICE
    client.force_login(alice)
    assert (
        "Delete this unsent order" in client.get(reverse("selfservice:my-order", args=[order.number])).content.decode()
    )

    response = client.post(reverse("selfservice:my-order-discard", args=[order.number]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("selfservice:my-orders")
    page = response.content.decode()
    assert "is deleted. Nothing was ordered." in page
    assert order.number not in page.replace(f"Your unsent order {order.number}", "")
    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED


def test_a_customer_cannot_delete_a_draft_our_team_is_preparing(client, agent):
    alice = CustomerUserFactory()
    order = draft_for(alice.customer, agent)
    client.force_login(alice)

    response = client.post(reverse("selfservice:my-order-discard", args=[order.number]), follow=True)

    assert "Our team is preparing" in response.content.decode()
    order.refresh_from_db()
    assert order.state == OrderState.DRAFT
