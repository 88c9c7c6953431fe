from django.apps import AppConfig


class ImportsConfig(AppConfig):
    """Profile import from files and the API, undo and scheduled imports (PRODUCT.md X1, X2, X4)."""

    name = "imports"

    def ready(self) -> None:
        from config import lookups

        lookups.register()
