"""Prometheus metrics for the web process: a middleware counting and timing requests, and /metrics.

Requests are labelled by the name of the URL route they resolved to (e.g. `tmf-api:product-order`),
never by their raw path, so the number of series stays bounded whatever clients send.

/metrics is not public: it answers a request carrying `Authorization: Bearer <METRICS_TOKEN>`, or one
whose REMOTE_ADDR is in METRICS_ALLOWED_NETWORKS and that did not come through a proxy (no
X-Forwarded-For, Forwarded or X-Real-IP header: behind a reverse proxy on the same machine every
client would look local). Anyone else gets the ordinary 404.

Processes: with PROMETHEUS_MULTIPROC_DIR set (an empty directory shared by every gunicorn worker and
Celery worker on the machine, emptied before they start), prometheus-client writes each process's
counters and histograms there and a scrape adds them up; without it, the scrape reads this process.
The gauges about orders and the outbox are computed from the database at scrape time
(orders.metrics.OrderDeskCollector), so they are the same whichever process answers.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from functools import lru_cache

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from orders.metrics import OrderDeskCollector

KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")

HTTP_REQUESTS = Counter(
    "orderdesk_http_requests_total",
    "HTTP requests answered, by method, URL route name and status code.",
    ["method", "route", "status"],
)
HTTP_DURATION = Histogram(
    "orderdesk_http_request_duration_seconds",
    "Time to answer an HTTP request (inside Django), by method and URL route name.",
    ["method", "route"],
)


def route_of(request) -> str:
    """The resolved route's name: bounded, unlike the path. Unresolved requests share one value."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        # Unnamed routes give the view's dotted path: still one value per route.
        return match.view_name
    if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return "static"
    return "unmatched"


class MetricsMiddleware:
    """Counts and times every request; sits just inside the request id, outside everything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        method = request.method if request.method in KNOWN_METHODS else "other"
        route = route_of(request)
        HTTP_DURATION.labels(method=method, route=route).observe(time.perf_counter() - started)
        HTTP_REQUESTS.labels(method=method, route=route, status=str(response.status_code)).inc()
        return response


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]):
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def _from_allowed_network(request) -> bool:
    if any(request.META.get(header) for header in PROXY_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in _networks(tuple(settings.METRICS_ALLOWED_NETWORKS)))


def _has_token(request) -> bool:
    token = settings.METRICS_TOKEN
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if not token or scheme.lower() != "bearer" or not given:
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def may_scrape(request) -> bool:
    return _has_token(request) or _from_allowed_network(request)


class _Scrape:
    """What one scrape exports: the process (or all processes) plus the database gauges."""

    def __init__(self, *collectors):
        self.collectors = collectors

    def collect(self):
        for collector in self.collectors:
            yield from collector.collect()


def scrape_registry():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return _Scrape(registry, OrderDeskCollector())


# Exempt, so that a POST from outside gets the same 404 as a GET rather than a 403 saying it exists.
@csrf_exempt
def metrics_view(request):
    if not may_scrape(request):
        raise Http404
    response = HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)
    add_never_cache_headers(response)
    return response
