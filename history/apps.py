from django.apps import AppConfig


class HistoryConfig(AppConfig):
    """The one action-history store every app writes to (H1-H5)."""

    name = "history"

    def ready(self) -> None:
        from . import personal_data  # noqa: F401 (registers the history section, P7)
