"""The one writer of action history (H1). Every app records through `record` or
`record_many`; nothing else creates Event rows."""

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from config.copy import copy_model_rows, server_bound_cursor

from .models import SUMMARY_TYPES, Event, EventKey, EventType, MessageAction

COPY_COLUMNS = (
    "profile_id", "database_id", "type", "channel", "resource_id", "subscription_id",
    "object_type", "object_id", "actor_id", "data", "ts", "created_at", "key", "visitor",
)  # fmt: skip
MONTHS_AHEAD = 3


@dataclass(slots=True)
class EventDraft:
    """One event to write. `ts` is when the action happened (aware); `key` makes it
    idempotent: a key seen before is counted as a duplicate and not written again. Not
    frozen: a frozen dataclass's __init__ cost 1.8 us, and imports make millions."""

    type: EventType | str
    ts: datetime
    profile_id: int | None = None
    database_id: int | None = None
    channel: str = ""
    resource_id: int | None = None
    subscription_id: int | None = None
    object_type: str = ""
    object_id: int | None = None
    actor_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    key: str | None = None
    visitor: str = ""


@dataclass(frozen=True)
class RecordResult:
    accepted: int
    duplicates: list[int]  # positions in the input whose key was seen before


def record(
    *,
    type: EventType,
    profile=None,
    actor: AbstractBaseUser | None = None,
    ts: datetime | None = None,
    data: dict[str, Any] | None = None,
    **references: Any,
) -> RecordResult:
    """Record one event about `profile` (a Profile or None for an anonymous visitor).
    `references`: channel, resource_id, subscription_id, object_type, object_id, key, visitor."""
    draft = EventDraft(
        type=type,
        ts=ts or timezone.now(),
        profile_id=profile.pk if profile is not None else None,
        database_id=profile.database_id if profile is not None else None,
        actor_id=actor.pk if actor is not None and actor.is_authenticated else None,
        data=data or {},
        **references,
    )
    return record_many([draft])


@transaction.atomic
def record_many(drafts: Sequence[EventDraft]) -> RecordResult:
    """Write a batch in one go (COPY on PostgreSQL, a bulk INSERT elsewhere). Events whose
    idempotency key was already used, in an earlier call or earlier in this batch, are
    skipped and reported by position."""
    duplicates = _claim_keys(drafts)
    fresh = [draft for index, draft in enumerate(drafts) if index not in duplicates]
    if connection.vendor == "postgresql":
        _copy(fresh)
    else:
        Event.objects.bulk_create([Event(**asdict(draft)) for draft in fresh], batch_size=500)
    _note_message_actions((d.profile_id, d.channel, d.type) for d in fresh)
    return RecordResult(accepted=len(fresh), duplicates=sorted(duplicates))


@transaction.atomic
def record_for_each(draft: EventDraft, profile_ids: Sequence[int]) -> RecordResult:
    """Write `draft` once for each profile of `profile_ids` (its own `profile_id` is not
    used): the `import` events of the profiles an import created, which differ only in their
    profile. On PostgreSQL one INSERT ... SELECT over the id array, with `data` encoded once,
    not an encoded row per event as COPY takes (about 8 us of Python an event, a sixth of a
    created profile's import). The draft may carry no idempotency key: it would repeat."""
    if draft.key is not None:
        raise ValueError("An event written for many profiles cannot carry one key.")
    if not profile_ids:
        return RecordResult(accepted=0, duplicates=[])
    if connection.vendor != "postgresql":
        drafts = [replace(draft, profile_id=profile_id) for profile_id in profile_ids]
        return record_many(drafts)
    values = {**asdict(draft), "type": str(draft.type), "created_at": timezone.now()}
    constants = [name for name in COPY_COLUMNS if name not in ("profile_id", "data")]
    with server_bound_cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Event._meta.db_table} (profile_id, data, {', '.join(constants)}) "
            f"SELECT unnest(%s::bigint[]), %s::jsonb, {', '.join(['%s'] * len(constants))}",
            [list(profile_ids), _json(draft.data), *(values[name] for name in constants)],
        )
    _note_message_actions((pk, draft.channel, draft.type) for pk in profile_ids)
    return RecordResult(accepted=len(profile_ids), duplicates=[])


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder)


def _note_message_actions(actions: Iterable[tuple[int | None, str, str]]) -> None:
    """Keep H3's `MessageAction` rows: the batch's new (profile, channel, type) of summary
    types. A pair already there costs one index probe and writes nothing."""
    new = {
        (profile_id, channel, str(kind))
        for profile_id, channel, kind in actions
        if profile_id is not None and kind in SUMMARY_TYPES
    }
    if not new:
        return
    if connection.vendor != "postgresql":
        rows = [MessageAction(profile_id=p, channel=c, type=t) for p, c, t in new]
        MessageAction.objects.bulk_create(rows, ignore_conflicts=True)
        return
    profile_ids, channels, types = (list(column) for column in zip(*new, strict=True))
    with server_bound_cursor() as cursor:  # three arrays of thousands: bound, not quoted
        cursor.execute(
            "INSERT INTO history_messageaction (profile_id, channel, type) "
            "SELECT * FROM unnest(%s::bigint[], %s::text[], %s::text[]) ON CONFLICT DO NOTHING",
            [profile_ids, channels, types],
        )


