"""Stuck orders surface by themselves: the four rules, clearing, the back-office queue and the hand-off panel."""

import datetime as dt

import pytest
from django.utils import timezone

from orders.fulfilment import orchestration
from orders.fulfilment.stuck import flag_stuck_orders, humanise
from orders.models import ApiClient, EventDelivery, HubListener, Order, OrderEvent, OrderState, OutboxEvent, TaskState
from orders.services import submit_order
from tests.factories import CustomerFactory, UserFactory
from tests.orders.test_fulfilment import offering_with_plan, order_for

# Tasks stay dispatched until a callback reports them; nothing finishes by itself.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("manual_downstream")]

QUEUE = "/admin/orders/stuckorder/"


@pytest.fixture(autouse=True)
def handover_stuck_after_ten_minutes(settings):
    """The limit these tests count from, whatever the environment sets."""
    settings.STUCK_HANDOVER_MINUTES = 10


@pytest.fixture
def issue(agent, run_tasks):
    """An issued order (ship equipment 24 h and book engineer 72 h dispatched, activate and billing waiting)."""

    def issue_order(code="router-line"):
        order, _ = order_for(agent, offering_with_plan(code))
        run_tasks(submit_order, order, by=agent)
        order.refresh_from_db()
        assert order.state == OrderState.IN_PROGRESS
        # Every dispatched task handed over, whatever the relay did in this test.
        order.tasks.filter(state=TaskState.DISPATCHED).update(handover_due=False, handed_over_at=timezone.now())
        return order

    return issue_order


def back_in_time(order, **delta):
    """Move everything that happened to the order back by `delta`, as if that long had passed since."""
    ago = dt.timedelta(**delta)
    now = timezone.now()
    Order.objects.filter(pk=order.pk).update(state_entered_at=now - ago)
    order.tasks.filter(dispatched_at__isnull=False).update(dispatched_at=now - ago)
    order.tasks.filter(completed_at__isnull=False).update(completed_at=now - ago)


def flags(order):
    order.refresh_from_db()
    return order.stuck_since, order.stuck_at


# --- the rules ---------------------------------------------------------------------------------------


def test_a_step_dispatched_longer_than_its_plan_allows_is_stuck(issue):
    order = issue()
    back_in_time(order, hours=27)  # shipping plans 24 h (+10 %: 26.4 h); the engineer 72 h

    assert flag_stuck_orders() == 1

    since, where = flags(order)
    assert where == "Ship equipment (logistics) dispatched 27 h ago, plan allows 24 h"
    dispatched = order.tasks.get(code="ship").dispatched_at
    assert since == dispatched + dt.timedelta(hours=24 * 1.1)


def test_within_the_grace_a_dispatched_step_is_not_stuck(issue):
    order = issue()
    back_in_time(order, hours=26)

    assert flag_stuck_orders() == 0
    assert flags(order) == (None, "")


def test_a_step_days_overdue_says_so_in_days(issue):
    order = issue()
    back_in_time(order, days=4)

    flag_stuck_orders()

    # Both steps are overdue; the one stuck longest (shipping) says where, the other is counted.
    assert flags(order)[1] == "Ship equipment (logistics) dispatched 4 days ago, plan allows 24 h; 1 more step stuck"


def test_a_step_not_handed_to_its_system_is_stuck_after_the_minutes_allowed(issue):
    order = issue()
    order.tasks.filter(code="ship").update(handover_due=True, handed_over_at=None)
    back_in_time(order, minutes=9)
    assert flag_stuck_orders() == 0

    back_in_time(order, minutes=14)
    assert flag_stuck_orders() == 1

    since, where = flags(order)
    assert where == "Ship equipment not handed to logistics for 14 min"
    assert since == order.tasks.get(code="ship").dispatched_at + dt.timedelta(minutes=10)


def test_the_minutes_allowed_come_from_the_settings(issue, settings):
    settings.STUCK_HANDOVER_MINUTES = 30
    order = issue()
    order.tasks.filter(code="ship").update(handover_due=True, handed_over_at=None)
    back_in_time(order, minutes=14)

    assert flag_stuck_orders() == 0


def test_a_ready_step_nobody_dispatched_is_stuck(issue):
    order = issue()
    # The engineer's visit was reported done, but activation (which waits only for it) never went out.
    done = timezone.now() - dt.timedelta(minutes=25)
    order.tasks.filter(code="engineer").update(state=TaskState.COMPLETED, completed_at=done)
    Order.objects.filter(pk=order.pk).update(state_entered_at=done - dt.timedelta(hours=1))

    assert flag_stuck_orders() == 1

    since, where = flags(order)
    assert where == "Activate (network) ready for 25 min, not dispatched"
    assert since == done + dt.timedelta(minutes=10)


