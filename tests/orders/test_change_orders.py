"""Orders that change what a customer already has, and the requests that make no sense."""

import pytest
from django.core.exceptions import PermissionDenied

from customers.models import ProductStatus
from orders.models import ItemAction, ItemIntent, OrderState
from orders.services import ActionRefused, OrderIncomplete, create_change_order, request_cancellation, submit_order
from tests.factories import SIM_TYPE, CustomerFactory, InstalledProductFactory, OfferingFactory


@pytest.mark.parametrize(
    ("intent", "status", "action"),
    [
        (ItemIntent.CHANGE, ProductStatus.ACTIVE, ItemAction.MODIFY),
        (ItemIntent.SUSPEND, ProductStatus.ACTIVE, ItemAction.MODIFY),
        (ItemIntent.RESUME, ProductStatus.SUSPENDED, ItemAction.MODIFY),
        (ItemIntent.DISCONTINUE, ProductStatus.ACTIVE, ItemAction.DELETE),
        (ItemIntent.DISCONTINUE, ProductStatus.SUSPENDED, ItemAction.DELETE),
    ],
)
def test_each_change_intent_becomes_an_order_that_is_issued(product, agent, intent, status, action):
    product.status = status
    product.save()

    order = create_change_order(product, intent=intent, by=agent, reason="Customer called")

    item = order.items.get()
    assert (item.intent, item.action, item.product) == (intent, action, product)
    assert order.initiating_request.kind == "customer_request"
    assert submit_order(order, by=agent).issued


def test_a_change_carries_the_new_characteristics(product, agent):
    order = create_change_order(product, intent=ItemIntent.CHANGE, by=agent, characteristics={"sim_type": "esim"})
    assert order.items.get().characteristics == {"sim_type": "esim"}


def test_invalid_new_characteristics_are_caught_on_submission(product, agent):
    order = create_change_order(product, intent=ItemIntent.CHANGE, by=agent, characteristics={"sim_type": "fax"})
    with pytest.raises(OrderIncomplete, match=r"items\[0\].characteristics.sim_type"):
        submit_order(order, by=agent)


def test_ownership_moves_to_another_customer(product, agent):
    new_owner = CustomerFactory()
    order = create_change_order(product, intent=ItemIntent.CHANGE_OWNERSHIP, by=agent, new_owner=new_owner)
    assert order.items.get().new_owner == new_owner
    assert submit_order(order, by=agent).issued


def test_repackaging_orders_the_new_offering_for_the_old_product(product, agent):
    bundle = OfferingFactory(code="mobile-bundle", requires_install_address=False, data_requirements=[SIM_TYPE])
    order = create_change_order(
        product, intent=ItemIntent.REPACKAGE, by=agent, new_offering=bundle, characteristics={"sim_type": "esim"}
    )
    item = order.items.get()
    assert (item.offering, item.product, item.action) == (bundle, product, ItemAction.MODIFY)
    assert submit_order(order, by=agent).issued


@pytest.mark.parametrize(
    ("intent", "status", "message"),
    [
        (ItemIntent.RESUME, ProductStatus.ACTIVE, "Cannot resume Mobile: it is active, and must be suspended."),
        (ItemIntent.SUSPEND, ProductStatus.TERMINATED, "it is terminated"),
        (ItemIntent.SUSPEND, ProductStatus.SUSPENDED, "it is suspended"),
        (ItemIntent.CHANGE, ProductStatus.CANCELLED, "it is cancelled"),
        (ItemIntent.DISCONTINUE, ProductStatus.TERMINATED, "it is terminated"),
    ],
)
def test_changes_that_make_no_sense_are_refused(product, agent, intent, status, message):
    product.status = status
    product.save()
    with pytest.raises(ActionRefused, match=message):
        create_change_order(product, intent=intent, by=agent)
    assert not product.customer.orders.exists()


def test_transfer_to_the_same_customer_is_refused(product, agent):
    with pytest.raises(ActionRefused, match="already belongs to this customer"):
        create_change_order(product, intent=ItemIntent.CHANGE_OWNERSHIP, by=agent, new_owner=product.customer)


def test_repackaging_into_the_same_offering_is_refused(product, agent):
    with pytest.raises(ActionRefused, match="different offering"):
        create_change_order(product, intent=ItemIntent.REPACKAGE, by=agent, new_offering=product.offering)


def test_a_product_with_an_open_order_cannot_get_a_second_one(product, agent):
    first = create_change_order(product, intent=ItemIntent.SUSPEND, by=agent)
    with pytest.raises(ActionRefused, match=f"already has an open order: {first.number}"):
        create_change_order(product, intent=ItemIntent.DISCONTINUE, by=agent)


def test_a_cancelled_change_order_frees_the_product(product, agent):
    first = create_change_order(product, intent=ItemIntent.SUSPEND, by=agent)
    submit_order(first, by=agent)
    request_cancellation(first, by=agent, reason="Customer changed their mind")
    assert first.__class__.objects.get(pk=first.pk).state == OrderState.CANCELLED
    assert create_change_order(product, intent=ItemIntent.DISCONTINUE, by=agent).items.get().action == "delete"


def test_a_customer_changes_only_their_own_products(product, customer_user):
    with pytest.raises(PermissionDenied):
        create_change_order(product, intent=ItemIntent.SUSPEND, by=customer_user)
    own = InstalledProductFactory(
        customer=customer_user.customer, offering=product.offering, characteristics={"sim_type": "esim"}
    )
    order = create_change_order(own, intent=ItemIntent.SUSPEND, by=customer_user)
    assert order.channel == "self_service"
