"""How the product reads a signed-in user's permissions."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from customers import versions
from customers.models import User

# A user's permissions are kept in the shared cache, each entry stamped with two versions: the user's,
# which a change to the user's own permissions or groups replaces, and everyone's, which a change to a
# group's permissions, a group deleted, a permission or a content type replaces (customers.versions),
# so the next check anywhere reads them again. The time limit bounds what a change made around the
# related managers (QuerySet.update, rows of the relations written directly, which send no signal, SQL
# by hand) could leave behind.
PERMISSION_SECONDS = 300
VERSION_SECONDS = 86400  # a version that expires only costs one more read
VERSION_KEY = "permissions:version"


class ModelBackendInOneQuery(ModelBackend):
    """Django's ModelBackend, reading the user's own and group permissions in one query, once per change.

    Every page, action and API call checks a permission, so the round trip shows in every request
    (`make bench` measured it on API order creation). The answers are Django's own.
    """

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = _cached_permissions(user_obj)
        return user_obj._perm_cache


def _cached_permissions(user: User) -> set[str]:
    user_version_key = _user_version_key(user.pk)
    key = f"permissions:{user.pk}:{int(user.is_superuser)}"
    found = cache.get_many([VERSION_KEY, user_version_key, key])
    stamp = tuple(
        versions.current(version_key, found.get(version_key), VERSION_SECONDS)
        for version_key in (VERSION_KEY, user_version_key)
    )
    entry = found.get(key)
    if entry is not None and entry[0] == stamp:
        return set(entry[1])
    # The versions are read before the permissions, so a change committed in between leaves this entry
    # stale under a version already replaced: never served.
    permissions = _read_permissions(user)
    cache.set(key, (stamp, permissions), PERMISSION_SECONDS)
    return permissions


def _read_permissions(user: User) -> set[str]:
    if user.is_superuser:
        rows = Permission.objects.values_list("content_type__app_label", "codename")
    else:
        own = Permission.objects.filter(user=user).order_by()
        through_groups = Permission.objects.filter(group__user=user).order_by()
        rows = own.values_list("content_type__app_label", "codename").union(
            through_groups.values_list("content_type__app_label", "codename")
        )
    return {f"{app_label}.{codename}" for app_label, codename in rows}


def _user_version_key(user_id) -> str:
    return f"permissions:version:{user_id}"


def permissions_changed(user_ids=None) -> None:
    """Make every process read these users' permissions (everyone's, by default) again, now and at commit."""
    keys = [VERSION_KEY] if user_ids is None else [_user_version_key(pk) for pk in user_ids]
    versions.replace(keys, VERSION_SECONDS)


@receiver(m2m_changed, sender=User.user_permissions.through)
@receiver(m2m_changed, sender=User.groups.through)
def _user_relations_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if not reverse:
        permissions_changed([instance.pk])
    else:  # from a permission's or a group's side: its users, or (cleared) anyone's
        permissions_changed(pk_set)


@receiver(m2m_changed, sender=Group.permissions.through)
def _group_permissions_changed(sender, action: str, **kwargs) -> None:
    if action.startswith("post_"):
        permissions_changed()


@receiver(post_delete, sender=Group)
@receiver([post_save, post_delete], sender=Permission)
@receiver([post_save, post_delete], sender=ContentType)
def _shared_rows_changed(sender, **kwargs) -> None:
    # A group deleted with its memberships, a permission or content type renamed or removed: anyone's
    # permissions may have changed.
    permissions_changed()
