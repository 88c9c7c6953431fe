from django.apps import AppConfig


class InteractionsConfig(AppConfig):
    """Static segments, trigger mailings, scenarios, control group (I1-I3, P13)."""

    name = "interactions"

    def ready(self) -> None:
        from profiles import blocks, list_filters

        from . import selectors
        from .block import INTERACTIONS_BLOCK

        blocks.register(INTERACTIONS_BLOCK)
        # The profile list's segment filter (issue 6) reads static segments from here.
        list_filters.set_segment_source(
            list_filters.SegmentSource(choices=selectors.segment_choices,
                                       members=selectors.in_segment)
        )  # fmt: skip
