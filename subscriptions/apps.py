from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    """Resources, subscriptions, delivery target and suppression lists (S1-S9)."""

    name = "subscriptions"

    def ready(self) -> None:
        from . import blocks, personal_data  # noqa: F401 (register the profile page block, P8,
        # and the personal data sections, P7)
