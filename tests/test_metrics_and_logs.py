"""/metrics (who may scrape, what it says) and the logs (JSON lines with the request id and order)."""

import io
import json
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.test import Client
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from customers.models import Channel
from orders.clients import create_api_client
from orders.models import OrderState
from ordersite import logcontext
from ordersite.celery import app as celery_app
from tests.factories import OrderFactory

ROOT = Path(__file__).resolve().parent.parent
OUTSIDE = "203.0.113.9"
TOKEN = "scrape-token-0123456789abcdef"


@pytest.fixture(autouse=True)
def metrics_token(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.1/32", "::1/128"]


def scrape(client=None, **extra) -> dict[tuple[str, tuple], float]:
    """Samples of a scrape: {(name, sorted labels): value}."""
    response = (client or Client()).get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", REMOTE_ADDR=OUTSIDE, **extra)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


# --- who may scrape --------------------------------------------------------------------------


@pytest.mark.django_db
def test_metrics_is_hidden_from_other_addresses_without_the_token(client):
    assert client.get("/metrics", REMOTE_ADDR=OUTSIDE).status_code == 404
    assert client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=TOKEN).status_code == 404
    assert client.post("/metrics", REMOTE_ADDR=OUTSIDE).status_code == 404  # not a 403 saying it exists
    response = client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert b"orderdesk_http_requests_total" in response.content
    assert not response.cookies


@pytest.mark.django_db
def test_metrics_from_an_allowed_network_needs_no_token(client, settings):
    assert client.get("/metrics").status_code == 200  # the test client comes from 127.0.0.1
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200
    # Relayed by a proxy on this machine: the address says nothing about the client.
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR=OUTSIDE).status_code == 404
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200


@pytest.mark.django_db
def test_no_token_configured_means_no_token_accepted(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION="Bearer ").status_code == 404


# --- what it says ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_orders_by_open_state_are_counted_at_scrape_time():
    OrderFactory.create_batch(3)  # drafts
    OrderFactory.create_batch(2, state=OrderState.IN_PROGRESS)
    OrderFactory(state=OrderState.COMPLETED)
    samples = scrape()
    assert samples[("orderdesk_orders", (("state", "draft"),))] == 3
    assert samples[("orderdesk_orders", (("state", "inProgress"),))] == 2
    assert samples[("orderdesk_orders", (("state", "held"),))] == 0  # open states are always there
    assert ("orderdesk_orders", (("state", "completed"),)) not in samples  # terminal: not counted
    assert samples[("orderdesk_scrape_database_up", ())] == 1
    for gauge in (
        "orderdesk_relay_lag_seconds",
        "orderdesk_outbox_unrelayed_events",
        "orderdesk_fulfilment_handovers_waiting",
        "orderdesk_event_deliveries_waiting",
        "orderdesk_event_deliveries_dead",
    ):
        assert (gauge, ()) in samples


@pytest.mark.django_db
def test_requests_are_counted_by_route_name_not_path(client):
    labels = (("method", "GET"), ("route", "health-live"), ("status", "200"))
    before = scrape().get(("orderdesk_http_requests_total", labels), 0)
    client.get("/health/live")
    client.get("/health/live?x=1")
    after = scrape()
    assert after[("orderdesk_http_requests_total", labels)] == before + 2
    assert after[("orderdesk_http_request_duration_seconds_count", (("method", "GET"), ("route", "health-live")))] >= 2

    client.get("/no/such/page/12345")
    unmatched = (("method", "GET"), ("route", "unmatched"), ("status", "404"))
    assert scrape()[("orderdesk_http_requests_total", unmatched)] >= 1
    assert not any("12345" in str(key) for key in scrape())


@pytest.mark.django_db
def test_orders_created_are_counted_when_committed(django_capture_on_commit_callbacks):
    labels = {"channel": Channel.RETAIL}
    before = REGISTRY.get_sample_value("orderdesk_orders_created_total", labels) or 0
    with django_capture_on_commit_callbacks(execute=True):
        order = OrderFactory(channel=Channel.RETAIL)
    assert REGISTRY.get_sample_value("orderdesk_orders_created_total", labels) == before + 1
    with django_capture_on_commit_callbacks(execute=True):
        order.save()  # an update is no new order
    assert scrape()[("orderdesk_orders_created_total", (("channel", "retail"),))] == before + 1


@celery_app.task(name="tests.test_metrics_and_logs.note")
def note(fail=False):
    logging.getLogger("tests.task").warning("noted")
    if fail:
        raise ValueError("asked to fail")


