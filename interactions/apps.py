from django.apps import AppConfig


class InteractionsConfig(AppConfig):
    """Static segments, trigger mailings, scenarios, control group (I1-I3, P13)."""

    name = "interactions"
