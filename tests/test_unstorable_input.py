"""No 500 on odd input: a NUL or a lone surrogate wherever a client can put text is answered, never a 5xx.

Every URL pattern of the project is requested, its path converters filled with real ids, as each role
that uses it (agent, supervisor, customer; the API with a token): a NUL in a query value, in a query
parameter's name, in the path or in a form body is a 400 that says where (the TMF630 Error body under
/tmf-api/, the 400 page elsewhere: ordersite.middleware.RefuseUnstorableInputMiddleware). A lone
surrogate cannot reach Django through an address or a form (invalid UTF-8 is decoded as U+FFFD), so
those requests must simply never fail. Every field of the console's capture forms and of the customer's
forms is posted with a NUL (a 400 naming the field) and with a lone surrogate (never a 5xx). JSON bodies
are tests/api/test_unstorable_bodies.py's.
"""

from __future__ import annotations

import itertools
import re
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urljoin

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern
from django_otp.plugins.otp_totp.models import TOTPDevice

from customers.models import Customer
from orders.clients import create_api_client
from orders.services import ALLOWED_FROM, add_item, create_draft_order, record_initiating_request
from ordersite.console.forms.orders import OrderFilterForm
from ordersite.console.views.capture import CAPTURE_STEPS
from ordersite.tmf.tmf622.filters import CANCELLATION_FILTERS, ORDER_FILTERS
from ordersite.tmf.tmf630.paging import PAGING_PARAMS
from tests.factories import AgentFactory, InstalledProductFactory, SupervisorFactory
from tests.selfservice_helpers import (
    ask,
    awaiting_signoff,
    bespoke_offering,
    customer_login,
    fibre_offering,
    fibre_order,
    mobile_offering,
    mobile_order,
    place_order,
    text_of,
)

pytestmark = pytest.mark.django_db

NUL = "a%00b"  # as a client sends it in an address or a query string
SURROGATE = "%ED%A0%80"  # U+D800 written as UTF-8 would write it, were it allowed (WTF-8)
SURROGATE_BYTES = "\xed\xa0\x80"  # the same, unescaped, as a WSGI server hands the raw bytes on

# Query parameters the pages read (request.GET, their filter forms) and the API's lists.
PAGE_PARAMS = ["q", "page", "show", "since", "v", "said", "field", "exclude", "chosen", "new", "customer", "next"]
PAGE_PARAMS += list(OrderFilterForm.base_fields)
API_PARAMS = sorted(ORDER_FILTERS | CANCELLATION_FILTERS | PAGING_PARAMS | {"fields", "name", "lifecycleStatus"})

# Which of the world's orders a URL that takes an order number is asked about (else the one in progress).
ORDER_FOR_URL = {
    "capture": "capture",
    "discard": "capture",
    "record-feasibility": "held",
    "approve": "held",
    "refuse": "held",
    "answer-information": "question",
    "my-order-details": "online_draft",
    "my-order-review": "online_draft",
    "my-order-discard": "online_draft",
    "my-order-answer": "question",
    "my-order-signoff": "signoff",
}


class Roles:
    """A signed-in test client for each role (agent, supervisor, customer), the API's with a token, and anyone's."""

    def __init__(self):
        self.agent = AgentFactory()
        self.supervisor = SupervisorFactory()
        self.customer_user = customer_login("Alice Morgan")
        self.customer = self.customer_user.customer
        _, token = create_api_client(name="Retail partner", channel="retail", customers=[self.customer])
        self.clients = {"anonymous": Client(), "api": Client(HTTP_AUTHORIZATION=f"Bearer {token}")}
        for role, user in (("agent", self.agent), ("supervisor", self.supervisor), ("customer", self.customer_user)):
            self.clients[role] = Client()
            self.clients[role].force_login(user)
        for client in self.clients.values():
            client.raise_request_exception = False  # a 500 is a response to report, with every other one


