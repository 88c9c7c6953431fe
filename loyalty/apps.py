from django.apps import AppConfig


class LoyaltyConfig(AppConfig):
    """Promo codes and loyalty programs (D1, L1)."""

    name = "loyalty"
