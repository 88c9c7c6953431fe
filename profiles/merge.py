"""P14 merging two profiles of one database into one: the winner keeps its values and takes
the loser's where it has none (standard columns, custom fields, phones), and inherits the
loser's subscriptions, history, relations, segments, sends and scenario participations.
The loser is then deleted, and recorded in the winner's history (`profile_updated` with
`data.merged`). Identify (P14) uses it; staff reach it from the profile page and the API."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max

from config.exceptions import InvalidInput
from history import services as history
from history.models import EventType

from . import services
from .contacts import MAX_PHONES, placeholder_email
from .models import Profile

# Columns the winner fills from the loser where its own is empty.
FILLED_COLUMNS = tuple(
    field.name
    for field in Profile._meta.concrete_fields
    if field.editable
    and field.name not in {"id", "database", "status", "is_test", "email", "phones", "fields"}
)


@transaction.atomic
def merge_profiles(
    *, winner: Profile, loser: Profile, actor: AbstractBaseUser | None = None
) -> Profile:
    """Merge `loser` into `winner` (same database, distinct); return the winner."""
    if winner.pk == loser.pk:
        raise InvalidInput({"loser": ["A profile cannot be merged into itself."]})
    if winner.database_id != loser.database_id:
        raise InvalidInput({"loser": ["Only profiles of one database can be merged."]})
    locked = Profile.objects.select_for_update().in_bulk([winner.pk, loser.pk])
    winner, loser = locked[winner.pk], locked[loser.pk]
    values = _taken_values(winner, loser)
    summary = {"profile": loser.pk, "email": loser.email, "md5": loser.md5, "xxh": loser.xxh}
    _move_subscriptions(winner, loser)
    history.move_events(from_profile_id=loser.pk, to_profile_id=winner.pk)
    from interactions.services.profiles import move_interactions

    move_interactions(winner_id=winner.pk, loser_id=loser.pk)
    Profile.objects.filter(pk=loser.pk).delete()
    if values:
        services.update_profile(profile=winner, values=values, actor=actor)
    history.record(
        type=EventType.PROFILE_UPDATED, profile=winner, actor=actor, data={"merged": summary}
    )
    return winner


def _taken_values(winner: Profile, loser: Profile) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: getattr(loser, name)
        for name in FILLED_COLUMNS
        if _is_empty(getattr(winner, name)) and not _is_empty(getattr(loser, name))
    }
    if winner.email == placeholder_email(winner.pk) and loser.email != placeholder_email(loser.pk):
        values["email"] = loser.email
    phones = winner.phones + [phone for phone in loser.phones if phone not in winner.phones]
    if phones != winner.phones:
        values["phones"] = phones[:MAX_PHONES]
    fields = {
        name: value
        for name, value in (loser.fields or {}).items()
        if _is_empty((winner.fields or {}).get(name)) and not _is_empty(value)
    }
    if fields:
        values["fields"] = fields
    return values


def _is_empty(value: Any) -> bool:
    return value is None or value in ("", [], {})


def _move_subscriptions(winner: Profile, loser: Profile) -> None:
    """The loser's live subscriptions go to the winner, after the winner's own in priority;
    one the winner already has (same resource, channel and contact) goes with the loser. The
    limits of S5 hold: at a limit one old subscription is replaced, as when adding one."""
    from subscriptions.models import Subscription
    from subscriptions.services import make_room

    live = Subscription.objects.filter(deleted_at__isnull=True)
    held = set(live.filter(profile=winner).values_list("resource_id", "channel", "contact_key"))
    places = live.filter(profile=winner).values("resource_id", "channel")
    lowest = {
        (row["resource_id"], row["channel"]): row["lowest"]
        for row in places.annotate(lowest=Max("priority"))
    }
    moving = live.filter(profile=loser).select_related("resource")
    for item in moving.order_by("resource_id", "channel", "priority", "id"):
        if (item.resource_id, item.channel, item.contact_key) in held:
            continue
        make_room(profile=winner, resource=item.resource, channel=item.channel)
        place = (item.resource_id, item.channel)
        lowest[place] = lowest.get(place, -1) + 1
        item.profile, item.priority = winner, lowest[place]
        item.save(update_fields=["profile", "priority"])
