from django.apps import AppConfig


class LoyaltyConfig(AppConfig):
    """Promo codes and loyalty programs (D1, L1)."""

    name = "loyalty"

    def ready(self) -> None:
        from profiles import blocks

        from .blocks import LOYALTY_BLOCK

        blocks.register(LOYALTY_BLOCK)
