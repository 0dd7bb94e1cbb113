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
from ordersite.celery import app as celery_app
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


def forget_broker_connections():
    # Connection and producer pools are built on first use with the broker of that moment.
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def worker(transactional_db):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    broker = "redis://127.0.0.1:6379/15"
    db = connection.settings_dict
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": broker,
        "CELERY_QUEUE": queue,
        "SIMULATOR_DELAY_SECONDS": "0",
        "DB_CONN_MAX_AGE": "0",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "ordersite", "worker", "--pool", "solo", "-Q", queue, "-l", "warning"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    keys = ("task_always_eager", "broker_url", "task_default_queue")
    previous = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.update(task_always_eager=False, broker_url=broker, task_default_queue=queue)
    forget_broker_connections()
    try:
        yield process
    finally:
        celery_app.conf.update(previous)
        forget_broker_connections()
        process.terminate()
        process.wait(timeout=20)


def test_a_worker_takes_an_issued_order_to_completion(worker, agent):
    offering = OfferingFactory(requires_install_address=False)
    ship = FulfilmentStepFactory(offering=offering, code="ship", sequence=10)
    FulfilmentStepFactory(offering=offering, code="bill", sequence=20).depends_on.set([ship])
    customer = CustomerFactory(credit_class=CreditClass.A)
    request = record_initiating_request(customer=customer, by=agent, kind="sales_proposal")
    order = create_draft_order(customer=customer, by=agent, initiating_request=request)
    add_item(order, by=agent, offering=offering)

    submit_order(order, by=agent)  # commits; the dispatch goes to Redis for the worker

    deadline = time.monotonic() + 180  # a loaded CI machine starts workers slowly
    while time.monotonic() < deadline and Order.objects.get(pk=order.pk).state != OrderState.COMPLETED:
        assert worker.poll() is None, worker.stdout.read().decode()
        time.sleep(0.5)
    if Order.objects.get(pk=order.pk).state != OrderState.COMPLETED:
        worker.terminate()
        pytest.fail("worker did not finish the order:\n" + worker.communicate(timeout=20)[0].decode()[-3000:])
    assert set(order.tasks.values_list("state", flat=True)) == {"completed"}
