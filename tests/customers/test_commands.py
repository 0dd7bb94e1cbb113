"""Customers' commands: what each writes, who may call it, and that a refusal writes nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from customers import commands
from customers.models import Address, Contact, Customer, CustomerKind, Interaction
from orders.clients import create_api_client
from tests.factories import AgentFactory, CustomerFactory, CustomerUserFactory, SupervisorFactory

pytestmark = pytest.mark.django_db

MILL_LANE = {"purpose": "installation", "house_number": "12", "street": "mill lane"}
NOWHERE = {"purpose": "installation", "house_number": "12", "street": "Mil Lane"}


def nothing_written():
    return not (Customer.objects.exists() or Contact.objects.exists() or Address.objects.exists()) and not (
        Interaction.objects.exists()
    )


# --- create_customer ---------------------------------------------------------------------------


def test_an_agent_creates_a_customer_with_a_primary_contact_and_an_installation_address():
    agent = AgentFactory(channel="retail")

    customer = commands.create_customer(
        by=agent,
        channel=agent.channel,
        kind=CustomerKind.INDIVIDUAL,
        name="Fatima Khan",
        phone="+44 7700 900555",
        contact_name="Ali Khan",
        addresses=[MILL_LANE],
    )

    customer.refresh_from_db()
    assert customer.number == f"CUS-{customer.pk:06d}"
    contact = customer.contacts.get()
    assert (contact.name, contact.phone, contact.is_primary) == ("Ali Khan", "+44 7700 900555", True)
    address = customer.addresses.get()
    assert (str(address), address.is_validated) == ("12 Mill Lane, Riverton RV1 2LL", True)
    assert not customer.interactions.exists()  # the console records none for a new customer


def test_the_contact_takes_the_customers_name_and_no_contact_is_made_without_a_way_to_reach_them():
    agent = AgentFactory()

    reachable = commands.create_customer(by=agent, channel=agent.channel, kind="individual", name="A", email="a@x.io")
    unreachable = commands.create_customer(by=agent, channel=agent.channel, kind="individual", name="B")

    assert reachable.contacts.get().name == "A"
    assert not unreachable.contacts.exists()


def test_an_api_client_creates_a_customer_it_may_then_act_for_with_a_note():
    client, _ = create_api_client(name="Retail partner", channel="retail")

    customer = commands.create_customer(
        by=client.user,
        channel=client.channel,
        kind=CustomerKind.ORGANISATION,
        name="Quinn Ltd",
        email="quinn@example.com",
        status="prospect",
        note="Created by the partner.",
        api_client=client,
    )

    assert client.customers.filter(pk=customer.pk).exists()
    assert customer.status == "prospect"
    note = customer.interactions.get()
    assert (note.kind, note.channel, note.recorded_by, note.summary) == (
        "note",
        "retail",
        client.user,
        "Created by the partner.",
    )


@pytest.mark.parametrize("actor", [CustomerUserFactory, lambda: create_api_client(name="Partner")[0].user])
def test_only_staff_and_an_api_client_acting_for_itself_may_create_customers(actor):
    by = actor()
    before = Customer.objects.count()

    with pytest.raises(PermissionDenied):
        commands.create_customer(by=by, channel="call_centre", kind="individual", name="Eve", phone="1")

    assert Customer.objects.count() == before


def test_an_api_client_cannot_create_customers_through_another_users_name():
    client, _ = create_api_client(name="Partner")
    other, _ = create_api_client(name="Other")

    with pytest.raises(PermissionDenied):
        commands.create_customer(by=other.user, channel="api", kind="individual", name="Eve", api_client=client)


def test_an_unknown_installation_address_refuses_the_customer_with_suggestions_and_writes_nothing():
    agent = AgentFactory()

    with pytest.raises(commands.AddressRefused) as refused:
        commands.create_customer(
            by=agent, channel=agent.channel, kind="individual", name="Fatima Khan", phone="1", addresses=[NOWHERE]
        )

    assert "No street called Mil Lane" in refused.value.message_dict["street"][0]
    assert "Mill Lane" in [s.street for s in refused.value.check.suggestions]
    assert nothing_written()


def test_the_customers_own_rules_refuse_it_and_write_nothing():
    agent = AgentFactory()

    with pytest.raises(ValidationError):
        commands.create_customer(
            by=agent, channel=agent.channel, kind="individual", name="Fatima Khan", phone="1", company_number="123"
        )

    assert nothing_written()


# --- add_address -------------------------------------------------------------------------------


def test_an_address_is_added_in_the_reference_spelling():
    customer = CustomerFactory()

    address = commands.add_address(customer, by=AgentFactory(), **MILL_LANE)

    address.refresh_from_db()
    assert (address.customer, str(address), address.is_validated) == (customer, "12 Mill Lane, Riverton RV1 2LL", True)
    assert address.reference_street is not None and address.validated_at is not None


def test_a_billing_address_outside_the_reference_data_is_kept_unvalidated():
    customer = CustomerFactory()

    address = commands.add_address(
        customer, by=AgentFactory(), purpose="billing", house_number="10", street="Downing Street", postcode="SW1A 2AA"
    )

    assert (address.pk is not None, address.is_validated) == (True, False)


def test_an_unknown_installation_address_is_refused_and_nothing_is_written():
    customer = CustomerFactory()

    with pytest.raises(commands.AddressRefused) as refused:
        commands.add_address(customer, by=AgentFactory(), **NOWHERE)

    assert set(refused.value.message_dict) == set(refused.value.check.errors)
    assert not Address.objects.exists()


def test_a_customer_login_may_not_add_an_address():
    customer = CustomerFactory()

    with pytest.raises(PermissionDenied):
        commands.add_address(customer, by=CustomerUserFactory(customer=customer), **MILL_LANE)

    assert not Address.objects.exists()


# --- record_interaction ------------------------------------------------------------------------


def test_an_interaction_is_recorded_by_its_author_in_their_channel():
    customer, supervisor = CustomerFactory(), SupervisorFactory(channel="dealer")

    interaction = commands.record_interaction(
        customer, by=supervisor, kind="visit", channel=supervisor.channel, summary="Came in about the router."
    )

    assert Interaction.objects.get() == interaction
    assert (interaction.customer, interaction.kind, interaction.channel, interaction.recorded_by) == (
        customer,
        "visit",
        "dealer",
        supervisor,
    )


def test_an_interaction_without_a_summary_is_refused_and_nothing_is_written():
    customer = CustomerFactory()

    with pytest.raises(ValidationError) as refused:
        commands.record_interaction(customer, by=AgentFactory(), kind="call", channel="call_centre", summary="")

    assert "summary" in refused.value.message_dict
    assert not Interaction.objects.exists()


def test_a_customer_login_may_not_record_interactions():
    customer = CustomerFactory()

    with pytest.raises(PermissionDenied):
        commands.record_interaction(
            customer, by=CustomerUserFactory(customer=customer), kind="note", channel="self_service", summary="Hi"
        )

    assert not Interaction.objects.exists()


# --- change_customer and delete_customer -----------------------------------------------------------


def test_an_agent_changes_a_customers_phone_and_the_primary_contact_follows():
    agent = AgentFactory()
    customer = commands.create_customer(
        by=agent, channel="call_centre", kind=CustomerKind.INDIVIDUAL, name="Ann Lee", phone="+44 7700 900001"
    )

    commands.change_customer(customer, by=agent, channel="call_centre", changes={"phone": "+44 7700 900002"})

    customer.refresh_from_db()
    assert customer.phone == customer.primary_contact.phone == "+44 7700 900002"
    assert customer.interactions.filter(summary="Customer details changed: phone.").exists()


def test_a_customer_login_may_not_change_or_delete_customers():
    customer = CustomerFactory()
    login = CustomerUserFactory(customer=customer)

    with pytest.raises(PermissionDenied):
        commands.change_customer(customer, by=login, channel="self_service", changes={"name": "X"})
    with pytest.raises(PermissionDenied):
        commands.delete_customer(customer, by=login)
    assert Customer.objects.filter(pk=customer.pk, name=customer.name).exists()


def test_an_api_client_changes_only_the_customers_it_acts_for():
    mine, other = CustomerFactory(), CustomerFactory()
    client, _ = create_api_client(name="Partner", customers=[mine])

    commands.change_customer(mine, by=client.user, channel="api", changes={"status": "suspended"}, api_client=client)
    with pytest.raises(PermissionDenied):
        commands.change_customer(
            other, by=client.user, channel="api", changes={"status": "suspended"}, api_client=client
        )

    assert Customer.objects.get(pk=mine.pk).status == "suspended"
    assert Customer.objects.get(pk=other.pk).status == "active"


def test_a_customer_with_a_login_is_kept_and_one_without_history_is_deleted():
    administrator = SupervisorFactory(is_superuser=True)  # no staff role deletes customers
    kept = CustomerUserFactory().customer
    gone = CustomerFactory()

    with pytest.raises(commands.CustomerInUse, match="1 self-service login"):
        commands.delete_customer(kept, by=administrator)
    commands.delete_customer(gone, by=administrator)

    assert Customer.objects.filter(pk=kept.pk).exists()
    assert not Customer.objects.filter(pk=gone.pk).exists()
