from django.apps import AppConfig


class MarketConfig(AppConfig):
    """Products and orders (D3)."""

    name = "market"

    def ready(self) -> None:
        from . import personal_data  # noqa: F401 (registers its P7 section)