class World(Roles):
    """Alice with an order in each situation a page acts on, and her products."""

    def __init__(self):
        super().__init__()
        customer = self.customer
        question = fibre_order(self.agent, customer)
        ask(question)
        request = record_initiating_request(customer=customer, by=self.customer_user, kind="sales_proposal")
        online_draft = create_draft_order(customer=customer, by=self.customer_user, initiating_request=request)
        add_item(
            online_draft, by=self.customer_user, offering=fibre_offering(), install_address=customer.addresses.first()
        )
        self.orders = {
            "capture": fibre_order(self.agent, customer, submit=False),
            "in_progress": mobile_order(self.agent, customer),
            "question": question,
            "signoff": awaiting_signoff(customer),
            "held": place_order(self.agent, customer, bespoke_offering(), {"bandwidth": "1G"}),
            "online_draft": online_draft,
        }
        self.products = {
            status: InstalledProductFactory(
                customer=customer,
                offering=mobile_offering(),
                name=f"Alice's {status} phone",
                status=status,
                characteristics={"sim_type": "esim"},
            )
            for status in ("active", "suspended")
        }
        # Someone else's authenticator, for the admin's device pages (the supervisor signs in without one).
        TOTPDevice.objects.create(user=SupervisorFactory(), name="Phone", confirmed=True)

    def values_for(self, name: str, route: str, url_name: str | None) -> list[str]:
        """Real values for a path converter (several where the view branches on it)."""
        if name == "number":
            if route.startswith("agent/customers/"):
                return [self.customer.number]
            return [self.orders[ORDER_FOR_URL.get(url_name or "", "in_progress")].number]
        if name == "step":
            return list(CAPTURE_STEPS)
        if name == "intent":
            return list(ALLOWED_FROM)
        if name == "pk" and "products/" in route:
            return [str(self.products["active"].pk), str(self.products["suspended"].pk)]
        if name == "object_id" and route.startswith("admin/r/"):
            return [str(self.customer.pk)]
        if name in ("object_id", "pk") and route.startswith("admin/"):
            app_label, model_name = route.split("/")[1:3]
            found = apps.get_model(app_label, model_name)._default_manager.order_by("pk").last()
            return [str(found.pk) if found else "1"]
        fixed = {
            "content_type_id": str(ContentType.objects.get_for_model(Customer).pk),
            "app_label": "orders",
            "order_id": self.orders["in_progress"].number,
            "customer_id": self.customer.number,
            "offering_id": self.orders["in_progress"].items.first().offering.code,
            "system": "simulator",
            "uidb64": "MQ",
            "token": "set-password",
            "url": "nothing-here/",
        }
        return [fixed.get(name, "1")]


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def roles(db):
    return Roles()


# --- every URL pattern ---------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"<(?:\w+:)?(\w+)>")


def route_of(pattern) -> str:
    """A pattern as a route with <placeholders>, regular expressions included (the admin's, the API's catch-all)."""
    text = str(pattern.pattern)
    if isinstance(pattern.pattern, RegexPattern):
        text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", text.lstrip("^").rstrip("$"))
        text = text.replace(".*", "nothing-here")
    return text


