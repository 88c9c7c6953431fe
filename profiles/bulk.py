"""X5: one field set to one value on every profile matching a filter.

The value is checked once, with the rules of a single update (ProfileInput and the contact
rules for standard columns, the field registry for custom fields); then the profiles are
changed BATCH ids per transaction with one set-based UPDATE and one `record_many` per batch,
so the query count does not depend on how many profiles match. A profile that already holds
the value is left alone and gets no event. Email and unique custom fields are refused: one
value cannot be unique across many profiles.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from audit.models import Action
from audit.services import record_action
from config.exceptions import InvalidInput
from history import services as history
from history.models import EventType

from . import fields as registry
from . import storage
from .api.filters import matching_profiles
from .api.serializers import GROUPS, ProfileInput
from .contacts import normalize_phones
from .models import CustomField, Profile, ProfileDatabase
from .services import field_definitions

BATCH = 5000
ASYNC_THRESHOLD = 10_000  # more matching profiles than this: a Celery task does the work
TEXT_LIST_SEPARATORS = (",", ";", "\n")


def _bulk_columns() -> dict[str, tuple[str | None, str]]:
    """Standard columns a bulk update may set: {column: (group or None, key in ProfileInput)}."""
    columns: dict[str, tuple[str | None, str]] = {}
    for name in ProfileInput().fields:
        if name in GROUPS:
            columns.update({f"{name}_{key}": (name, key) for key in GROUPS[name]})
        elif name not in ("fields", "email"):
            columns[name] = (None, name)
    return columns


BULK_COLUMNS = _bulk_columns()


@dataclass(frozen=True)
class Change:
    """A checked value for one field: `column` is a standard column, or None for the custom
    field `custom`; `name` is how history names it ("status", "fields.age")."""

    name: str
    value: Any
    column: str | None = None
    custom: CustomField | None = None


@dataclass(frozen=True)
class BulkResult:
    matched: int
    updated: int | None = None  # None while a task does the work
    task_id: str | None = None


def prepare_change(
    *, database: ProfileDatabase, field: str, value: Any, from_text: bool = False
) -> Change:
    """Check `value` for `field` (a standard column or a custom field of `database`) as a
    single update would; `from_text` reads form text as the CSV import does. Raises
    InvalidInput: on `field` for a field that cannot be bulk updated, otherwise naming the
    field as a single update does ({"status": [...]}, {"fields": {"age": [...]}})."""
    custom = field_definitions(database).get(field)
    if custom is not None:
        return _custom_change(custom, value, from_text)
    if field in BULK_COLUMNS:
        return Change(name=field, value=_standard_value(field, value, from_text), column=field)
    if field == "email":
        reason = "Email is unique in a database: one value cannot be set on many profiles."
    else:
        reason = f"{field!r} is neither a standard column nor a custom field of this database."
    raise InvalidInput({"field": [reason]})


def _custom_change(custom: CustomField, raw: Any, from_text: bool) -> Change:
    if custom.unique:
        reason = f"{custom.name} is unique: one value cannot be set on many profiles."
        raise InvalidInput({"field": [reason]})
    try:
        value = registry.clean_value(custom, raw, from_text=from_text)
    except registry.Invalid as error:
        raise InvalidInput({"fields": {custom.name: [str(error)]}}) from None
    if value is None and custom.required:
        raise InvalidInput({"fields": {custom.name: ["This field is required."]}})
    return Change(name=f"fields.{custom.name}", value=value, custom=custom)


def _standard_value(column: str, raw: Any, from_text: bool) -> Any:
    group, key = BULK_COLUMNS[column]
    if from_text:
        raw = _from_text(column, raw)
    payload = ProfileInput(data={group: {key: raw}} if group else {key: raw}, partial=True)
    if not payload.is_valid():
        raise InvalidInput({column: _messages(payload.errors)})
    value = payload.to_columns()[column]
    if column == "phones":
        try:
            value = normalize_phones(value)
        except registry.Invalid as error:
            raise InvalidInput({column: [str(error)]}) from None
    return value


def _from_text(column: str, text: str) -> Any:
    """Form text as the serializer takes it: lists split, blank means none where allowed."""
    if column == "phones":
        for separator in TEXT_LIST_SEPARATORS:
            text = text.replace(separator, ",")
        return [part.strip() for part in text.split(",") if part.strip()]
    if not text.strip() and Profile._meta.get_field(column).null:
        return None
    return text


def _messages(errors: Any) -> list[str]:
    if isinstance(errors, Mapping):
        return [message for value in errors.values() for message in _messages(value)]
    return [str(message) for message in errors]


def update_profiles(
    *, profiles: QuerySet[Profile], change: Change, actor: AbstractBaseUser | None
) -> BulkResult:
    """Apply `change` to `profiles` (one database's), BATCH at a time in id order, each batch
    in its own transaction: a batch's rows are locked and read, those whose value differs are
    updated in one statement, and each gets its history event (`status_changed` for status,
    as update_profile records it, else `profile_updated` with old and new). Safe to run again:
    profiles already holding the value are skipped."""
    matched = updated = 0
    last_id = 0
    while True:
        with transaction.atomic():
            batch = _current_values(profiles, change, last_id)
            changed = [(pk, database_id, old) for pk, database_id, old in batch
                       if old != change.value]  # fmt: skip
            _write(change, [pk for pk, _, _ in changed])
            _record(change, changed, actor)
        matched += len(batch)
        updated += len(changed)
        if len(batch) < BATCH:
            _journal(change, matched=matched, updated=updated, actor=actor)
            return BulkResult(matched=matched, updated=updated)
        last_id = batch[-1][0]


def _journal(change: Change, *, matched: int, updated: int, actor) -> None:
    """One audit entry for the whole bulk update: the field's name and the counts (A3)."""
    record_action(
        action=Action.BULK_UPDATE, target_type=Profile._meta.label_lower, actor=actor,
        changes={"field": change.name, "matched": matched, "updated": updated},
    )  # fmt: skip


def _current_values(profiles: QuerySet[Profile], change: Change, after: int) -> list[tuple]:
    column = change.column or "fields"
    rows = (
        profiles.filter(id__gt=after)
        .order_by("id")
        .select_for_update()
        .values_list("id", "database_id", column)[:BATCH]
    )
    if change.custom is None:
        return list(rows)
    return [(pk, database_id, values.get(change.custom.name)) for pk, database_id, values in rows]


def _write(change: Change, ids: list[int]) -> None:
    if not ids:
        return
    if change.custom is None:
        value = change.value
    else:
        value = storage.fields_with_value(change.custom.name, change.value)
    Profile.objects.filter(pk__in=ids).update(
        **{change.column or "fields": value, "updated_at": timezone.now()}
    )


def _record(change: Change, changed: list[tuple], actor: AbstractBaseUser | None) -> None:
    if not changed:
        return
    now = timezone.now()
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    event_type = (
        EventType.STATUS_CHANGED if change.column == "status" else EventType.PROFILE_UPDATED
    )
    history.record_many(
        [
            history.EventDraft(
                type=event_type,
                ts=now,
                profile_id=pk,
                database_id=database_id,
                actor_id=actor_id,
                data=_event_data(change, old),
            )
            for pk, database_id, old in changed
        ]
    )


def _event_data(change: Change, old: Any) -> dict[str, Any]:
    if change.column == "status":
        return {"old": old, "new": change.value}
    return {"changes": {change.name: {"old": old, "new": change.value}}}


def _matching(database: ProfileDatabase, filters: Mapping[str, Any]) -> QuerySet[Profile]:
    try:
        return matching_profiles(database, filters)
    except InvalidInput as error:
        raise InvalidInput({"filter": error.errors}) from None


def update_matching_profiles(
    *,
    database: ProfileDatabase,
    filters: Mapping[str, Any],
    field: str,
    value: Any,
    actor: AbstractBaseUser | None,
) -> BulkResult:
    """Check the value, then update every profile of `database` matching `filters` (the
    profile list's filters) in this process."""
    change = prepare_change(database=database, field=field, value=value)
    return update_profiles(profiles=_matching(database, filters), change=change, actor=actor)


def start_bulk_update(
    *,
    database: ProfileDatabase,
    filters: Mapping[str, Any],
    field: str,
    value: Any,
    actor: AbstractBaseUser | None,
) -> BulkResult:
    """X5 by API: check the value and the filters at once (InvalidInput), then update the
    matching profiles here, or, past ASYNC_THRESHOLD of them, in the `bulk_update_profiles`
    task, enqueued after commit; its id is in the result and `updated` is None."""
    from .tasks import bulk_update_profiles

    change = prepare_change(database=database, field=field, value=value)
    profiles = _matching(database, filters)
    matched = profiles.count()
    if matched <= ASYNC_THRESHOLD:
        return update_profiles(profiles=profiles, change=change, actor=actor)
    task_id = str(uuid.uuid4())
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    arguments = (database.pk, dict(filters), field, value, actor_id)
    transaction.on_commit(lambda: bulk_update_profiles.apply_async(arguments, task_id=task_id))
    return BulkResult(matched=matched, task_id=task_id)
