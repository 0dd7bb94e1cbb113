"""API clients: creating them with their service user and holding customer, and their tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable

from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from customers import versions
from customers.commands import create_holding_customer
from customers.models import Address, Channel, Customer, District, Street, User
from orders.models import ApiClient

# What a client's service user may do through the services: submit orders for the customers the
# API lets it reach, cancel them and answer the questions asked about them. Nothing else: it has
# no group, so no page of the console or the admin opens for it, and no password to log in with.
SERVICE_USER_PERMISSIONS = ["submit_order", "request_cancellation", "answer_information"]

# Managing the catalog through TMF620 (create, change and retire offerings, their specifications and
# prices) is the admin's permission to change offerings, granted to a client's user on purpose.
CATALOG_MANAGEMENT_PERMISSION = "orders.change_productoffering"


# Every API call names its client: the client and its user are kept in the shared cache, by the token's
# hash, so a call does not read them (one statement, ~2 ms of CPU an order). Saving or deleting a client,
# or saving its user, forgets it at once and again at commit; the time limit bounds what a change made
# around the ORM (QuerySet.update) could leave behind.
CREDENTIAL_SECONDS = 300


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def client_for_token(token: str) -> ApiClient | None:
    """The active client, with its active user, that this bearer token names; None when none does."""
    token_hash = hash_token(token)
    key = _credential_key(token_hash)
    client = cache.get(key)
    if client is None:
        client = (
            ApiClient.objects.select_related("user")
            .filter(token_hash=token_hash, is_active=True, user__is_active=True)
            .first()
        )
        if client is None:
            return None
        cache.set(key, client, CREDENTIAL_SECONDS)  # before anything caches permissions on the user
    return client


def _credential_key(token_hash: str) -> str:
    return f"api-client:{token_hash}"


def _forget(token_hashes) -> None:
    keys = [_credential_key(token_hash) for token_hash in token_hashes if token_hash]
    if keys:
        cache.delete_many(keys)
        # A call between now and the commit could cache the row as it was: forget it again then.
        transaction.on_commit(lambda: cache.delete_many(keys))


@receiver(pre_save, sender=ApiClient)
def _client_changing(sender, instance: ApiClient, raw=False, **kwargs) -> None:
    if instance.pk and not raw:  # the token it had, which a new token must stop at once (set_token)
        _forget(ApiClient.objects.filter(pk=instance.pk).values_list("token_hash", flat=True))


@receiver([post_save, post_delete], sender=ApiClient)
def _client_changed(sender, instance: ApiClient, **kwargs) -> None:
    _forget([instance.token_hash])


@receiver([post_save, post_delete], sender=User)
def _user_changed(sender, instance: User, update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return  # a sign-in changes nothing a client's call reads
    _forget(ApiClient.objects.filter(user_id=instance.pk).values_list("token_hash", flat=True))


# Every API order names its customer (and most items need the customer's installation address): two
# queries an order, ~1.3 ms of CPU, for rows that change far less often than orders arrive. They are kept
# in the shared cache, stamped with the customers' version: a token that saving or deleting a customer,
# an address, a street or a district, a change to which customers a client may act for, and
# customers_changed() (for writes around the models) replace (customers.versions). Nothing is kept longer
# than CREDENTIAL_SECONDS.
CUSTOMERS_VERSION_KEY = "api-customers:version"


def kept_customer_data(key: str, load: Callable):
    """What `load` reads about customers (None when nothing), from the cache while no customer changed."""
    key = f"api-customers:{hashlib.sha256(key.encode()).hexdigest()}"
    found = cache.get_many([CUSTOMERS_VERSION_KEY, key])
    version = versions.current(CUSTOMERS_VERSION_KEY, found.get(CUSTOMERS_VERSION_KEY))
    entry = found.get(key)
    if entry is not None and entry[0] == version:
        return entry[1]
    value = load()  # after reading the version: a change committed meanwhile has already replaced it
    if value is not None:
        cache.set(key, (version, value), CREDENTIAL_SECONDS)
    return value


def customers_changed() -> None:
    """Forget every customer kept for API calls, now and when the current transaction commits."""
    versions.replace([CUSTOMERS_VERSION_KEY])


@receiver([post_save, post_delete], sender=Customer)
@receiver([post_save, post_delete], sender=Address)
@receiver([post_save, post_delete], sender=Street)
@receiver([post_save, post_delete], sender=District)
@receiver(post_delete, sender=ApiClient)
def _customer_rows_changed(sender, **kwargs) -> None:
    customers_changed()


@receiver(m2m_changed, sender=ApiClient.customers.through)
def _client_customers_changed(sender, action: str, **kwargs) -> None:
    if action.startswith("post_"):
        customers_changed()


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
