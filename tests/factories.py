"""factory_boy factories for the objects tests build most, and the few builders and data requirements they share."""

from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from customers.addresses import validate_and_attach
from customers.models import Address, Channel, Contact, Customer, CustomerKind, InstalledProduct, User
from customers.roles import AGENTS, SUPERVISORS
from orders.models import (
    FulfilmentStep,
    InitiatingRequest,
    ItemAction,
    ItemIntent,
    OfferingCategory,
    Order,
    OrderItem,
    ProductOffering,
)

PASSWORD = "test-pass-long-enough"

# The data requirements the shared offerings ask for (tests/conftest.py: fibre, mobile).
ROUTER = {"name": "router", "type": "choice", "required": True, "choices": ["hub-6", "mesh-pack"]}
SIM_TYPE = {"name": "sim_type", "type": "choice", "required": True, "choices": ["physical", "esim"]}


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    kind = CustomerKind.INDIVIDUAL
    name = factory.Faker("name", locale="en_GB")
    email = factory.LazyAttribute(lambda c: f"{c.name.split()[0].lower()}@example.com")
    phone = factory.Sequence(lambda n: f"+44 7700 9{n:05d}")


class OrganisationFactory(CustomerFactory):
    kind = CustomerKind.ORGANISATION
    name = factory.Faker("company", locale="en_GB")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Faker("name", locale="en_GB")
    email = factory.Sequence(lambda n: f"contact{n}@example.com")


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    customer = factory.SubFactory(CustomerFactory)
    street = "High Street"
    house_number = "1"
    postcode = "RV1 1AA"
    town = "Riverton"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create:
            if extracted:
                self.groups.add(*Group.objects.filter(name__in=extracted))
            self.save()


def _with_groups(*names):
    """A post-generation hook giving the user these groups unless the test passes its own."""

    def add_groups(user, create, extracted, **kwargs):
        if create:
            user.groups.add(*Group.objects.filter(name__in=extracted if extracted is not None else names))
            user.save()  # the password hook ran before; skip_postgeneration_save leaves saving to us

    return factory.PostGeneration(add_groups)


class AgentFactory(UserFactory):
    username = factory.Sequence(lambda n: f"agent{n}")
    groups = _with_groups(AGENTS)


class SupervisorFactory(UserFactory):
    username = factory.Sequence(lambda n: f"supervisor{n}")
    is_staff = True
    groups = _with_groups(SUPERVISORS)


class CustomerUserFactory(UserFactory):
    username = factory.Sequence(lambda n: f"customer{n}")
    customer = factory.SubFactory(CustomerFactory)


class OfferingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductOffering
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"offering-{n}")
    name = factory.Sequence(lambda n: f"Offering {n}")
    category = OfferingCategory.BROADBAND
    recurring_price = Decimal("30.00")
    one_off_price = Decimal("0.00")
    data_requirements = factory.LazyFunction(list)


class FulfilmentStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FulfilmentStep

    offering = factory.SubFactory(OfferingFactory)
    code = factory.Sequence(lambda n: f"step-{n}")
    name = factory.Sequence(lambda n: f"Step {n}")
    system = FulfilmentStep.System.NETWORK


class InstalledProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InstalledProduct

    customer = factory.SubFactory(CustomerFactory)
    offering = factory.SubFactory(OfferingFactory)
    name = factory.LazyAttribute(lambda p: p.offering.name)
    status = "active"


class InitiatingRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InitiatingRequest

    customer = factory.SubFactory(CustomerFactory)
    kind = InitiatingRequest.Kind.SALES_PROPOSAL
    reference = factory.Sequence(lambda n: f"Q-{n:05d}")


class OrderFactory(factory.django.DjangoModelFactory):
    """An order in any state (pass state=...); items come from OrderItemFactory."""

    class Meta:
        model = Order

    customer = factory.SubFactory(CustomerFactory)
    channel = Channel.CALL_CENTRE
    initiating_request = factory.SubFactory(InitiatingRequestFactory, customer=factory.SelfAttribute("..customer"))


class OrderItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderItem

    order = factory.SubFactory(OrderFactory)
    item_id = factory.Sequence(lambda n: str(n + 1))
    action = ItemAction.ADD
    intent = ItemIntent.PROVIDE
    offering = factory.SubFactory(OfferingFactory, requires_install_address=False)


def valid_address(customer, street="Mill Lane", number="12", **fields) -> Address:
    """A saved address of the customer's that passed validation; the reference data fills in what is left blank.

    Postcode and town are blank unless given, so validation supplies them as it does for an agent.
    """
    fields = {"postcode": "", "town": "", **fields}
    address = AddressFactory.build(customer=customer, street=street, house_number=number, **fields)
    assert validate_and_attach(address).is_valid
    address.save()
    return address
