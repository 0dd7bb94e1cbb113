"""Each user lands on their own home; each home is closed to the other roles."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from customers.roles import AGENTS, ROLE_PERMISSIONS, SUPERVISORS, Role, role_of
from tests.factories import UserFactory


@pytest.mark.parametrize(
    ("user_fixture", "home"),
    [("agent", "/agent/"), ("supervisor", "/admin/"), ("customer_user", "/my/")],
)
def test_root_sends_each_role_home(client, db, request, user_fixture, home):
    client.force_login(request.getfixturevalue(user_fixture))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == home
    assert client.get(home).status_code == 200


def test_signed_out_visitors_are_sent_to_login(client, db):
    for url in ("/", "/agent/", "/my/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(f"{reverse('login')}?next=")


def test_a_user_without_a_role_is_told_so(client, db):
    client.force_login(UserFactory())
    response = client.get("/")
    assert response.status_code == 403
    assert b"no access" in response.content.lower()


@pytest.mark.parametrize(
    ("user_fixture", "url", "status"),
    [
        ("customer_user", "/agent/", 403),
        ("customer_user", "/admin/", 302),  # the admin's own login: customers are never staff
        ("agent", "/my/", 403),
        ("agent", "/admin/", 302),
        ("supervisor", "/agent/", 200),
        ("supervisor", "/my/", 403),
    ],
)
def test_homes_are_closed_to_other_roles(client, db, request, user_fixture, url, status):
    client.force_login(request.getfixturevalue(user_fixture))
    response = client.get(url)
    assert response.status_code == status
    if status == 302:
        assert "/admin/login/" in response["Location"]


def test_role_of_reads_groups_and_customer_link(agent, supervisor, customer_user):
    assert role_of(agent) == Role.AGENT
    assert role_of(supervisor) == Role.SUPERVISOR
    assert role_of(customer_user) == Role.CUSTOMER


def test_the_migration_gives_each_group_exactly_its_permissions(db):
    for name in (AGENTS, SUPERVISORS):
        granted = {
            f"{app}.{codename}"
            for app, codename in Group.objects.get(name=name).permissions.values_list(
                "content_type__app_label", "codename"
            )
        }
        assert granted == set(ROLE_PERMISSIONS[name])


def test_agents_cannot_maintain_the_catalog_but_supervisors_can(agent, supervisor):
    assert not agent.has_perm("orders.change_productoffering")
    assert agent.has_perm("orders.view_productoffering")
    assert supervisor.has_perm("orders.change_productoffering")
