from django.apps import AppConfig


class HistoryConfig(AppConfig):
    """The one action-history store every app writes to (H1-H5)."""

    name = "history"

    def ready(self) -> None:
        from . import blocks, personal_data  # noqa: F401 (register the profile page block, P8,
        # and the history section of personal data, P7)
