from django.apps import AppConfig


class MarketConfig(AppConfig):
    """Products and orders (D3)."""

    name = "market"
