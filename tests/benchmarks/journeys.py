"""What an agent waits on while capturing, measured at scale beside the API's order creation.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ordersite_bench \\
        python -m tests.benchmarks.journeys [--flows 20] [--runs 30]

In process, through the whole middleware stack (django.test.Client), signed in as the demo agent:

- **the capture of a standard order**, every request from the first step to the outcome page:
  start (customer and request), the products step, add Fibre 150, the configuration step and its
  save, the delivery step and its save (install address, appointment), the review, submit and the
  outcome page. Server CPU (this process's CPU time, the database's excluded) and queries per whole
  flow, and its wall-clock p50/p95; each flow is for another generated customer, whose order is
  issued at the end.
- **the qualification answer for an address**: the products step of a draft asked for an install
  address (`?place=`), which qualifies every offering on sale there, and TMF679's
  checkProductOfferingQualification (a POST of productOfferingQualification) of Fibre 150 for the
  same customer and address through the API (the demo partner's token), which stores the answer.
  p50/p95 against the 50 ms target.

Fill the database first with tests.benchmarks.generate_orders.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass

QUALIFICATION_TARGET_MS = 50
OFFERING = "fibre-150"
TMF679_PATH = "/tmf-api/productOfferingQualification/v4/productOfferingQualification"
API_TOKEN = "demo-api-token"  # orders.demo.DEMO_API_TOKEN


@dataclass(frozen=True)
class Place:
    customer_number: str
    customer_id: int
    address_id: int
    address_text: str


def places_with_fibre(count: int) -> list[Place]:
    """Generated customers each with a validated installation address that fibre serves."""
    from customers.models import Address
    from orders.models import ProductOffering

    fibre = ProductOffering.objects.get(code=OFFERING)
    found = []
    candidates = (
        Address.objects.filter(
            purpose=Address.Purpose.INSTALLATION, reference_street__isnull=False, customer__number__startswith="CUS-"
        )
        .select_related("customer", "reference_street__district")
        .order_by("-customer_id")
    )
    for address in candidates[: count * 20].iterator():
        if address.is_validated and fibre.is_serviceable_with(address.technologies):
            found.append(Place(address.customer.number, address.customer_id, address.pk, str(address)))
            if len(found) == count:
                break
    if len(found) < count:
        raise SystemExit(f"Only {len(found)} generated customers have an address fibre serves; need {count}.")
    return found


def _percentiles(values: list[float]) -> dict:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50": round(statistics.median(ordered), 1), "p95": round(p95, 1), "max": round(ordered[-1], 1)}


def _expect(response, *codes: int):
    if response.status_code not in codes:
        raise SystemExit(f"{response.request['PATH_INFO']}: {response.status_code} {response.content[:400]!r}")
    return response


def capture_one_order(client, place: Place, fibre) -> str:
    """The agent's requests for one standard order, step by step as the pages post them; the order's number."""
    from django.urls import reverse

    from orders.models import Order

    started = _expect(
        client.post(
            reverse("console:capture-start"),
            {
                "customer": place.customer_number,
                "kind": "sales_proposal",
                "reference": "BENCH-CAPTURE",
                "category": "consumer",
                "priority": 2,
            },
        ),
        302,
    )
    products = started.url
    order = Order.objects.only("pk").filter(customer_id=place.customer_id).order_by("-pk").first()

    def step(slug: str) -> str:
        return reverse("console:capture", args=[order.number, slug])

    _expect(client.get(products), 200)
    _expect(client.post(products, {"offering": fibre.pk}), 302, 200)
    item = order.items.only("pk").get()
    _expect(client.get(step("configure")), 200)
    _expect(client.post(step("configure"), {f"i{item.pk}-c-router": "hub-6"}), 302)
    _expect(client.get(step("delivery")), 200)
    _expect(
        client.post(step("delivery"), {"install_address": place.address_id, "appointment_preference": "Saturday"}),
        302,
    )
    _expect(client.get(step("review")), 200)
    outcome = _expect(client.post(step("review")), 302).url
    _expect(client.get(outcome), 200)
    return order.number


def measure_capture(flows: int = 20) -> dict:
    """Server CPU, queries and wall time of `flows` whole captures of a standard order (after one warm-up)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from customers.models import User
    from orders.models import Order, OrderState, ProductOffering, order_pk_from_number

    fibre = ProductOffering.objects.get(code=OFFERING)
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username="agent"))
    places = places_with_fibre(flows + 1)
    capture_one_order(client, places[0], fibre)  # warm-up: templates compiled, caches filled
    cpu, wall, queries, numbers = [], [], [], []
    for place in places[1:]:
        with CaptureQueriesContext(connection) as captured:
            cpu_started, wall_started = time.process_time(), time.perf_counter()
            numbers.append(capture_one_order(client, place, fibre))
            cpu.append((time.process_time() - cpu_started) * 1000)
            wall.append((time.perf_counter() - wall_started) * 1000)
        queries.append(len(captured.captured_queries))
    issued = Order.objects.filter(pk__in=[order_pk_from_number(n) for n in numbers], state=OrderState.IN_PROGRESS)
    if issued.count() != len(numbers):
        raise SystemExit("A captured standard order was not issued: the flow did not do what an agent does.")
    return {
        "flows": len(numbers),
        "requests_per_flow": 11,
        "server_cpu_ms_per_flow": {"median": round(statistics.median(cpu), 1), "max": round(max(cpu), 1)},
        "wall_ms_per_flow": _percentiles(wall),
        "queries_per_flow": {"min": min(queries), "max": max(queries)},
    }


def measure_qualification(runs: int = 30) -> list[dict]:
    """p50/p95 of the qualification answer for an address: the agent's products step and TMF679's check."""
    from django.test import Client

    from customers.models import Customer, User
    from orders.models import ApiClient
    from orders.services import create_draft_order, record_initiating_request

    place = places_with_fibre(1)[0]
    customer = Customer.objects.get(pk=place.customer_id)
    agent = User.objects.get(username="agent")
    request = record_initiating_request(customer=customer, by=agent, kind="sales_proposal", reference="BENCH-QUAL")
    draft = create_draft_order(customer=customer, by=agent, initiating_request=request)
    ApiClient.objects.get(name="Demo partner").customers.add(customer)

    console = Client(HTTP_HOST="localhost")
    console.force_login(agent)
    products = f"/agent/orders/{draft.number}/capture/products/?place={place.address_id}"
    api = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {API_TOKEN}")
    body = json.dumps(
        {
            "instantProcessing": True,
            "relatedParty": [{"id": place.customer_number, "role": "customer", "@referredType": "Customer"}],
            "place": [{"id": str(place.address_id), "@referredType": "GeographicAddress"}],
            "productOfferingQualificationItem": [{"id": "1", "productOffering": {"id": OFFERING}}],
        }
    )
    answers = {
        "qualification: products step": lambda: console.get(products),
        "qualification: TMF679 check": lambda: api.post(TMF679_PATH, body, content_type="application/json"),
    }
    results = []
    for name, ask in answers.items():
        _expect(ask(), 200, 201)  # warm-up
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            _expect(ask(), 200, 201)
            times.append((time.perf_counter() - started) * 1000)
        results.append({"name": name, **_percentiles(times), "target_ms": QUALIFICATION_TARGET_MS})
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--flows", type=int, default=20, help="whole captures to time (default 20)")
    parser.add_argument("--runs", type=int, default=30, help="qualification answers to time (default 30)")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL to a database tests.benchmarks.generate_orders filled.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ordersite.settings")
    import django

    django.setup()
    results = {"capture": measure_capture(args.flows), "qualification": measure_qualification(args.runs)}
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
