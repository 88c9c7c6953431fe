from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RolesConfig(AppConfig):
    """A2: the staff roles as Django groups (see `roles.definitions`)."""

    name = "roles"

    def ready(self) -> None:
        from . import auth_cache
        from .sync import sync_after_migrate

        auth_cache.connect()

        post_migrate.connect(sync_after_migrate, dispatch_uid="roles.sync_after_migrate")
