"""API clients: creating them with their service user and holding customer, and their tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q

from customers.commands import create_holding_customer
from customers.models import Channel, User
from orders.models import ApiClient

# What a client's service user may do through the services: submit orders for the customers the
# API lets it reach, cancel them and answer the questions asked about them. Nothing else: it has
# no group, so no page of the console or the admin opens for it, and no password to log in with.
SERVICE_USER_PERMISSIONS = ["submit_order", "request_cancellation", "answer_information"]

# Managing the catalog through TMF620 (create, change and retire offerings, their specifications and
# prices) is the admin's permission to change offerings, granted to a client's user on purpose.
CATALOG_MANAGEMENT_PERMISSION = "orders.change_productoffering"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_api_client(
    *, name: str, channel: str = Channel.API, customers=(), token: str | None = None
) -> tuple[ApiClient, str]:
    """A new client with its service user and holding customer; returns the client and its token.

    The token is shown once: only its hash is stored.
    """
    if channel not in ApiClient.CHANNELS:
        raise ValueError(f"An API client's channel is one of: {', '.join(ApiClient.CHANNELS)}.")
    token = token or secrets.token_urlsafe(32)
    slug = "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-")[:100]
    user = User(username=f"api-{slug}"[:150], first_name=name[:150], channel=channel, is_active=True)
    user.set_unusable_password()
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="orders", codename__in=SERVICE_USER_PERMISSIONS)
    )
    holding = create_holding_customer(name)
    client = ApiClient.objects.create(
        name=name, token_hash=hash_token(token), user=user, channel=channel, holding_customer=holding
    )
    client.customers.set(customers)
    return client, token


def set_token(client: ApiClient, token: str | None = None) -> str:
    """Replace the client's token (the old one stops working at once); returns the new one."""
    token = token or secrets.token_urlsafe(32)
    client.token_hash = hash_token(token)
    client.save(update_fields=["token_hash"])
    return token


def grant_catalog_management(client: ApiClient) -> None:
    """Let this client create, change and retire offerings, specifications and prices through TMF620."""
    app_label, codename = CATALOG_MANAGEMENT_PERMISSION.split(".")
    client.user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def may_manage_catalog(client: ApiClient) -> bool:
    """The user's permission, directly or through a group: one query (every catalog list asks), as has_perm says."""
    if not client.user.is_active:
        return False
    if client.user.is_superuser:
        return True
    app_label, codename = CATALOG_MANAGEMENT_PERMISSION.split(".")
    return (
        Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        .filter(Q(user=client.user) | Q(group__user=client.user))
        .exists()
    )
