"""Reads of action history: a profile's timeline (H2), the message summary (H3), exports (H5)."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from subscriptions.models import Channel

from .models import SUMMARY_ACTIONS, Event, MessageAction

DEFAULT_PERIOD = timedelta(days=7)
MAX_AHEAD = timedelta(days=1)  # ingestion refuses events further in the future


def default_period(since: datetime | None, until: datetime | None) -> tuple[datetime, datetime]:
    """H2: with neither bound the last 7 days; with only `until`, the 7 days before it.
    A missing `until` is the latest time an event may carry (a day ahead), which also lets
    PostgreSQL skip the default partition."""
    if since is None:
        since = (until or timezone.now()) - DEFAULT_PERIOD
    return since, until or timezone.now() + MAX_AHEAD


def profile_history(
    *,
    profile_id: int,
    types: Sequence[str] = (),
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[Event]:
    """A profile's events in the period, newest first: served by the (profile_id, ts, id)
    index, and by month partition pruning on PostgreSQL."""
    since, until = default_period(since, until)
    events = Event.objects.filter(profile_id=profile_id, ts__gte=since, ts__lt=until)
    if types:
        events = events.filter(type__in=types)
    return events.order_by("-ts", "-id")


def whole_profile_history(*, profile_id: int) -> QuerySet[Event]:
    """Every event of a profile, oldest first, with no period (the personal data export, P7):
    the profile index of every partition serves it."""
    return Event.objects.filter(profile_id=profile_id).order_by("ts", "id")


def database_history(
    *, database_id: int, since: datetime, until: datetime, types: Sequence[str] = ()
) -> QuerySet[Event]:
    """A whole database's events in the period, oldest first (the H5 export)."""
    events = Event.objects.filter(database_id=database_id, ts__gte=since, ts__lt=until)
    if types:
        events = events.filter(type__in=types)
    return events.order_by("ts", "id")


def message_summary(*, profile_id: int) -> dict[str, dict[str, bool]]:
    """H3: per channel, which actions ever happened, in one query of a few rows: the
    profile's entries in `MessageAction`, which the history writer keeps."""
    happened = set(
        MessageAction.objects.filter(profile_id=profile_id).values_list("channel", "type")
    )
    return {
        channel: {action: (channel, str(event_type)) in happened
                  for action, event_type in SUMMARY_ACTIONS.items()}
        for channel in Channel.values
    }  # fmt: skip


def history_page(
    *,
    profile_id: int,
    types: Sequence[str] = (),
    since: datetime | None = None,
    until: datetime | None = None,
    before: tuple[datetime, int] | None = None,
    size: int = 50,
) -> tuple[list[Event], tuple[datetime, int] | None]:
    """One page of the profile page's history block (H2), newest first, in one query: the
    events, and the (ts, id) keyset cursor of the next page or None when this is the last."""
    events = profile_history(profile_id=profile_id, types=types, since=since, until=until)
    if before is not None:
        ts, event_id = before
        events = events.filter(Q(ts__lt=ts) | Q(ts=ts, id__lt=event_id))
    page = list(events[: size + 1])
    more = len(page) > size
    page = page[:size]
    return page, ((page[-1].ts, page[-1].pk) if more else None)


def latest_event(*, profile_id: int) -> Event | None:
    """The profile's last action (P11): the first entry of its (profile_id, ts, id) index."""
    return Event.objects.filter(profile_id=profile_id).order_by("-ts", "-id").first()
