"""Reads of the web layers."""

from history.models import Event

BLOCK_LIMIT = 20


def profile_events(profile_id: int, type: str, *, limit: int = BLOCK_LIMIT) -> list[Event]:
    """The profile's latest events of one type (form_filled, pixel), whatever their age: one
    query on the (profile, ts, id) index."""
    return list(
        Event.objects.filter(profile_id=profile_id, type=type).order_by("-ts", "-id")[:limit]
    )
