"""Keeps the role groups' permissions equal to `roles.definitions.ROLES`."""

from fnmatch import fnmatchcase

from django.apps import AppConfig, apps
from django.contrib.auth.models import Group, Permission

from .definitions import ROLES, Role


def sync_roles() -> dict[str, int]:
    """Create missing role groups and set each one's permissions to exactly those its role
    grants (and does not deny); return {group name: number of permissions}."""
    permissions = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    counts = {}
    for name, role in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        chosen = [pk for label, pk in permissions.items() if _allows(role, label)]
        group.permissions.set(chosen)
        counts[name] = len(chosen)
    return counts


def _allows(role: Role, label: str) -> bool:
    return any(fnmatchcase(label, p) for p in role.grants) and not any(
        fnmatchcase(label, p) for p in role.denies
    )


def sync_after_migrate(sender: AppConfig, using: str = "default", **kwargs) -> None:
    """post_migrate is sent once per app with models, in INSTALLED_APPS order, and
    django.contrib.auth creates each app's permissions on it. Syncing on the last of them
    sees every permission, those of apps installed after `roles` included."""
    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if with_models and sender.label == with_models[-1].label and using == "default":
        sync_roles()
