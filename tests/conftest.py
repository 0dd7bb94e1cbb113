import os

import pytest
from django.apps import apps

from customers.models import CreditClass, District, ProductStatus
from customers.reference_data import load_reference_data
from customers.roles import sync_role_groups
from ordersite.celery import app as celery_app
from tests.factories import (
    ROUTER,
    SIM_TYPE,
    AgentFactory,
    CustomerFactory,
    CustomerUserFactory,
    InstalledProductFactory,
    OfferingFactory,
    SupervisorFactory,
)

# Tests run Celery tasks eagerly, in this process, when the outbox nudges after a commit: the relay,
# the deliveries and the simulated downstream then happen within the command under test. The
# asynchronous path (broker, worker, beat) has its own tests with real workers (tests/outbox/).
celery_app.conf.update(task_always_eager=True, broker_url="memory://")

# Playwright drives the browser from its own event loop; the live server's ORM calls are sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture
def agent(db):
    return AgentFactory()


@pytest.fixture
def supervisor(db):
    return SupervisorFactory()


@pytest.fixture
def signed_in(client, agent):
    """The test client, signed in as an agent."""
    client.force_login(agent)
    return client


@pytest.fixture
def customer_user(db):
    return CustomerUserFactory()


@pytest.fixture
def customer(db):
    """A customer of the best credit class (A): nothing holds their orders for credit.

    A folder whose tests need more of the customer extends this fixture in its own conftest
    (tests/api/conftest.py adds a validated install address).
    """
    return CustomerFactory(credit_class=CreditClass.A)


@pytest.fixture
def alice_morgan(db):
    """A customer of good credit whom the console's search finds by name ("alice", "morgan") or phone ("900123")."""
    return CustomerFactory(
        name="Alice Morgan", email="alice@example.com", phone="+44 7700 900123", credit_class=CreditClass.A
    )


@pytest.fixture
def fibre(db):
    """A fibre broadband offering (code "fibre"): installed at an address fibre serves, with a router to choose."""
    return OfferingFactory(
        code="fibre",
        name="Fibre",
        serviceable_technologies=["fibre"],
        requires_install_address=True,
        data_requirements=[ROUTER],
    )


@pytest.fixture
def mobile(db):
    """A mobile line offering (code "mobile"): no install address, a SIM type to choose."""
    return OfferingFactory(code="mobile", name="Mobile", requires_install_address=False, data_requirements=[SIM_TYPE])


@pytest.fixture
def product(customer, mobile):
    """The customer's active mobile line (a physical SIM) in the installed base, ready for a change order."""
    return InstalledProductFactory(
        customer=customer, offering=mobile, status=ProductStatus.ACTIVE, characteristics={"sim_type": "physical"}
    )


@pytest.fixture
def manual_downstream(settings):
    """Downstream systems that keep their tasks until a callback (or the test) reports them done.

    Issued orders then stay in progress instead of being fulfilled by the simulator at once. Ask for it
    by name, or for every test of a module with `pytestmark = pytest.mark.usefixtures("manual_downstream")`.
    """
    settings.FULFILMENT_DOWNSTREAM = "manual"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium: Playwright's own browser download cannot reach the internet here.
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1366, "height": 860}}


@pytest.fixture(autouse=True)
def simulator_answers_at_once(settings):
    settings.SIMULATOR_DELAY_SECONDS = 0


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing costs ~0.2 s per user; tests create many users and check no hash strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def migration_data(request):
    """The role groups and address reference data that data migrations create.

    A transactional test (live server, concurrency) flushes every table when it ends, so any
    database test that runs after one in the same process would find them gone.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if transactional:
        request.getfixturevalue("transactional_db")
    elif marker is not None or "db" in request.fixturenames:
        request.getfixturevalue("db")
    else:
        return
    from django.contrib.auth.models import Group

    if not Group.objects.exists():
        sync_role_groups(apps)
    if not District.objects.exists():
        load_reference_data(apps)