def test_a_step_whose_dependencies_are_not_all_done_is_not_stuck(issue):
    order = issue()
    # Billing waits for activation and shipping; only shipping is done.
    order.tasks.filter(code="ship").update(
        state=TaskState.COMPLETED, completed_at=timezone.now() - dt.timedelta(hours=1)
    )
    Order.objects.filter(pk=order.pk).update(state_entered_at=timezone.now() - dt.timedelta(hours=2))

    assert flag_stuck_orders() == 0


def test_an_order_in_progress_with_nothing_left_to_run_is_stuck(issue):
    order = issue()
    order.tasks.update(state=TaskState.COMPLETED, completed_at=timezone.now() - dt.timedelta(minutes=12))
    Order.objects.filter(pk=order.pk).update(state_entered_at=timezone.now() - dt.timedelta(hours=3))

    assert flag_stuck_orders() == 1

    assert flags(order)[1] == "No step left to run for 12 min, yet the order is still in progress"


def test_flagging_is_not_a_lifecycle_transition(issue):
    order = issue()
    back_in_time(order, hours=27)
    events, outbox = OrderEvent.objects.count(), OutboxEvent.objects.count()
    updated_at = Order.objects.get(pk=order.pk).updated_at

    flag_stuck_orders()

    assert (OrderEvent.objects.count(), OutboxEvent.objects.count()) == (events, outbox)
    order.refresh_from_db()
    assert order.stuck_since and order.updated_at == updated_at and order.state == OrderState.IN_PROGRESS


def test_a_second_run_flags_nothing_new_and_keeps_the_flag(issue):
    order = issue()
    back_in_time(order, hours=27)
    assert flag_stuck_orders() == 1
    first = flags(order)

    assert flag_stuck_orders() == 0
    assert flags(order) == first


# --- clearing ---------------------------------------------------------------------------------------


def test_an_order_that_moves_on_is_cleared(issue, run_tasks):
    order = issue()
    back_in_time(order, hours=27)
    flag_stuck_orders()
    assert flags(order)[0] is not None

    run_tasks(orchestration.record_task_result, order.tasks.get(code="ship"), succeeded=True)
    flag_stuck_orders()

    assert flags(order) == (None, "")


def test_a_completed_order_is_cleared(issue, run_tasks):
    order = issue()
    back_in_time(order, hours=27)
    flag_stuck_orders()

    for code in ("ship", "engineer", "activate", "billing"):
        run_tasks(orchestration.record_task_result, order.tasks.get(code=code), succeeded=True)
    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED
    assert flag_stuck_orders() == 0

    assert flags(order) == (None, "")


def test_an_order_flagged_for_one_reason_and_then_another_keeps_its_flag_with_the_new_reason(issue):
    order = issue()
    back_in_time(order, hours=27)
    flag_stuck_orders()
    # Shipping is done at last; the engineer, dispatched as long ago, is not overdue, but the relay
    # never told field service about it.
    order.tasks.filter(code="ship").update(state=TaskState.COMPLETED, completed_at=timezone.now())
    order.tasks.filter(code="engineer").update(handover_due=True)

    assert flag_stuck_orders() == 0  # not newly stuck

    assert flags(order)[1] == "Book engineer not handed to field service for 27 h"


# --- cost: the same statements for 2 or 10 orders ------------------------------------------------------


def test_flagging_costs_the_same_queries_for_2_or_10_orders(issue, django_assert_num_queries):
    orders = [issue(f"plan-{n}") for n in range(10)]
    for order in orders[:2]:
        back_in_time(order, hours=27)

    # Four reads (one per rule), one UPDATE to clear, one to set.
    with django_assert_num_queries(6):
        assert flag_stuck_orders() == 2

    for order in orders[2:]:
        back_in_time(order, hours=27)
    Order.objects.filter(pk=orders[0].pk).update(state="pending")  # left inProgress: to be cleared
    with django_assert_num_queries(6):
        assert flag_stuck_orders() == 8
    assert Order.objects.filter(stuck_since__isnull=False).count() == 9


# --- the back office ----------------------------------------------------------------------------------


def stuck_order(issue, code, hours):
    order = issue(code)
    back_in_time(order, hours=hours)
    return order


