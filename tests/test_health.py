"""/health/live and /health/ready: each readiness check passing and failing for real."""

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from orders.models import OutboxEvent
from ordersite import health
from ordersite.celery import app as celery_app
from tests.factories import OrderFactory
from tests.faults import TcpProxy

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def celery_conf(monkeypatch):
    """Celery's configuration for one test; whatever the test changes is put back."""
    # Celery reads these from the environment before its configuration.
    for name in ("CELERY_BROKER_URL", "CELERY_BROKER_WRITE_URL"):
        monkeypatch.delenv(name, raising=False)
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "broker_url")}
    yield celery_app.conf
    celery_app.conf.update(saved)


@pytest.fixture(autouse=True)
def eager_celery(celery_conf):
    # The test process runs tasks in-process: the broker check says so rather than connecting.
    celery_conf.task_always_eager = True


def test_live_answers_without_the_database(client):
    # No database mark: pytest-django turns any query into an error.
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert not response.cookies
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_ready_when_everything_is_up(client):
    response = client.get("/health/ready")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert body["failing"] == []
    checks = body["checks"]
    assert set(checks) == {"database", "migrations", "broker", "relay"}
    assert checks["database"]["status"] == "ok"
    assert checks["migrations"] == {"status": "ok"}
    assert checks["broker"] == {"status": "skipped", "reason": "eager"}
    assert checks["relay"]["status"] == "ok"
    assert not response.cookies


@pytest.mark.django_db
def test_ready_is_not_redirected_to_https_nor_needs_a_login(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/health/ready").status_code == 200
    assert client.get("/health/live").status_code == 200
    # Any other page is redirected, as before.
    assert client.get("/accounts/login/").status_code == 301


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["memory://", "filesystem://"])
def test_broker_without_a_server_passes_after_connecting(client, celery_conf, settings, url):
    celery_conf.task_always_eager = False
    celery_conf.broker_url = settings.CELERY_BROKER_URL = url
    response = client.get("/health/ready")
    assert response.status_code == 200, response.content
    assert response.json()["checks"]["broker"] == {"status": "ok"}


@pytest.mark.django_db
def test_ready_fails_when_the_broker_is_unreachable(client, celery_conf, settings):
    closed = f"redis://127.0.0.1:{free_port()}/0"
    celery_conf.task_always_eager = False
    celery_conf.broker_url = settings.CELERY_BROKER_URL = closed
    started = time.monotonic()
    response = client.get("/health/ready")
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["failing"] == ["broker"]
    assert body["checks"]["broker"]["status"] == "fail"
    assert "127.0.0.1" not in response.content.decode()  # details go to the log, not to the public
    assert body["checks"]["database"]["status"] == "ok"


@pytest.mark.django_db
def test_ready_fails_when_the_relay_is_behind(client, settings):
    settings.READY_MAX_RELAY_LAG_SECONDS = 300
    event = OutboxEvent.objects.create(order=OrderFactory(), event_type=OutboxEvent.Type.CREATE, payload={})
    assert client.get("/health/ready").status_code == 200  # just written: not late yet

    OutboxEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - dt.timedelta(seconds=400))
    response = client.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["relay"]
    assert body["checks"]["relay"]["status"] == "fail"
    assert body["checks"]["relay"]["lag_seconds"] >= 400
    assert body["checks"]["relay"]["max_seconds"] == 300

    OutboxEvent.objects.filter(pk=event.pk).update(published_at=timezone.now())
    assert client.get("/health/ready").status_code == 200


@pytest.mark.django_db
def test_ready_fails_while_a_migration_is_unapplied_and_remembers_success(client, monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)
    with connection.cursor() as cursor:  # as if the newest migration had not run; rolled back with the test
        cursor.execute(
            "DELETE FROM django_migrations WHERE id = (SELECT MAX(id) FROM django_migrations WHERE app = 'orders')"
        )
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["failing"] == ["migrations"]
    assert response.json()["checks"]["migrations"]["unapplied"] >= 1
    assert health._migrations_applied is False

    monkeypatch.setattr(health, "_migrations_applied", True)  # as after a first success
    assert client.get("/health/ready").status_code == 200


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the database outage is staged with PostgreSQL behind a TCP proxy")


def _get(url: str) -> tuple[int, dict, dict]:
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), dict(error.headers)


def _until(predicate, timeout=20.0, interval=0.2):
    deadline = time.monotonic() + timeout
    while True:
        outcome = predicate()
        if outcome or time.monotonic() > deadline:
            return outcome
        time.sleep(interval)


def test_ready_answers_503_while_the_database_is_down(postgres_only, transactional_db, tmp_path):
    db = connection.settings_dict
    proxy = TcpProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)).start()
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@127.0.0.1:{proxy.port}/{db['NAME']}",
        # A deployment's settings: HTTPS redirects everywhere but on the probes.
        "DEBUG": "0",
        "SECRET_KEY": "health-test-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DB_CONNECT_TIMEOUT": "2",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "LOG_FORMAT": "json",
    }
    env.pop("CELERY_BROKER_URL", None)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log = tmp_path / "gunicorn.log"
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "ordersite.wsgi", "--no-control-socket"]
            + ["-b", f"127.0.0.1:{port}", "-w", "1", "--timeout", "30"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:

        def answers():
            try:
                return _get(f"{base}/health/live")[0] == 200
            except OSError:
                return False

        assert _until(answers), log.read_text()
        status, body, headers = _get(f"{base}/health/ready")
        assert status == 200, (body, log.read_text())
        assert "Set-Cookie" not in headers
        assert headers.get("X-Request-ID")

        proxy.stop()
        status, body, _headers = _get(f"{base}/health/ready")
        assert status == 503, body
        assert body["failing"] == ["database"]
        assert body["checks"]["database"]["status"] == "fail"
        assert body["checks"]["relay"] == {"status": "skipped", "reason": "database unavailable"}
        assert _get(f"{base}/health/live")[0] == 200  # the process itself is fine

        proxy.start()
        assert _until(lambda: _get(f"{base}/health/ready")[0] == 200, timeout=10), log.read_text()
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        proxy.stop()
    # The outage was logged, as one JSON object a line, with the request id.
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    failures = [line for line in lines if line["logger"] == "ordersite.health" and "database" in line["message"]]
    assert failures and failures[0]["request_id"] and failures[0]["level"] == "WARNING"
