from django.apps import AppConfig


class WeblayersConfig(AppConfig):
    """Forms and tracking pixels (D2, D4)."""

    name = "weblayers"