def note_message_actions_of(*, profile_ids: Sequence[int] | None = None) -> None:
    """Rebuild H3's `MessageAction` rows from the events of these profiles (all when None),
    for writers that move or insert events in bulk by SQL: a merge, identify, the seed and
    the benchmark fills. Existing rows are kept."""
    events = Event.objects.filter(type__in=SUMMARY_TYPES, profile_id__isnull=False)
    if profile_ids is not None:
        events = events.filter(profile_id__in=profile_ids)
    found = events.order_by().values_list("profile_id", "channel", "type").distinct()
    if profile_ids is not None:
        _note_message_actions(found)
        return
    sql, params = found.query.sql_with_params()  # the whole table: one statement
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO history_messageaction (profile_id, channel, type) {sql} "
            "ON CONFLICT DO NOTHING",
            params,
        )


def _claim_keys(drafts: Sequence[EventDraft]) -> set[int]:
    """Store the batch's new keys; return the positions whose key is not new."""
    first_seen: dict[str, int] = {}
    duplicates: set[int] = set()
    for index, draft in enumerate(drafts):
        if draft.key is None:
            continue
        if draft.key in first_seen:
            duplicates.add(index)
        else:
            first_seen[draft.key] = index
    if not first_seen:
        return duplicates
    claimed = _insert_new_keys(list(first_seen))
    duplicates.update(index for key, index in first_seen.items() if key not in claimed)
    return duplicates


def _insert_new_keys(keys: list[str]) -> set[str]:
    if connection.vendor == "postgresql":
        insert = "INSERT INTO history_eventkey (key, created_at) SELECT unnest(%s::text[]), now()"
        # Keys are nearly always new: a plain INSERT of them all costs half of ON CONFLICT's
        # row-by-row speculative insertion, which is kept for a batch that repeats a key.
        try:
            with transaction.atomic(), server_bound_cursor() as cursor:
                cursor.execute(insert, [keys])
            return set(keys)
        except IntegrityError:
            with server_bound_cursor() as cursor:
                cursor.execute(f"{insert} ON CONFLICT DO NOTHING RETURNING key", [keys])
                return {row[0] for row in cursor.fetchall()}
    taken = set(EventKey.objects.filter(key__in=keys).values_list("key", flat=True))
    new = [key for key in keys if key not in taken]
    EventKey.objects.bulk_create([EventKey(key=key) for key in new])
    return set(new)


def _copy(drafts: Iterable[EventDraft]) -> None:
    now = timezone.now()
    copy_model_rows(Event, COPY_COLUMNS, (_copy_row(draft, now) for draft in drafts))


def _copy_row(draft: EventDraft, now: datetime) -> tuple:
    return (
        draft.profile_id, draft.database_id, str(draft.type), draft.channel, draft.resource_id,
        draft.subscription_id, draft.object_type, draft.object_id, draft.actor_id,
        draft.data, draft.ts, now, draft.key, draft.visitor,
    )  # fmt: skip


def move_events(*, from_profile_id: int, to_profile_id: int) -> int:
    """A merge (P14): every event of one profile becomes another's; return how many."""
    moved = Event.objects.filter(profile_id=from_profile_id).update(profile_id=to_profile_id)
    MessageAction.objects.filter(profile_id=from_profile_id).delete()
    note_message_actions_of(profile_ids=[to_profile_id])
    return moved


def attach_visitor_events(*, visitor: str, profile_id: int, database_id: int) -> int:
    """Identify (P14): the anonymous events of a visitor become the profile's; return how
    many. Idempotent: attached events are no longer anonymous."""
    anonymous = Event.objects.filter(visitor=visitor, profile__isnull=True)
    attached = anonymous.update(profile_id=profile_id, database_id=database_id)
    if attached:
        note_message_actions_of(profile_ids=[profile_id])
    return attached


def delete_profile_events(*, profile_id: int) -> int:
    """Delete every event of a profile in one statement (P8); return how many."""
    MessageAction.objects.filter(profile_id=profile_id).delete()
    deleted, _ = Event.objects.filter(profile_id=profile_id).delete()
    return deleted


def delete_profiles_events(*, profile_ids: list[int]) -> int:
    """Delete every event of many profiles in one statement; return how many."""
    MessageAction.objects.filter(profile_id__in=profile_ids).delete()
    deleted, _ = Event.objects.filter(profile_id__in=profile_ids).delete()
    return deleted


