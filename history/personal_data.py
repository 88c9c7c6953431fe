"""P7: a person's whole history as a section of the personal data export. Imported by
HistoryConfig.ready, which registers it."""

from collections.abc import Iterator
from typing import Any

from profiles import personal_data
from profiles.models import Profile

from . import selectors

COLUMNS = ("id", "ts", "type", "channel", "resource_id", "subscription_id", "object_type",
           "object_id", "actor_id", "visitor", "data")  # fmt: skip
CHUNK = 2000


def history(profile: Profile) -> Iterator[dict[str, Any]]:
    """Every event of the profile, oldest first, read CHUNK rows at a time (a profile may
    have 100,000 events)."""
    events = selectors.whole_profile_history(profile_id=profile.pk)
    return events.values(*COLUMNS).iterator(chunk_size=CHUNK)


personal_data.register("history", history)
