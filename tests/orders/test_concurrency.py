"""Two people acting on the same order at once, and the same submission arriving twice.

The threaded tests need real concurrent connections and row locks, so they run on PostgreSQL only;
each thread has its own connection and closes it when done.
"""

import threading
from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from customers.models import CreditClass
from orders.models import Order, OrderEvent, OrderState, OutboxEvent
from orders.services import ActionRefused, approve_special_handling, submit_order
from tests.factories import AgentFactory, OfferingFactory, OrderFactory, OrderItemFactory, SupervisorFactory

S = OrderState

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent connections and row locks (PostgreSQL)"
)


# Issued orders stay in progress: these tests are about the race, not about fulfilment.
pytestmark = pytest.mark.usefixtures("manual_downstream")


def submittable_order(**fields) -> Order:
    """A complete standard order: issued at once, no credit check (class A, small value)."""
    order = OrderFactory(customer__credit_class=CreditClass.A, **fields)
    OrderItemFactory(order=order, offering=OfferingFactory(requires_install_address=False, data_requirements=[]))
    return order


def at_the_same_time(*workers: tuple[Callable[[], object], Callable[[object], object]]) -> list:
    """Run each (load, act) in its own thread; every thread has loaded before any acts.

    Returns, per worker, ("ok", result) or ("error", exception).
    """
    barrier = threading.Barrier(len(workers))
    results: list = [None] * len(workers)

    def run(index, load, act):
        try:
            loaded = load()
            barrier.wait(timeout=10)
            results[index] = ("ok", act(loaded))
        except Exception as error:  # any failure is reported to the test
            results[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, *worker)) for i, worker in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck (lock wait?)"
    return results


def successes(results):
    return [value for kind, value in results if kind == "ok"]


def errors(results):
    return [value for kind, value in results if kind == "error"]


# --- two supervisors approve the same held order ------------------------------------------------


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_supervisors_approving_the_same_held_order_at_once_issue_it_once():
    order = OrderFactory(state=S.HELD, needs_special_handling=True)
    first, second = SupervisorFactory(), SupervisorFactory()

    def approve_as(supervisor):
        return (
            lambda: Order.objects.get(pk=order.pk),
            lambda loaded: approve_special_handling(loaded, by=supervisor, note="Reviewed."),
        )

    results = at_the_same_time(approve_as(first), approve_as(second))

    assert len(successes(results)) == 1
    assert [type(e) for e in errors(results)] in ([ConcurrentTransition], [TransitionNotAllowed])
    assert Order.objects.get(pk=order.pk).state == S.IN_PROGRESS
    assert OrderEvent.objects.filter(order=order, transition="approve").count() == 1
    assert OutboxEvent.objects.filter(order=order, event_type=OutboxEvent.Type.STATE_CHANGE).count() == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_stale_copies_saved_from_two_connections_at_once_let_only_one_transition_through():
    order = OrderFactory(state=S.HELD, needs_special_handling=True)

    def move(name):
        def act(loaded):
            with transaction.atomic():
                getattr(loaded, name)()
                loaded.save()

        return (lambda: Order.objects.get(pk=order.pk), act)

    results = at_the_same_time(move("approve"), move("refuse"))

    assert len(successes(results)) == 1
    assert [type(e) for e in errors(results)] == [ConcurrentTransition]
    assert Order.objects.get(pk=order.pk).state in (S.IN_PROGRESS, S.CANCELLED)


@pytest.mark.django_db
def test_the_second_of_two_stale_copies_cannot_save_its_transition():
    order = OrderFactory(state=S.IN_PROGRESS)
    first, second = Order.objects.get(pk=order.pk), Order.objects.get(pk=order.pk)
    first.complete()
    second.fail()

    first.save()
    with pytest.raises(ConcurrentTransition), transaction.atomic():  # the failed save spoils its transaction
        second.save()

    assert Order.objects.get(pk=order.pk).state == S.COMPLETED


# --- the same submission arriving twice ---------------------------------------------------------


@pytest.mark.django_db
def test_submitting_an_order_twice_with_one_key_gives_one_outcome_and_one_history(agent):
    order = submittable_order()

    first = submit_order(order, by=agent, submission_key="k1")
    second = submit_order(order, by=agent, submission_key="k1")

    assert first == second
    assert second.issued
    assert Order.objects.count() == 1
    assert Order.objects.get(pk=order.pk).state == S.IN_PROGRESS
    assert list(order.events.values_list("transition", flat=True)) == ["acknowledge", "issue"]


@pytest.mark.django_db
def test_a_second_draft_submitted_with_a_used_key_gets_the_first_order_and_stays_draft(agent):
    order = submittable_order()
    other = submittable_order(customer=order.customer)
    submit_order(order, by=agent, submission_key="k1")

    outcome = submit_order(other, by=agent, submission_key="k1")

    assert outcome.order.pk == order.pk
    assert Order.objects.get(pk=other.pk).state == S.DRAFT
    assert Order.objects.get(pk=other.pk).submission_key is None
    assert not OrderEvent.objects.filter(order=other).exists()
    assert not OutboxEvent.objects.filter(order=other).exists()


@pytest.mark.django_db
def test_submission_keys_of_different_customers_never_meet(agent):
    order, other = submittable_order(), submittable_order()
    submit_order(order, by=agent, submission_key="k1")

    outcome = submit_order(other, by=agent, submission_key="k1")

    assert outcome.order.pk == other.pk and outcome.issued


@pytest.mark.django_db
def test_resubmitting_without_the_same_key_is_refused_and_changes_nothing(agent):
    order = submittable_order()
    submit_order(order, by=agent, submission_key="k1")

    for key in (None, "k2"):
        with pytest.raises(ActionRefused):
            submit_order(order, by=agent, submission_key=key)

    assert order.events.count() == 2


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_same_order_submitted_from_two_threads_with_one_key_is_issued_once():
    order = submittable_order()
    agent = AgentFactory()
    submit = (
        lambda: Order.objects.get(pk=order.pk),
        lambda loaded: submit_order(loaded, by=agent, submission_key="k1"),
    )

    results = at_the_same_time(submit, submit)

    assert errors(results) == []
    assert {outcome.order.pk for outcome in successes(results)} == {order.pk}
    assert all(outcome.issued for outcome in successes(results))
    assert Order.objects.get(pk=order.pk).state == S.IN_PROGRESS
    assert list(order.events.values_list("transition", flat=True)) == ["acknowledge", "issue"]
    assert OutboxEvent.objects.filter(order=order, event_type=OutboxEvent.Type.STATE_CHANGE).count() == 2


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_drafts_submitted_from_two_threads_with_one_key_issue_only_one():
    first = submittable_order()
    drafts = [first, submittable_order(customer=first.customer)]
    agent = AgentFactory()

    def submit(draft):
        return (
            lambda: Order.objects.get(pk=draft.pk),
            lambda loaded: submit_order(loaded, by=agent, submission_key="k1"),
        )

    results = at_the_same_time(submit(drafts[0]), submit(drafts[1]))

    assert errors(results) == []
    states = sorted(Order.objects.filter(pk__in=[d.pk for d in drafts]).values_list("state", flat=True))
    assert states == sorted([S.DRAFT, S.IN_PROGRESS])
    issued = Order.objects.get(pk__in=[d.pk for d in drafts], state=S.IN_PROGRESS)
    assert {outcome.order.pk for outcome in successes(results)} == {issued.pk}
    assert issued.submission_key == "k1"
    history = OrderEvent.objects.filter(order__in=drafts).values_list("order", "transition")
    assert list(history) == [(issued.pk, "acknowledge"), (issued.pk, "issue")]