def ensure_partitions(*, months_ahead: int = MONTHS_AHEAD, today: date | None = None) -> list[str]:
    """Make the monthly partitions of `history_event` from this month to `months_ahead`
    months on (PostgreSQL only); return the names created. Safe to run any time."""
    if connection.vendor != "postgresql":
        return []
    today = today or timezone.now().date()
    created = []
    with connection.cursor() as cursor:
        for shift in range(months_ahead + 1):
            start, end = _month(today, shift), _month(today, shift + 1)
            name = f"history_event_{start.year}_{start.month:02d}"
            cursor.execute("SELECT to_regclass(%s)", [name])
            if cursor.fetchone()[0] is not None:
                continue
            cursor.execute(
                f"CREATE TABLE {name} PARTITION OF history_event "
                f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
            )
            created.append(name)
    return created


def _month(today: date, shift: int) -> date:
    index = today.year * 12 + today.month - 1 + shift
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class IngestReport:
    accepted: int
    duplicates: int
    errors: list[dict[str, Any]]  # {"index": n, "errors": {"field": ["reason"]}}


def ingest_events(items: Sequence[tuple[int, dict[str, Any]]]) -> IngestReport:
    """H4: record validated client events, given as (position in the request, fields).
    Profiles named by id or by email + database are looked up in bulk; an event whose
    profile does not exist is reported by position and the others are still recorded.
    Events with `data["ip"]` update their profiles' tracked location (G2)."""
    by_id, by_email = _resolve_profiles([fields for _, fields in items])
    drafts, positions, errors = [], [], []
    for index, fields in items:
        if "profile" in fields:
            found = by_id.get(fields["profile"])
            missing = {"profile": [f"No profile has id {fields['profile']}."]}
        elif "email" in fields:
            found = by_email.get((fields["database"], fields["email"].strip().lower()))
            missing = {"email": ["No profile of this database has this email."]}
        else:
            found, missing = (None, None), None  # an anonymous visitor's event
        if found is None:
            errors.append({"index": index, "errors": missing})
            continue
        drafts.append(_draft(fields, *found))
        positions.append(index)
    result = record_many(drafts)
    _suppress_hard_bounces(drafts)
    duplicates = set(result.duplicates)
    _track_locations([draft for i, draft in enumerate(drafts) if i not in duplicates])
    return IngestReport(accepted=result.accepted, duplicates=len(result.duplicates), errors=errors)


def _suppress_hard_bounces(drafts: Sequence[EventDraft]) -> None:
    """S7: a bounced email goes on the suppression list (subscriptions owns the list)."""
    from subscriptions.services import suppress_hard_bounces

    bounces = [
        (draft.profile_id, draft.data.get("contact"))
        for draft in drafts
        if draft.type == EventType.HARD_BOUNCE and draft.channel == "email" and draft.profile_id
    ]
    if bounces:
        suppress_hard_bounces(bounces)


def _track_locations(drafts: Sequence[EventDraft]) -> None:
    """G2: per profile, the batch's latest event (by ts; the later one in the batch on a tie)
    carrying `data["ip"]` sets its tracked IP and location (profiles owns the columns). Only
    newly recorded events count: a duplicate changes nothing. Between batches the later batch
    wins whatever its times, as the profile keeps no time of its tracked location."""
    from profiles.services import track_locations

    latest: dict[int, EventDraft] = {}
    for draft in drafts:
        if draft.profile_id and draft.data.get("ip"):
            seen = latest.get(draft.profile_id)
            if seen is None or draft.ts >= seen.ts:
                latest[draft.profile_id] = draft
    if latest:
        track_locations({profile_id: draft.data["ip"] for profile_id, draft in latest.items()})


def _draft(fields: dict[str, Any], profile_id: int | None, database_id: int | None):
    return EventDraft(
        type=fields["type"],
        ts=fields.get("ts") or timezone.now(),
        profile_id=profile_id,
        database_id=database_id,
        channel=fields.get("channel", ""),
        resource_id=fields.get("resource"),
        data=fields.get("data", {}),
        key=fields.get("key"),
        visitor=fields.get("visitor", ""),
    )


def _resolve_profiles(events: Sequence[dict[str, Any]]) -> tuple[dict, dict]:
    """{id: (id, database_id)} and {(database_id, lower email): (id, database_id)}, in one
    query for the ids and one per database for the emails."""
    from profiles.models import Profile

    ids = {fields["profile"] for fields in events if "profile" in fields}
    by_id = {
        pk: (pk, database_id)
        for pk, database_id in Profile.objects.filter(pk__in=ids).values_list("id", "database_id")
    }
    emails: dict[int, set[str]] = {}
    for fields in events:
        if "email" in fields and "profile" not in fields:
            emails.setdefault(fields["database"], set()).add(fields["email"].strip().lower())
    by_email = {}
    for database_id, lowered in emails.items():
        rows = Profile.objects.filter(database_id=database_id, email__lower__in=lowered)
        for pk, email in rows.values_list("id", "email"):
            by_email[(database_id, email.lower())] = (pk, database_id)
    return by_id, by_email
