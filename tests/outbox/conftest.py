"""A real deployment in miniature for fault tests: gunicorn, Celery workers with beat, Redis, PostgreSQL.

Each piece runs as its own process against this test's database, so a test can cut the broker (a
TCP proxy in front of Redis, tests/faults.py), kill a worker with SIGKILL and start it again, and
watch what the database says. PostgreSQL only: the processes share one database.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.db import connection

from customers.models import CreditClass
from orders.clients import create_api_client
from orders.models import HubListener
from tests.factories import CustomerFactory, FulfilmentStepFactory, OfferingFactory
from tests.faults import TcpProxy

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REDIS = ("127.0.0.1", 6379)
ORDERS = "/tmf-api/productOrderingManagement/v4/productOrder"


def redis_is_up() -> bool:
    try:
        socket.create_connection(REDIS, timeout=1).close()
        return True
    except OSError:
        return False


needs_real_services = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the processes need a database they can share"),
    pytest.mark.skipif(not redis_is_up(), reason="needs Redis on 127.0.0.1:6379"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def until(predicate, timeout: float, interval: float = 0.25, message: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(message or f"not true within {timeout} s")


class Process:
    """A child process in its own session, so SIGKILL takes it and its children (beat) at once."""

    def __init__(self, name: str, args: list[str], env: dict, log: Path):
        self.name, self.args, self.env, self.log = name, args, env, log
        self.popen: subprocess.Popen | None = None

    def start(self, **env) -> Process:
        with open(self.log, "ab") as out:
            self.popen = subprocess.Popen(
                self.args,
                cwd=ROOT,
                env={**self.env, **env},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def kill(self) -> None:
        """As a crash: no warm shutdown, nothing acknowledged or cleaned up."""
        if self.popen and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=20)

    def stop(self) -> None:
        if self.popen and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


class Stack:
    """Web and workers for one test, on a broker reached through a proxy the test can cut."""

    def __init__(self, tmp: Path):
        db = connection.settings_dict
        self.tmp = tmp
        self.broker = TcpProxy(*REDIS, port=free_port())
        suffix = uuid.uuid4().hex[:8]
        self.env = {
            **{
                k: v
                for k, v in os.environ.items()
                if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "CELERY_TASK_ALWAYS_EAGER")
            },
            "DEBUG": "1",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{self.broker.port}/15",
            "CELERY_QUEUE": f"test-work-{suffix}",
            "CELERY_CONTROL_QUEUE": f"test-control-{suffix}",
            "CELERY_VISIBILITY_TIMEOUT": "20",
            "CACHE_URL": "",
            "REDIS_URL": "",
            "FULFILMENT_DOWNSTREAM": "simulated",
            "SIMULATOR_DELAY_SECONDS": "0.5",
            "OUTBOX_CLAIM_SECONDS": "4",
            "OUTBOX_SWEEP_SECONDS": "1",
            "HUB_CALLBACK_ALLOW_PRIVATE": "1",
            "API_THROTTLE_RATE": "off",
            "LOG_LEVEL": "WARNING",
        }
        self.processes: list[Process] = []
        self.web_url = ""

    def web(self, workers: int = 1, **env) -> Process:
        port = free_port()
        self.web_url = f"http://127.0.0.1:{port}"
        args = [str(BIN / "gunicorn"), "ordersite.wsgi", "--no-control-socket", "-b", f"127.0.0.1:{port}"]
        args += ["-w", str(workers)]
        process = Process("web", args, self.env, self.tmp / "web.log").start(**env)
        self.processes.append(process)
        until(lambda: _answers(self.web_url + "/health/live"), 30, message="gunicorn did not start:\n" + process.tail())
        return process

    def worker(self, **env) -> Process:
        queues = f"{self.env['CELERY_QUEUE']},{self.env['CELERY_CONTROL_QUEUE']}"
        name = f"worker-{len(self.processes)}"
        args = [
            str(BIN / "celery"),
            "-A",
            "ordersite",
            "worker",
            "--beat",
            "--schedule",
            str(self.tmp / f"{name}-beat"),
        ]
        args += [
            "--queues",
            queues,
            "--pool",
            "solo",
            "--hostname",
            f"{name}@%h",
            "--without-mingle",
            "--without-gossip",
        ]
        process = Process(name, args, self.env, self.tmp / f"{name}.log").start(**env)
        self.processes.append(process)
        return process

    def place_order(self, token: str, customer, offering) -> tuple[int, dict]:
        body = {
            "relatedParty": [{"id": customer.number, "role": "customer", "@referredType": "Customer"}],
            "productOrderItem": [{"id": "1", "action": "add", "productOffering": {"id": offering.code}}],
        }
        request = urllib.request.Request(
            self.web_url + ORDERS,
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.tail()}" for p in self.processes)

    def close(self) -> None:
        for process in self.processes:
            process.stop()
        self.broker.stop()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def stack(transactional_db, tmp_path):
    running = Stack(tmp_path)
    yield running
    running.close()


@pytest.fixture
def shop(transactional_db):
    """A customer, an offering with a three-step plan, and an API client allowed to order for the customer."""
    customer = CustomerFactory(credit_class=CreditClass.A)
    offering = OfferingFactory(code=f"line-{uuid.uuid4().hex[:6]}", requires_install_address=False)
    ship = FulfilmentStepFactory(offering=offering, code="ship", name="Ship equipment", sequence=10)
    activate = FulfilmentStepFactory(offering=offering, code="activate", name="Activate", sequence=20)
    bill = FulfilmentStepFactory(offering=offering, code="bill", name="Start billing", sequence=30)
    activate.depends_on.set([ship])
    bill.depends_on.set([activate])
    client, token = create_api_client(name=f"pos-{uuid.uuid4().hex[:6]}", customers=[customer])
    return customer, offering, client, token


class Listener:
    """A hub listener on loopback recording every event id it receives (it de-duplicates on them).

    `hold_first` keeps the first request open that many seconds, so a worker can be killed mid-delivery.
    """

    def __init__(self, hold_first: float = 0.0):
        self.received: list[str] = []
        self.started = threading.Event()
        self.hold_first = hold_first
        self._lock = threading.Lock()
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with listener._lock:
                    hold, listener.hold_first = listener.hold_first, 0.0
                listener.started.set()
                if hold:
                    time.sleep(hold)
                with listener._lock:
                    listener.received.append(body["eventId"])
                self.send_response(201)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/events"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def subscribe(self, client) -> HubListener:
        return HubListener.objects.create(client=client, callback=self.url)

    def close(self):
        self.server.shutdown()
        self.server.server_close()
