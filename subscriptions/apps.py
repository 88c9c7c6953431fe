from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    """Resources, subscriptions, delivery target and suppression lists (S1-S9)."""

    name = "subscriptions"

    def ready(self) -> None:
        from . import personal_data  # noqa: F401 (registers its personal data sections, P7)
