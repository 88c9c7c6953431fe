from django.apps import AppConfig


class InteractionsConfig(AppConfig):
    """Static segments, trigger mailings, scenarios, control group (I1-I3, P13)."""

    name = "interactions"

    def ready(self) -> None:
        from profiles import blocks

        from .block import INTERACTIONS_BLOCK

        blocks.register(INTERACTIONS_BLOCK)
