from django.apps import AppConfig


class HistoryConfig(AppConfig):
    """The one action-history store every app writes to (H1-H5)."""

    name = "history"
