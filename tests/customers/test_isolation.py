"""No probe crosses between customers: every self-service URL that takes an order number or a
product id answers 404 for anything of another customer, for GET and POST alike, and nothing
changes; signed-out visitors are sent to the login page; customers reach no staff page.

The cases are checked against the URL configuration: a self-service page added without a case
here fails test_every_self_service_url_is_covered.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.http import Http404
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from customers.models import InstalledProduct
from orders.models import (
    CancellationRequest,
    DeliverySignOff,
    FulfilmentTask,
    InformationRequest,
    InitiatingRequest,
    Order,
    OrderEvent,
    OrderItem,
    OrderNote,
    OutboxEvent,
)
from orders.selectors import (
    draft_for_customer,
    order_for_customer,
    order_page_for_customer,
    orders_needing_attention,
    orders_of_customer,
    product_for_customer,
    products_of_customer,
)
from orders.services import add_item, create_draft_order, record_initiating_request
from tests.factories import PASSWORD, AgentFactory, InstalledProductFactory, SupervisorFactory
from tests.selfservice_helpers import (
    ask,
    awaiting_signoff,
    customer_login,
    fibre_offering,
    fibre_order,
    mobile_offering,
    mobile_order,
)

pytestmark = pytest.mark.django_db

SELF_SERVICE_PACKAGE = "ordersite.selfservice"


def is_self_service_view(callback) -> bool:
    module = getattr(callback, "__module__", "") or ""
    return module == SELF_SERVICE_PACKAGE or module.startswith(f"{SELF_SERVICE_PACKAGE}.")


def self_service_patterns() -> dict[str, URLPattern]:
    """Every URL pattern, anywhere in the URL configuration, whose view lives in the ordersite.selfservice package."""
    found: dict[str, URLPattern] = {}

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif is_self_service_view(pattern.callback):
                found[f"{namespace}{pattern.name}"] = pattern

    walk(get_resolver().url_patterns)
    return found


# --- the world: Alice probes, Bob owns -------------------------------------------------------------


class World:
    """Alice and Bob; each one's orders and products in the situations a self-service page acts on.

    Things are made when a test first asks for them, so each test pays only for what it uses.
    """

    ORDER_KINDS = ("in_progress", "question", "signoff", "draft")
    PRODUCT_KINDS = ("active", "suspended")

    def __init__(self):
        self.agent = AgentFactory()
        self.users = {"alice": customer_login("Alice Morgan"), "bob": customer_login("Bob Hughes")}
        self._orders: dict[tuple[str, str], Order] = {}
        self._products: dict[tuple[str, str], InstalledProduct] = {}

    @property
    def alice(self):
        return self.users["alice"]

    def order(self, who: str, kind: str) -> Order:
        if (who, kind) not in self._orders:
            user = self.users[who]
            customer = user.customer
            if kind == "in_progress":
                order = mobile_order(self.agent, customer)
            elif kind == "question":
                order = fibre_order(self.agent, customer)
                ask(order, f"A question for {customer.name}")
            elif kind == "signoff":
                order = awaiting_signoff(customer)
            else:  # a draft the customer started online
                request = record_initiating_request(customer=customer, by=user, kind="sales_proposal")
                order = create_draft_order(customer=customer, by=user, initiating_request=request)
                add_item(order, by=user, offering=fibre_offering(), install_address=customer.addresses.first())
            self._orders[who, kind] = order
        return self._orders[who, kind]

    def product(self, who: str, kind: str) -> InstalledProduct:
        if (who, kind) not in self._products:
            customer = self.users[who].customer
            self._products[who, kind] = InstalledProductFactory(
                customer=customer,
                offering=mobile_offering(),
                name=f"{customer.name}'s {kind} phone",
                status=kind,
                characteristics={"sim_type": "esim"},
            )
        return self._products[who, kind]

    def made_orders(self, who: str) -> list[Order]:
        return [order for (owner, _), order in self._orders.items() if owner == who]

    def everything_of(self, who: str) -> tuple[list[Order], list[InstalledProduct]]:
        return [self.order(who, k) for k in self.ORDER_KINDS], [self.product(who, k) for k in self.PRODUCT_KINDS]


@pytest.fixture
def world(db):
    return World()


def item_prefix(order: Order) -> str:
    return f"i{order.items.get().pk}-c"


# For each self-service URL that takes an id: the kwargs for someone's things, and a POST body that
# would act if the ownership check were missing. Several cases may share a URL name.
CASES = {
    "my-order/in-progress": ("selfservice:my-order", lambda w, who: {"number": w.order(who, "in_progress").number}, {}),
    "my-order/draft": ("selfservice:my-order", lambda w, who: {"number": w.order(who, "draft").number}, {}),
    "my-order-answer": (
        "selfservice:my-order-answer",
        lambda w, who: {"number": w.order(who, "question").number},
        lambda w, who: {"answer": "Here you are"},
    ),
    "my-order-cancel": (
        "selfservice:my-order-cancel",
        lambda w, who: {"number": w.order(who, "in_progress").number},
        lambda w, who: {"reason": "Changed my mind"},
    ),
    "my-order-signoff": (
        "selfservice:my-order-signoff",
        lambda w, who: {"number": w.order(who, "signoff").number},
        lambda w, who: {"test_result": "passed", "accepted": "on", "training": "declined"},
    ),
    "my-order-details": (
        "selfservice:my-order-details",
        lambda w, who: {"number": w.order(who, "draft").number},
        lambda w, who: {f"{item_prefix(w.order(who, 'draft'))}-router": "mesh-pack", "requested_start_date": ""},
    ),
    "my-order-discard": (
        "selfservice:my-order-discard",
        lambda w, who: {"number": w.order(who, "draft").number},
        lambda w, who: {},
    ),
    "my-order-review": (
        "selfservice:my-order-review",
        lambda w, who: {"number": w.order(who, "draft").number},
        lambda w, who: {},
    ),
    "my-product-action/change": (
        "selfservice:my-product-action",
        lambda w, who: {"pk": w.product(who, "active").pk, "intent": "change"},
        lambda w, who: {"c-sim_type": "physical", "c-spend_cap": "10"},
    ),
    "my-product-action/suspend": (
        "selfservice:my-product-action",
        lambda w, who: {"pk": w.product(who, "active").pk, "intent": "suspend"},
        lambda w, who: {"reason": "Holiday"},
    ),
    "my-product-action/resume": (
        "selfservice:my-product-action",
        lambda w, who: {"pk": w.product(who, "suspended").pk, "intent": "resume"},
        lambda w, who: {},
    ),
    "my-product-action/discontinue": (
        "selfservice:my-product-action",
        lambda w, who: {"pk": w.product(who, "active").pk, "intent": "discontinue"},
        lambda w, who: {"confirm": "on"},
    ),
    "my-product-action/unknown-intent": (
        "selfservice:my-product-action",
        lambda w, who: {"pk": w.product(who, "active").pk, "intent": "change_ownership"},
        lambda w, who: {},
    ),
}

# Self-service URLs without an id: they only ever show the signed-in customer's own things.
PAGES_WITHOUT_IDS = {
    "selfservice:my-home",
    "selfservice:my-orders",
    "selfservice:my-products",
    "selfservice:my-order-new",
}


def case_url(world: World, case: str, who: str) -> tuple[str, dict]:
    name, kwargs, body = CASES[case]
    return reverse(name, kwargs=kwargs(world, who)), (body(world, who) if callable(body) else body)


def snapshot() -> dict:
    """Everything a self-service POST could change, as plain values."""
    return {
        "orders": list(
            Order.objects.order_by("pk").values_list(
                "pk", "state", "updated_at", "requested_start_date", "special_requirements", "awaiting_signoff"
            )
        ),
        "items": list(
            OrderItem.objects.order_by("pk").values_list("pk", "state", "characteristics", "install_address")
        ),
        "products": list(InstalledProduct.objects.order_by("pk").values_list("pk", "status", "characteristics")),
        "questions": list(InformationRequest.objects.order_by("pk").values_list("pk", "answer", "answered_at")),
        "counts": [
            model.objects.count()
            for model in (
                OrderEvent,
                OutboxEvent,
                CancellationRequest,
                DeliverySignOff,
                InitiatingRequest,
                OrderNote,
                FulfilmentTask,
            )
        ],
    }


# --- coverage ------------------------------------------------------------------------------------


def test_every_self_service_url_is_covered():
    patterns = self_service_patterns()
    with_ids = {name for name, pattern in patterns.items() if pattern.pattern.converters}
    without_ids = set(patterns) - with_ids

    covered = {name for name, _, _ in CASES.values()}
    assert with_ids == covered, "add an isolation case for each self-service URL that takes an id"
    assert without_ids == PAGES_WITHOUT_IDS


# --- another customer's things: 404, and nothing changes ----------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_another_customers_things_are_not_found_and_nothing_changes(client, world, case, method):
    url, body = case_url(world, case, "bob")
    client.force_login(world.alice)
    before = snapshot()

    response = client.get(url) if method == "get" else client.post(url, body)

    assert response.status_code == 404
    assert snapshot() == before
    for order in world.made_orders("bob"):
        assert order.number.encode() not in response.content


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_same_requests_work_on_ones_own_things(client, world, case):
    # The control for the test above: the 404s come from ownership, not from a broken request.
    url, _ = case_url(world, case, "alice")
    client.force_login(world.alice)

    response = client.get(url)

    # Answers and discards are posted.
    expected = {"my-product-action/unknown-intent": 404, "my-order-answer": 405, "my-order-discard": 405}.get(case, 200)
    assert response.status_code == expected


def test_posting_to_ones_own_things_acts(client, world):
    url, body = case_url(world, "my-order-answer", "alice")
    client.force_login(world.alice)

    client.post(url, body)

    assert world.order("alice", "question").information_requests.get().answer == "Here you are"


@pytest.mark.parametrize(
    "number", ["ORD-abc", "123", "ORD-", "ORD-000000", "ORD-99999999", "ORD-000001x", "CUS-000001", " "]
)
def test_order_numbers_that_are_not_the_customers_are_not_found(client, world, number):
    client.force_login(world.alice)
    response = client.get(f"/my/orders/{number}/")
    assert response.status_code == 404


def test_product_ids_that_are_not_the_customers_are_not_found(client, world):
    client.force_login(world.alice)
    missing = world.product("bob", "active").pk + 1
    assert client.get(f"/my/products/{missing}/suspend/").status_code == 404
    assert client.get("/my/products/0/suspend/").status_code == 404


def test_lists_show_only_the_customers_own_things(client, world):
    bobs_orders, bobs_products = world.everything_of("bob")
    world.everything_of("alice")
    client.force_login(world.alice)
    pages = b"".join(
        client.get(reverse(name)).content
        for name in (
            "selfservice:my-home",
            "selfservice:my-orders",
            "selfservice:my-products",
            "selfservice:my-order-new",
        )
    )
    for order in bobs_orders:
        assert order.number.encode() not in pages
    for product in bobs_products:
        assert product.name.encode() not in pages.replace(b"&#x27;", b"'")
    assert b"Bob Hughes" not in pages


# --- the selectors that guard it all ---------------------------------------------------------------


def test_the_order_selectors_refuse_other_customers_orders(world):
    alice = world.alice.customer
    for order in world.everything_of("bob")[0]:
        for selector in (order_for_customer, order_page_for_customer, draft_for_customer):
            with pytest.raises(Http404):
                selector(customer=alice, number=order.number)
    for order in world.everything_of("alice")[0]:
        assert order_for_customer(customer=alice, number=order.number) == order
    with pytest.raises(Http404):
        order_for_customer(customer=None, number=world.order("alice", "draft").number)


def test_the_product_selector_refuses_other_customers_products(world):
    alice = world.alice.customer
    for product in world.everything_of("bob")[1]:
        with pytest.raises(Http404):
            product_for_customer(customer=alice, pk=product.pk)
    for product in world.everything_of("alice")[1]:
        assert product_for_customer(customer=alice, pk=product.pk) == product


def test_the_list_selectors_hold_only_the_customers_own_things(world):
    world.everything_of("alice")
    world.everything_of("bob")
    alice = world.alice.customer
    assert len(orders_needing_attention(alice)) == 2  # the question and the sign-off
    assert {o.customer_id for o in orders_of_customer(alice)} == {alice.pk}
    assert {p.customer_id for p in products_of_customer(alice)} == {alice.pk}
    assert {o.customer_id for o in orders_needing_attention(alice)} == {alice.pk}


# --- signed out, staff, and the way in -------------------------------------------------------------


def all_self_service_urls(world: World) -> list[str]:
    urls = [reverse(name) for name in sorted(PAGES_WITHOUT_IDS)]
    urls += [case_url(world, case, "alice")[0] for case in sorted(CASES)]
    return urls


@pytest.mark.parametrize("method", ["get", "post"])
def test_signed_out_visitors_are_sent_to_the_login_page(client, world, method):
    urls = all_self_service_urls(world)
    before = snapshot()
    for url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login") + "?next="), url
    assert snapshot() == before


def test_staff_do_not_use_the_self_service_pages(client, world):
    for user in (world.agent, SupervisorFactory()):
        client.force_login(user)
        for url in all_self_service_urls(world):
            assert client.get(url).status_code == 403, url


def staff_urls() -> list[str]:
    """Every /agent/ page, with made-up ids: customers are refused before any id is looked at."""
    fillers = {"number": "ORD-000001", "pk": "1", "step": "review", "intent": "suspend"}
    urls = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif route.startswith("agent/"):
                urls.append("/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: fillers.get(m.group(1), "x"), route))

    walk(get_resolver().url_patterns)
    return urls


@pytest.mark.parametrize("method", ["get", "post"])
def test_customers_reach_no_staff_page(client, world, method):
    client.force_login(world.alice)
    urls = staff_urls()
    assert "/agent/" in urls and len(urls) > 5
    for url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 403, url


@pytest.mark.parametrize("url", ["/admin/", "/admin/orders/order/", "/admin/customers/customer/"])
def test_customers_reach_no_back_office_page(client, world, url):
    client.force_login(world.alice)

    response = client.get(url)

    # The admin sends anyone who is not staff to its own login page; customers are never staff.
    assert response.status_code == 302 and response.url.startswith("/admin/login/")


def test_the_api_does_not_take_a_customers_session(client, world):
    client.force_login(world.alice)
    response = client.get("/tmf-api/productOrderingManagement/v4/productOrder")
    assert response.status_code in (401, 403)


def test_customer_logins_are_throttled_against_guessing(client, world):
    username = world.alice.username
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(reverse("login"), {"username": username, "password": "guess"})
    locked = client.post(reverse("login"), {"username": username, "password": "another guess"})
    assert locked.status_code == 429
    assert client.post(reverse("login"), {"username": username, "password": PASSWORD}).status_code == 429
    assert "_auth_user_id" not in client.session
