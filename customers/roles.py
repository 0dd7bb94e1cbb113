"""Who is who: the staff groups, their permissions, and where each kind of user works."""

from __future__ import annotations

from enum import StrEnum

AGENTS = "agents"
SUPERVISORS = "supervisors"


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    CUSTOMER = "customer"


_AGENT_PERMISSIONS = [
    "customers.view_customer",
    "customers.add_customer",
    "customers.change_customer",
    "customers.view_contact",
    "customers.add_contact",
    "customers.change_contact",
    "customers.view_address",
    "customers.add_address",
    "customers.change_address",
    "customers.view_interaction",
    "customers.add_interaction",
    "customers.view_installedproduct",
    "customers.view_district",
    "customers.view_street",
    "orders.view_productoffering",
    "orders.view_fulfilmentstep",
    # Orders: capture, submit and follow them; feasibility, answers, cancellation and amendment.
    "orders.view_order",
    "orders.add_order",
    "orders.change_order",
    "orders.submit_order",
    "orders.view_orderitem",
    "orders.view_initiatingrequest",
    "orders.add_initiatingrequest",
    "orders.view_orderdocument",
    "orders.add_orderdocument",
    "orders.view_feasibilityassessment",
    "orders.view_ordernote",
    "orders.add_ordernote",
    "orders.view_informationrequest",
    "orders.view_cancellationrequest",
    "orders.view_orderevent",
    "orders.record_feasibility",
    "orders.answer_information",
    "orders.request_cancellation",
    "orders.amend_order",
]

_SUPERVISOR_PERMISSIONS = _AGENT_PERMISSIONS + [
    "customers.delete_contact",
    "customers.delete_address",
    "customers.change_interaction",
    "customers.add_installedproduct",
    "customers.change_installedproduct",
    "customers.add_district",
    "customers.change_district",
    "customers.add_street",
    "customers.change_street",
    "customers.delete_street",
    # The number pool: load ranges, quarantine or free numbers (orders hold and assign them).
    "customers.view_telephonenumber",
    "customers.add_telephonenumber",
    "customers.change_telephonenumber",
    "orders.add_productoffering",
    "orders.change_productoffering",
    "orders.add_fulfilmentstep",
    "orders.change_fulfilmentstep",
    "orders.delete_fulfilmentstep",
    # Review and back office: special handling, questions to the customer, fallout.
    "orders.review_special_handling",
    "orders.request_information",
    "orders.resolve_fallout",
    "orders.view_outboxevent",
    # The back office: its queues (proxies of Order in orders/admin.py) and fulfilment on the order page.
    "orders.view_specialhandlingreview",
    "orders.view_fallout",
    "orders.view_stuckorder",
    "orders.view_fulfilmenttask",
    "orders.view_eventdelivery",
    "orders.change_eventdelivery",
    "orders.view_deliverysignoff",
]

# Later migrations extend these lists and call sync_role_groups again.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    AGENTS: _AGENT_PERMISSIONS,
    SUPERVISORS: _SUPERVISOR_PERMISSIONS,
}


def sync_role_groups(apps, schema_editor=None) -> None:
    """Create the staff groups and give them exactly their permissions (a data migration step)."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations ran; the groups need them now.
    for app_config in apps.get_app_configs():
        # create_permissions skips apps without a models module, which is every app in a
        # migration's historical registry; restore the real value so the live registry is untouched.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        # A permission whose model a later migration creates is skipped here; that migration
        # calls this function again, so the last one leaves every group complete.
        available = {
            f"{app}.{codename}": pk
            for pk, app, codename in Permission.objects.values_list("pk", "content_type__app_label", "codename")
        }
        group.permissions.set([available[dotted] for dotted in codenames if dotted in available])


def role_of(user) -> Role | None:
    """The role a signed-in user works in; None for anyone without one."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.customer_id:
        return Role.CUSTOMER
    group_names = {g.name for g in user.groups.all()}
    if user.is_superuser or SUPERVISORS in group_names:
        return Role.SUPERVISOR
    if AGENTS in group_names:
        return Role.AGENT
    return None


def request_role(request) -> Role | None:
    """role_of(request.user), worked out once per request."""
    if not hasattr(request, "_role"):
        request._role = role_of(request.user)
    return request._role
