from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    """Resources, subscriptions, delivery target and suppression lists (S1-S9)."""

    name = "subscriptions"