def test_the_queue_lists_stuck_orders_to_a_supervisor_longest_stuck_first(client, supervisor, issue):
    recent = stuck_order(issue, "recent", 27)
    oldest = stuck_order(issue, "oldest", 50)
    moving = issue("moving")
    flag_stuck_orders()
    client.force_login(supervisor)

    response = client.get(QUEUE)

    assert response.status_code == 200
    assert [o.pk for o in response.context["cl"].result_list] == [oldest.pk, recent.pk]
    assert moving.pk not in [o.pk for o in response.context["cl"].result_list]
    page = response.content.decode()
    assert "Ship equipment (logistics) dispatched 2 days ago, plan allows 24 h" in page
    assert humanise(timezone.now() - Order.objects.get(pk=oldest.pk).stuck_since) in page
    assert "Stuck orders" in page


def test_agents_cannot_open_the_stuck_queue(client, staff_agent, issue):
    stuck_order(issue, "router", 27)
    flag_stuck_orders()
    client.force_login(staff_agent)

    assert client.get(QUEUE).status_code == 403


def test_the_queue_costs_the_same_queries_for_1_or_5_orders(client, supervisor, issue, django_assert_max_num_queries):
    client.force_login(supervisor)
    stuck_order(issue, "first", 27)
    flag_stuck_orders()
    client.get(QUEUE)  # warm the session and content types

    # session, user, permissions, groups, the session's save (3) = 7; count and rows = 2.
    with django_assert_max_num_queries(9):
        assert len(client.get(QUEUE).context["cl"].result_list) == 1
    for n in range(4):
        stuck_order(issue, f"more-{n}", 27 + n)
    flag_stuck_orders()
    with django_assert_max_num_queries(9):
        assert len(client.get(QUEUE).context["cl"].result_list) == 5


def test_the_order_page_and_list_show_the_stuck_badge(client, supervisor, issue):
    order = stuck_order(issue, "router", 27)
    flag_stuck_orders()
    client.force_login(supervisor)

    page = client.get(f"/admin/orders/order/{order.pk}/change/").content.decode()
    assert 'class="od-badge od-badge-stuck"' in page
    assert "Ship equipment (logistics) dispatched 27 h ago, plan allows 24 h" in page
    assert 'class="od-flag od-flag-stuck" title="Ship equipment' in page  # beside "late" in the header

    listing = client.get("/admin/orders/order/").content.decode()
    assert 'class="od-flag od-flag-stuck" title="Ship equipment (logistics) dispatched 27 h ago' in listing


def test_the_admin_index_shows_the_hand_off_panel(client, supervisor, issue):
    order = stuck_order(issue, "router", 27)
    flag_stuck_orders()
    OutboxEvent.objects.filter(published_at__isnull=True).update(published_at=timezone.now())
    unrelayed = OutboxEvent.objects.create(order=order, event_type=OutboxEvent.Type.STATE_CHANGE, payload={})
    OutboxEvent.objects.filter(pk=unrelayed.pk).update(created_at=timezone.now() - dt.timedelta(minutes=3))
    user = UserFactory()
    api_client = ApiClient.objects.create(
        name="pos", token_hash=f"{user.pk:064d}", user=user, holding_customer=CustomerFactory()
    )
    listener = HubListener.objects.create(client=api_client, callback="https://pos.example.com/hub")
    EventDelivery.objects.create(event=unrelayed, listener=listener, status=EventDelivery.Status.DEAD, attempts=6)
    client.force_login(supervisor)

    response = client.get("/admin/")

    page = response.content.decode()
    assert "Order hand-off" in page
    assert 'od-handoff od-handoff-warning"' in page  # a dead letter
    stats = {row["label"]: row["value"] for row in response.context["rows"]}
    assert stats == {
        "Oldest unrelayed row": "3 min",
        "Events waiting to be fanned out": 1,
        "Fulfilment hand-overs waiting": 0,
        "Event deliveries waiting": 0,
        "Dead letters": 1,
        "Stuck orders": 1,
    }
    assert 'href="/admin/orders/eventdelivery/?status__exact=dead">1</a>' in page
    assert 'href="/admin/orders/eventdelivery/?status__exact=pending">0</a>' in page
    assert f'href="{QUEUE}">1</a>' in page


def test_the_panel_warns_when_the_relay_is_behind(client, supervisor, issue, settings):
    settings.READY_MAX_RELAY_LAG_SECONDS = 60
    order = issue()
    OutboxEvent.objects.filter(published_at__isnull=True).update(published_at=timezone.now())
    client.force_login(supervisor)
    assert "od-handoff-warning" not in client.get("/admin/").content.decode()

    OutboxEvent.objects.filter(order=order).update(
        published_at=None, created_at=timezone.now() - dt.timedelta(minutes=2)
    )

    page = client.get("/admin/").content.decode()
    assert "od-handoff-warning" in page and "relay behind" in page


def test_the_panel_is_not_shown_to_an_agent(client, staff_agent):
    client.force_login(staff_agent)
    page = client.get("/admin/").content.decode()
    assert "Order hand-off" not in page
