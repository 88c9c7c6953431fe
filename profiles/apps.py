from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    """Profile databases, custom fields and profiles (PRODUCT.md P1-P16)."""

    name = "profiles"

    def ready(self) -> None:
        from django.db.models import CharField
        from django.db.models.functions import Lower

        # `email__lower=...` compiles to LOWER(email) = ..., which the unique index on
        # (LOWER(email), database) serves; `iexact` would not use it on PostgreSQL.
        CharField.register_lookup(Lower)
