"""With a broker, a real Celery worker does the fulfilment work (PostgreSQL and Redis, as in CI)."""

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from customers.models import CreditClass
from orders.models import Order, OrderState
from orders.services import add_item, create_draft_order, record_initiating_request, submit_order
from tests.factories import CustomerFactory, FulfilmentStepFactory, OfferingFactory

ROOT = Path(__file__).resolve().parents[2]
REDIS = ("127.0.0.1", 6379)


def redis_is_up() -> bool:
    try:
        socket.create_connection(REDIS, timeout=1).close()
        return True
    except OSError:
        return False


pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker needs a database it can share"),
    pytest.mark.skipif(not redis_is_up(), reason="needs Redis on 127.0.0.1:6379"),
]


@pytest.fixture
def worker_env(transactional_db):
    """Settings for processes that talk to Redis and to this test's database."""
    db = connection.settings_dict
    return {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/15",
        "CELERY_QUEUE": f"test-{uuid.uuid4().hex[:8]}",
        "SIMULATOR_DELAY_SECONDS": "0",
        "DB_CONN_MAX_AGE": "0",
    }


@pytest.fixture
def worker(worker_env):
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "ordersite",
            "worker",
            "--pool",
            "solo",
            "-Q",
            worker_env["CELERY_QUEUE"],
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=worker_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    process.wait(timeout=20)


# Sent from another process, so this test process keeps its eager, broker-less Celery.
SEND_DISPATCHED_TASKS = """
import sys, django
django.setup()
from orders.fulfilment.models import FulfilmentTask
from orders.tasks import simulate_task_outcome
for task in FulfilmentTask.objects.filter(order_id=int(sys.argv[1]), state="dispatched"):
    simulate_task_outcome.delay(task.pk, task.attempts)
"""


def test_a_worker_takes_an_issued_order_to_completion(worker, worker_env, agent, settings):
    settings.FULFILMENT_DOWNSTREAM = "manual"  # here: the first tasks wait for the worker
    offering = OfferingFactory(requires_install_address=False)
    ship = FulfilmentStepFactory(offering=offering, code="ship", sequence=10)
    FulfilmentStepFactory(offering=offering, code="bill", sequence=20).depends_on.set([ship])
    customer = CustomerFactory(credit_class=CreditClass.A)
    request = record_initiating_request(customer=customer, by=agent, kind="sales_proposal")
    order = create_draft_order(customer=customer, by=agent, initiating_request=request)
    add_item(order, by=agent, offering=offering)

    submit_order(order, by=agent)  # commits; the first task is dispatched and waits downstream
    subprocess.run(
        [sys.executable, "-c", SEND_DISPATCHED_TASKS, str(order.pk)], cwd=ROOT, env=worker_env, check=True, timeout=60
    )

    deadline = time.monotonic() + 180  # a loaded CI machine starts workers slowly
    while time.monotonic() < deadline and Order.objects.get(pk=order.pk).state != OrderState.COMPLETED:
        assert worker.poll() is None, worker.stdout.read().decode()
        time.sleep(0.5)
    if Order.objects.get(pk=order.pk).state != OrderState.COMPLETED:
        worker.terminate()
        pytest.fail("worker did not finish the order:\n" + worker.communicate(timeout=20)[0].decode()[-3000:])
    assert set(order.tasks.values_list("state", flat=True)) == {"completed"}
