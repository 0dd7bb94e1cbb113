"""The permission backend answers as Django's ModelBackend does, in one query instead of two."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission

from customers.backends import ModelBackendInOneQuery
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
