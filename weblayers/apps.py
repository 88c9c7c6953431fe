from django.apps import AppConfig


class WeblayersConfig(AppConfig):
    """Forms and tracking pixels (D2, D4), tracked links (P12), and the profile's Data block."""

    name = "weblayers"

    def ready(self) -> None:
        from profiles import blocks

        from .blocks import DATA_BLOCK

        blocks.register(DATA_BLOCK)
