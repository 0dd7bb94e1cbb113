"""The permission backend answers as Django's ModelBackend does, in one query instead of two, kept until a change."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache

from customers.backends import VERSION_KEY, ModelBackendInOneQuery
from customers.models import User
from tests.factories import AgentFactory, CustomerUserFactory, SupervisorFactory, UserFactory


def fresh(user):
    return User.objects.get(pk=user.pk)  # no permission cache yet


@pytest.mark.parametrize("make_user", [AgentFactory, SupervisorFactory, CustomerUserFactory, UserFactory])
def test_it_grants_exactly_what_djangos_backend_grants(db, make_user):
    user = make_user()
    user.user_permissions.add(Permission.objects.get(codename="view_productoffering"))

    assert ModelBackendInOneQuery().get_all_permissions(fresh(user)) == ModelBackend().get_all_permissions(fresh(user))


def test_own_and_group_permissions_are_read_in_one_query(db, django_assert_num_queries):
    agent = AgentFactory()
    agent.user_permissions.add(Permission.objects.get(codename="view_productoffering"))
    agent = fresh(agent)

    with django_assert_num_queries(1):
        assert agent.has_perm("orders.view_productoffering")
        assert agent.has_perm("orders.submit_order")
        assert not agent.has_perm("orders.review_special_handling")


def test_superusers_have_every_permission_and_inactive_users_none(db):
    superuser = UserFactory(is_superuser=True)
    inactive = AgentFactory(is_active=False)

    assert fresh(superuser).has_perm("orders.review_special_handling")
    assert ModelBackendInOneQuery().get_all_permissions(fresh(inactive)) == set()


# --- the shared cache: read once, and every change seen by the next check ------------------------

VIEW_OFFERING = "orders.view_productoffering"


@pytest.fixture
def view_offering(db):
    return Permission.objects.get(codename="view_productoffering")


@pytest.fixture
def clerks(db, view_offering):
    group = Group.objects.create(name="Catalog clerks")
    group.permissions.add(view_offering)
    return group


def test_the_next_request_reads_no_permissions(db, view_offering, django_assert_num_queries):
    agent = UserFactory()
    agent.user_permissions.add(view_offering)
    assert fresh(agent).has_perm(VIEW_OFFERING)
    agent = fresh(agent)

    with django_assert_num_queries(0):
        assert agent.has_perm(VIEW_OFFERING)
        assert not agent.has_perm("orders.review_special_handling")


def test_a_revoked_permission_is_refused_at_once(db, view_offering):
    agent = UserFactory()
    agent.user_permissions.add(view_offering)
    assert fresh(agent).has_perm(VIEW_OFFERING)

    agent.user_permissions.remove(view_offering)

    assert not fresh(agent).has_perm(VIEW_OFFERING)


def test_a_permission_granted_from_its_side_is_seen_at_once(db, view_offering):
    agent = UserFactory()
    assert not fresh(agent).has_perm(VIEW_OFFERING)

    view_offering.user_set.add(agent)

    assert fresh(agent).has_perm(VIEW_OFFERING)


def test_someone_else_joining_a_group_leaves_a_users_permissions_in_the_cache(db, clerks, django_assert_num_queries):
    agent = UserFactory()
    agent.groups.add(clerks)
    assert fresh(agent).has_perm(VIEW_OFFERING)
    agent = fresh(agent)

    clerks.user_set.add(UserFactory())
    UserFactory().groups.add(clerks)

    with django_assert_num_queries(0):
        assert agent.has_perm(VIEW_OFFERING)


def test_leaving_a_group_or_the_group_losing_the_permission_is_seen_at_once(db, view_offering, clerks):
    leaving, staying = UserFactory(), UserFactory()
    clerks.user_set.add(leaving, staying)
    assert fresh(leaving).has_perm(VIEW_OFFERING)
    assert fresh(staying).has_perm(VIEW_OFFERING)

    leaving.groups.remove(clerks)
    assert not fresh(leaving).has_perm(VIEW_OFFERING)
    assert fresh(staying).has_perm(VIEW_OFFERING)

    clerks.permissions.clear()
    assert not fresh(staying).has_perm(VIEW_OFFERING)


def test_a_deleted_group_takes_its_permissions_along_at_once(db, clerks):
    agent = UserFactory()
    agent.groups.add(clerks)
    assert fresh(agent).has_perm(VIEW_OFFERING)

    clerks.delete()

    assert not fresh(agent).has_perm(VIEW_OFFERING)


def test_a_superuser_demoted_loses_every_permission_at_once(db):
    superuser = UserFactory(is_superuser=True)
    assert fresh(superuser).has_perm("orders.review_special_handling")

    superuser.is_superuser = False
    superuser.save()

    assert not fresh(superuser).has_perm("orders.review_special_handling")


def test_what_a_check_kept_while_the_change_was_uncommitted_is_forgotten_at_commit(
    db, view_offering, django_capture_on_commit_callbacks
):
    agent = UserFactory()
    agent.user_permissions.add(view_offering)
    assert fresh(agent).has_perm(VIEW_OFFERING)

    with django_capture_on_commit_callbacks(execute=True):
        agent.user_permissions.remove(view_offering)
        # Another process checks before the commit, still sees the permission and keeps it under the version
        # the change started.
        versions = (cache.get(VERSION_KEY), cache.get(f"{VERSION_KEY}:{agent.pk}"))
        cache.set(f"permissions:{agent.pk}:0", (versions, {VIEW_OFFERING}))
        assert fresh(agent).has_perm(VIEW_OFFERING)

    assert not fresh(agent).has_perm(VIEW_OFFERING)
