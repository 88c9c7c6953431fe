"""Undoing an import within its window, and purging imports past it (X1).

Undo deletes the profiles the import created and puts back the values it replaced, from the
row log. A value someone changed after the import is left as it is now (and counted as
kept): undo restores the import's own work, never someone else's.
"""

import json
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.models import Action
from config.exceptions import InvalidInput
from history import services as history
from history.models import EventType
from profiles.models import Profile
from profiles.services import delete_profiles

from . import writing
from .journal import journal_import
from .models import ImportJob, ImportRow, Result, State

BATCH_SIZE = 2_000
FIELD_PREFIX = "fields."


def undo_deadline(job: ImportJob) -> datetime | None:
    ended = job.finished_at or job.heartbeat_at
    return ended + timedelta(days=settings.IMPORT_UNDO_DAYS) if ended else None


def undo_refusal(job: ImportJob) -> str:
    """Why the import cannot be undone now, or "" when it can."""
    if job.state not in (State.FINISHED, State.FAILED, State.UNDOING):
        return f"An import that is {job.get_state_display()} cannot be undone."
    deadline = undo_deadline(job)
    if job.purged_at or deadline is None or deadline < timezone.now():
        return f"Imports can be undone for {settings.IMPORT_UNDO_DAYS} days; this one is older."
    return ""


def undo_import(*, job: ImportJob, actor: AbstractBaseUser | None = None) -> ImportJob:
    """Undo the import in batches (each its own transaction, so an interrupted undo can be
    run again and goes on where it stopped)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        refusal = undo_refusal(job)
        if refusal:
            raise InvalidInput({"state": [refusal]})
        job.state = State.UNDOING
        job.save(update_fields=["state"])
    summary = {"deleted": _delete_created(job)}
    summary["restored"], summary["kept"] = _restore_updated(job, actor)
    previous = job.undo_summary or {}
    summary = {key: value + previous.get(key, 0) for key, value in summary.items()}
    ImportJob.objects.filter(pk=job.pk).update(
        state=State.UNDONE, undone_at=timezone.now(), undo_summary=summary
    )
    journal_import(job, Action.IMPORT_UNDONE)
    return job


def _batches(job: ImportJob, result: str):
    rows = ImportRow.objects.filter(job=job, result=result).order_by("id")
    last = 0
    while batch := list(rows.filter(id__gt=last)[:BATCH_SIZE]):
        last = batch[-1].pk
        yield batch


def _delete_created(job: ImportJob) -> int:
    deleted = 0
    for batch in _batches(job, Result.CREATED):
        with transaction.atomic():
            deleted += delete_profiles(ids=[row.profile_id for row in batch])
            ImportRow.objects.filter(pk__in=[row.pk for row in batch]).update(changes={})
    return deleted


def _restore_updated(job: ImportJob, actor) -> tuple[int, int]:
    restored = kept = 0
    for batch in _batches(job, Result.UPDATED):
        with transaction.atomic():
            done, left = _restore(batch, job, actor)
        restored, kept = restored + done, kept + left
    return restored, kept


def _restore(batch: list[ImportRow], job: ImportJob, actor) -> tuple[int, int]:
    names = {_column(name) for row in batch for name in row.changes}
    if not names:
        return 0, 0
    ids = [row.profile_id for row in batch]
    current = {
        values["id"]: values
        for values in Profile.objects.select_for_update().filter(pk__in=ids).values("id", *names)
    }
    payload, drafts, kept = [], [], 0
    for row in batch:
        profile = current.get(row.profile_id)
        if profile is None:
            continue  # deleted since
        back, left = _restored_values(profile, row.changes)
        kept += left
        if back:
            payload.append({**profile, **back})
            drafts.append(_event(row, back, profile, job, actor))
    writing.update_profiles(payload, sorted(names))
    history.record_many(drafts)
    ImportRow.objects.filter(pk__in=[row.pk for row in batch]).update(changes={})
    return len(payload), kept


def _column(name: str) -> str:
    return "fields" if name.startswith(FIELD_PREFIX) else name


def _restored_values(profile: dict[str, Any], changes: dict[str, list]) -> tuple[dict, int]:
    """The columns to write back, and how many values were changed since and are kept."""
    back: dict[str, Any] = {}
    fields = dict(profile.get("fields") or {})
    kept = 0
    for name, (old, new) in changes.items():
        key = name.removeprefix(FIELD_PREFIX)
        now = fields.get(key) if name.startswith(FIELD_PREFIX) else profile[name]
        if _as_json(now) != _as_json(new):
            kept += 1
        elif name.startswith(FIELD_PREFIX):
            if old is None:
                fields.pop(key, None)
            else:
                fields[key] = old
            back["fields"] = fields
        else:
            back[name] = Profile._meta.get_field(name).to_python(old)
    return back, kept


def _as_json(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _event(row: ImportRow, back: dict, profile: dict, job: ImportJob, actor):
    changes = {
        name: {"old": pair[1], "new": pair[0]}
        for name, pair in row.changes.items()
        if _column(name) in back
    }
    return history.EventDraft(
        EventType.PROFILE_UPDATED, ts=timezone.now(), profile_id=row.profile_id,
        database_id=job.database_id, actor_id=actor.pk if actor else None,
        data={"changes": changes, "import_undone": job.pk},
    )  # fmt: skip


def purge_expired_imports() -> int:
    """Remove the row log and the file of imports past the undo window; return how many."""
    cutoff = timezone.now() - timedelta(days=settings.IMPORT_UNDO_DAYS)
    ended = Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff)
    expired = ImportJob.objects.filter(ended, purged_at__isnull=True).exclude(
        state__in=[State.QUEUED, State.RUNNING, State.UNDOING]
    )
    count = 0
    for job in expired.iterator():
        ImportRow.objects.filter(job=job).delete()
        if job.file:
            job.file.delete(save=False)
        ImportJob.objects.filter(pk=job.pk).update(purged_at=timezone.now(), file="")
        count += 1
    return count