@pytest.fixture
def captured():
    """Log lines as the deployment writes them: the project's JSON formatter and context filter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logcontext.JsonFormatter())
    handler.addFilter(logcontext.ContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)


def test_task_durations_by_outcome_and_the_task_id_as_request_id(captured):
    def count(outcome):
        labels = {"task": "tests.test_metrics_and_logs.note", "outcome": outcome}
        return REGISTRY.get_sample_value("orderdesk_task_duration_seconds_count", labels) or 0

    success, failure = count("success"), count("failure")
    result = note.apply()
    with pytest.raises(ValueError):  # eager tasks propagate their errors here
        note.apply(kwargs={"fail": True})
    assert (count("success"), count("failure")) == (success + 1, failure + 1)

    noted = [line for line in captured() if line["message"] == "noted"]
    assert noted[0]["request_id"] == result.id
    assert logcontext.current_request_id() is None  # put back after the task


# --- logs ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_request_logs_json_lines_with_the_request_id_it_returns(client, captured):
    response = client.get("/no/such/page")
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32 and int(request_id, 16) >= 0  # a uuid4, made here
    lines = captured()
    not_found = [line for line in lines if line["message"].startswith("Not Found: /no/such/page")]
    assert not_found, lines
    line = not_found[0]
    assert line["request_id"] == request_id
    assert line["level"] == "WARNING" and line["logger"] == "django.request"
    assert line["time"] and line["order"] is None
    assert logcontext.current_request_id() is None  # cleared when the response closed


@pytest.mark.django_db
def test_a_sane_incoming_request_id_is_kept_and_any_other_replaced(client, captured):
    assert client.get("/health/live", HTTP_X_REQUEST_ID="lb-7f3a.19_x")["X-Request-ID"] == "lb-7f3a.19_x"
    for insane in ("a" * 65, "two words", "x\u00e9", ""):
        returned = client.get("/health/live", HTTP_X_REQUEST_ID=insane)["X-Request-ID"]
        assert returned != insane and len(returned) == 32


@pytest.mark.django_db
def test_the_order_is_named_in_the_logs_of_an_api_request(captured):
    order = OrderFactory(state=OrderState.ACKNOWLEDGED)
    api_client, token = create_api_client(name="Log test", channel="retail", customers=[order.customer])
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = api.patch(
        f"/tmf-api/productOrderingManagement/v4/productOrder/{order.number}",
        json.dumps({"state": "nonsense"}),
        content_type="application/merge-patch+json",
        HTTP_X_REQUEST_ID="api-call-1",
    )
    assert response.status_code == 400
    bad_request = [line for line in captured() if line["request_id"] == "api-call-1" and line["level"] == "WARNING"]
    assert bad_request and bad_request[0]["order"] == order.number


def _python(code: str, **env) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "LOG_FORMAT"}}
    environment.update(env)
    environment.setdefault("DJANGO_SETTINGS_MODULE", "ordersite.settings")
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


LOG_SOMETHING = """
    import logging, django
    django.setup()
    from ordersite import logcontext
    logcontext.bind_request_id("req-1")
    logcontext.bind_order("ORD-000001")
    logging.getLogger("orders.example").warning("something %s", "happened")
"""


def test_json_lines_when_debug_is_off_and_text_for_the_developer_console():
    deployed = _python(LOG_SOMETHING, DEBUG="0", SECRET_KEY="k" * 60, ALLOWED_HOSTS="example.com")
    assert deployed.returncode == 0, deployed.stderr
    (line,) = [json.loads(text) for text in deployed.stderr.splitlines() if text.strip()]
    assert list(line)[:6] == ["time", "level", "logger", "message", "request_id", "order"]
    assert line["message"] == "something happened" and line["logger"] == "orders.example"
    assert (line["level"], line["request_id"], line["order"]) == ("WARNING", "req-1", "ORD-000001")

    console = _python(LOG_SOMETHING, DEBUG="1")
    assert console.returncode == 0, console.stderr
    assert "WARNING orders.example [req-1 ORD-000001] something happened" in console.stderr
    assert not console.stderr.lstrip().startswith("{")

    forced = _python(LOG_SOMETHING, DEBUG="1", LOG_FORMAT="json")
    assert json.loads(forced.stderr.strip().splitlines()[-1])["request_id"] == "req-1"


def test_processes_are_added_up_in_multiprocess_mode(tmp_path):
    """Two processes writing to PROMETHEUS_MULTIPROC_DIR: a scrape in either shows both."""
    env = {
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom"),
        # No tables here: the database gauges say so, the process metrics do not care.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "METRICS_TOKEN": TOKEN,
        "LOG_LEVEL": "CRITICAL",
    }
    (tmp_path / "prom").mkdir()
    requests = """
        import os, django
        django.setup()
        from django.test import Client
        from django.test.utils import setup_test_environment
        setup_test_environment()
        client = Client()
        for _ in range(3):
            assert client.get("/health/live").status_code == 200
        print(client.get("/metrics", HTTP_AUTHORIZATION="Bearer " + os.environ["METRICS_TOKEN"]).content.decode())
    """
    first = _python(requests, **env)
    assert first.returncode == 0, first.stderr
    second = _python(requests, **env)
    assert second.returncode == 0, second.stderr
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(second.stdout)
        for sample in family.samples
    }
    live = (("method", "GET"), ("route", "health-live"), ("status", "200"))
    assert samples[("orderdesk_http_requests_total", live)] == 6  # three from each process
    assert samples[("orderdesk_scrape_database_up", ())] == 0