def every_route() -> list[tuple[str, URLPattern]]:
    found = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + route_of(pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            else:
                found.append((route, pattern))

    walk(get_resolver().url_patterns)
    return found


def roles_for(route: str) -> list[str]:
    if route.startswith("admin/"):
        return ["supervisor"]
    if route.startswith("agent/"):
        return ["agent", "supervisor"]
    if route.startswith("my/"):
        return ["customer"]
    if route.startswith("tmf-api/"):
        return ["api"]
    return ["anonymous", "agent", "customer"]  # the landing page, signing in, probes, the callback


def address(route: str, values: dict[str, str]) -> str:
    return "/" + PLACEHOLDER.sub(lambda m: quote(values[m.group(1)], safe="/"), route)


def every_url(world: World, *, every_value: bool = True) -> list[tuple[str, str, dict[str, str]]]:
    """(role, route, path values) for every URL pattern and each role that uses it.

    The first role gets each placeholder filled with each of its real values (every capture step,
    every intent) unless every_value is off; the others, and requests no view reads, the first only.
    """
    urls = []
    for route, pattern in every_route():
        names = PLACEHOLDER.findall(route)
        choices = [world.values_for(name, route, pattern.name) for name in names]
        first, *others = roles_for(route)
        for values in itertools.product(*(c if every_value else c[:1] for c in choices)):
            urls.append((first, route, dict(zip(names, values, strict=True))))
        first_values = dict(zip(names, (c[0] for c in choices), strict=True))
        urls += [(role, route, first_values) for role in others]
    return urls


def with_odd_path_value(route: str, values: dict[str, str], odd: str) -> str | None:
    """The address with its first path value replaced by an odd one (already %-escaped), if it has one."""
    first = PLACEHOLDER.search(route)
    if first is None:
        return None
    return address(route, {**values, first.group(1): "ODD"}).replace("ODD", odd)


def refusal(response) -> str:
    """The message of a 400 refusal: the TMF630 Error body's, or the 400 page's text."""
    if response.status_code != 400:
        return f"<{response.status_code}, not 400>"
    if response["Content-Type"].startswith("application/json"):
        body = response.json()
        assert body["@type"] == "Error" and body["status"] == "400" and body["code"] == "INVALID_REQUEST", body
        return body["message"]
    assert response["Content-Type"].startswith("text/html")
    return text_of(response)


def test_every_url_is_requested(world):
    urls = every_url(world)
    routes = {route for _, route, _ in urls}
    assert len(routes) == len(every_route()) > 150  # the admin's, the console's, self-service's, the API's
    assert {"agent", "supervisor", "customer", "api"} <= {role for role, _, _ in urls}


def test_a_nul_anywhere_in_any_request_is_a_400_that_says_where(world):
    wrong = []
    tried: set[str] = set()
    for role, route, values in every_url(world, every_value=False):
        url = address(route, values)
        probes = [(role, "get", url + "?q=" + NUL, {}, "query parameter 'q'")]
        if route not in tried:  # refused before any view or sign-in check: once per route is enough
            tried.add(route)
            anyone = "api" if role == "api" else "anonymous"
            probes += [
                (anyone, "get", url + "?" + NUL + "=1", {}, "name of a query parameter"),
                (anyone, "post", url, {"data": {"note": "a\x00b"}}, "form field 'note'"),
            ]
            path = with_odd_path_value(route, values, NUL)
            if path:
                probes.append((anyone, "get", path, {}, "address"))
        for who, method, target, kwargs, where in probes:
            message = refusal(getattr(world.clients[who], method)(target, **kwargs))
            if where not in message or "NUL" not in message:
                wrong.append(f"{who} {method.upper()} {target}: {message[:160]}")
    assert not wrong, "\n".join(wrong)


def test_lone_surrogates_in_any_address_or_query_string_never_fail(world):
    failed = []
    tried: set[str] = set()
    for role, route, values in every_url(world):
        client, url = world.clients[role], address(route, values)
        if route.startswith("tmf-api/") and not values:  # a list: its filters are read one by one
            cache.clear()  # the API's rate limit counts in the cache; each list starts afresh
            queries = [f"{name}={SURROGATE}" for name in API_PARAMS]
        elif route.startswith("tmf-api/"):
            queries = [f"fields={SURROGATE}"]
        elif route.startswith("admin/") and route.count("/") == 3:  # a changelist: a wrong filter stops it
            queries = [f"q={SURROGATE}&p={SURROGATE}&o={SURROGATE}", f"state__exact={SURROGATE}"]
        else:
            queries = ["&".join(f"{name}={SURROGATE}" for name in PAGE_PARAMS)]
        # The bytes themselves too, unescaped, as a server hands them on: Django reads that query as Latin-1.
        requests = [(url, {"QUERY_STRING": f"{query}&raw={SURROGATE_BYTES}"}) for query in queries]
        if PLACEHOLDER.search(route) and route not in tried:
            tried.add(route)
            requests.append((with_odd_path_value(route, values, SURROGATE), {}))
        for target, extra in requests:
            status = client.get(target, **extra).status_code
            if status >= 500:
                failed.append(f"{role} GET {target} {extra}: {status}")
    assert not failed, "\n".join(failed)


@pytest.mark.parametrize(
    "role, url, where",
    [
        ("api", "/tmf-api/productOrderingManagement/v4/productOrder?externalId=a%00b", "externalId"),
        ("api", "/tmf-api/productOrderingManagement/v4/productOrder?category=a%00b", "category"),
        ("api", "/tmf-api/productOrderingManagement/v4/productOrder?relatedParty.id=a%00b", "relatedParty.id"),
        ("api", "/tmf-api/productCatalogManagement/v4/productOffering?name=a%00b", "name"),
        ("api", "/tmf-api/productCatalogManagement/v4/productOffering?id=a%00b", "id"),
        ("api", "/tmf-api/customerManagement/v4/customer?name=a%00b", "name"),
        ("agent", "/agent/?q=a%00b", "q"),
        ("agent", "/agent/customers/?q=a%00b", "q"),
        ("agent", "/agent/customers/lookup/?q=a%00b", "q"),
        ("supervisor", "/admin/orders/order/?state__exact=a%00b", "state__exact"),
    ],
)
def test_the_reported_requests_are_400s(roles, role, url, where):
    response = roles.clients[role].get(url)

    message = refusal(response)
    assert f"The query parameter '{where}' contains a NUL character" in message
    if role != "api":
        assert "Go to my start page" in message  # the site's 400 page, with its way back


def test_the_capture_forms_customer_with_a_nul_is_a_400_naming_the_field(roles):
    response = roles.clients["agent"].post("/agent/orders/new/", {"customer": "a\x00b"})

    assert "The form field 'customer' contains a NUL character" in refusal(response)


@pytest.mark.parametrize("cookie", ["sessionid", "csrftoken", "messages"])
@pytest.mark.parametrize("odd", ["\\000", "\\355\\240\\200"])  # octal escapes of a quoted cookie value
def test_a_cookie_holding_a_nul_is_a_400_that_clears_it(roles, cookie, odd):
    client = roles.clients["agent"]

    response = client.get("/agent/", HTTP_COOKIE=f'{cookie}="abcdefgh{odd}ijkl"')

    if odd == "\\000":
        assert f"A cookie your browser sent ('{cookie}') contains a NUL character" in refusal(response)
        assert response.cookies[cookie]["max-age"] == 0  # the browser forgets it
    else:  # the bytes of a surrogate come out of the cookie parser as U+FFFD: a key like any unknown one
        assert response.status_code < 500


# --- every field of the capture and self-service forms ---------------------------------------------


class Forms(HTMLParser):
    """The POST forms of a page: where each goes, its fields' default values, and every name it sends."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.current: dict | None = None
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.current = {"action": a.get("action") or "", "method": (a.get("method") or "get").lower()}
            self.current.update(defaults={}, names=[])
            self.forms.append(self.current)
            return
        if self.current is None:
            return
        name = a.get("name")
        if tag == "option" and self.select and (self.select not in self.current["defaults"] or "selected" in a):
            self.current["defaults"][self.select] = a.get("value", "")
        if not name:
            return
        if name not in self.current["names"]:
            self.current["names"].append(name)
        kind = a.get("type", "text")
        if tag == "select":
            self.select = name
        elif tag == "textarea" or (tag == "input" and kind not in ("checkbox", "radio", "submit", "button", "file")):
            self.current["defaults"].setdefault(name, a.get("value", ""))
        elif tag == "input" and kind in ("checkbox", "radio") and "checked" in a:
            self.current["defaults"][name] = a.get("value", "on")

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "form":
            self.current = None


def form_pages(world: World) -> list[tuple[str, str]]:
    """(role, page) for the console's capture and the customer's pages that hold forms."""
    capture = world.orders["capture"].number
    pages = [("agent", f"/agent/orders/new/?customer={world.customer.number}")]
    pages += [("agent", f"/agent/orders/{capture}/capture/{step}/") for step in CAPTURE_STEPS]
    pages += [
        ("agent", f"/agent/products/{world.products[status].pk}/{intent}/")
        for status in ("active", "suspended")
        for intent in ALLOWED_FROM
    ]
    mine = {kind: world.orders[kind].number for kind in ("online_draft", "question", "in_progress", "signoff")}
    pages += [
        ("customer", "/my/orders/new/"),
        ("customer", f"/my/orders/{mine['online_draft']}/details/"),
        ("customer", f"/my/orders/{mine['online_draft']}/review/"),
        ("customer", f"/my/orders/{mine['question']}/"),
        ("customer", f"/my/orders/{mine['in_progress']}/cancel/"),
        ("customer", f"/my/orders/{mine['signoff']}/sign-off/"),
    ]
    pages += [
        ("customer", f"/my/products/{world.products[status].pk}/{intent}/")
        for status in ("active", "suspended")
        for intent in ALLOWED_FROM
    ]
    return pages


def every_form_field(world: World) -> list[tuple[str, str, dict, str]]:
    """(role, action, default values, field name) for every field of every POST form on those pages."""
    fields = []
    for role, page in form_pages(world):
        response = world.clients[role].get(page)
        if response.status_code != 200:
            continue  # a product action its product's status does not allow
        parser = Forms()
        parser.feed(response.content.decode())
        for form in parser.forms:
            action = urljoin(page, form["action"])
            # Not signing out or discarding the draft: the pages after this one need both.
            if form["method"] == "post" and not action.endswith(("/logout/", "/discard/")):
                fields += [(role, action, form["defaults"], name) for name in form["names"]]
    return fields


def test_the_forms_are_found(world):
    names = {name for _, _, _, name in every_form_field(world)}
    # The capture's customer, its request step, the characteristics, the customer's own forms.
    assert {"customer", "kind", "reference", "answer", "reason"} <= names
    assert any(name.endswith("-router") for name in names)


def test_a_nul_in_any_form_field_is_a_400_naming_the_field(world):
    wrong = []
    for role, action, defaults, name in every_form_field(world):
        response = world.clients[role].post(action, {**defaults, name: "a\x00b"})
        message = refusal(response)
        if f"The form field {name!r} contains a NUL character" not in message:
            wrong.append(f"{role} POST {action} {name}: {message[:160]}")
    assert not wrong, "\n".join(wrong)


def test_lone_surrogates_in_any_form_field_never_fail(world):
    failed = []
    for role, action, defaults, name in every_form_field(world):
        body = urlencode({**defaults, name: "SURROGATE"}).replace("SURROGATE", SURROGATE)
        response = world.clients[role].post(action, body, content_type="application/x-www-form-urlencoded")
        if response.status_code >= 500:
            failed.append(f"{role} POST {action} {name}: {response.status_code}")
    assert not failed, "\n".join(failed)
