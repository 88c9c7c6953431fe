"""Writes on imports: upload and configure a file import, run it (resumably), import API
items, undo an import, purge expired ones (X1, X2, X4). Every path runs `pipeline.apply`."""

import gc
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import KombuError

from audit.models import Action
from config.exceptions import InvalidInput
from history.models import ImportSource
from interactions.services import segments
from profiles.models import ProfileDatabase
from profiles.services import field_definitions
from subscriptions.models import Resource

from . import columns, pipeline, writing
from .journal import journal_import
from .matching import parse_matching
from .models import ImportJob, Result, State
from .overlap import chunks_to_write
from .parsing import file_chunks
from .reading import FileProblem, Layout, read_layout
from .rows import RecordReader, row_from_item

# Rows per transaction: large enough for COPY to pay off, small enough to keep a chunk's
# memory and lock time low. SQLite also caps the parameters of one statement.
CHUNK_SIZE = 10_000
SQLITE_CHUNK_SIZE = 2_000
COLLECT_EVERY = 100  # chunks
SWITCH_INTERVAL = 0.0005  # seconds
SUBSCRIBABLE_CHANNELS = {"email": "email", "sms": "phone", "whatsapp": "phone", "viber": "phone"}
COUNTERS = {
    Result.CREATED: "created",
    Result.UPDATED: "updated",
    Result.SKIPPED: "skipped",
    Result.ERROR: "failed",
}


def _actor_id(actor: AbstractBaseUser | None) -> int | None:
    return actor.pk if actor is not None and actor.is_authenticated else None


# File imports (X1)


@transaction.atomic
def upload_file(
    *,
    database: ProfileDatabase,
    file: File,
    actor: AbstractBaseUser | None = None,
    encoding: str = "auto",
    delimiter: str = "",
) -> ImportJob:
    """Store an uploaded file as a draft import with its layout read and a first column
    mapping guessed from the header. Raises InvalidInput when it is no readable CSV."""
    if file.size > settings.IMPORT_MAX_FILE_SIZE:
        limit = settings.IMPORT_MAX_FILE_SIZE // 1024**2
        raise InvalidInput({"file": [f"The file is larger than the limit of {limit} MB."]})
    try:
        layout = read_layout(file, encoding=encoding, delimiter=delimiter)
    except FileProblem as problem:
        raise InvalidInput({"file": [str(problem)]}) from None
    file.seek(0)
    name = getattr(file, "name", "") or "import.csv"
    job = ImportJob(
        database=database, source=ImportSource.FILE, file_name=name.rsplit("/", 1)[-1][:255],
        file_size=file.size, encoding=layout.encoding, delimiter=layout.delimiter,
        headers=layout.headers, created_by_id=_actor_id(actor),
        mapping=columns.guess_mapping(layout.headers, field_definitions(database)),
    )  # fmt: skip
    job.file.save(job.file_name, file, save=False)
    job.save()
    return job


def file_layout(job: ImportJob, *, encoding: str = "", delimiter: str = "") -> Layout:
    """The job's file read again, e.g. with another encoding chosen on the preview."""
    with job.file.open("rb") as stream:
        return read_layout(
            stream, encoding=encoding or job.encoding, delimiter=delimiter or job.delimiter
        )


@transaction.atomic
def configure_import(
    *,
    job: ImportJob,
    mapping: list[str],
    matching: str = "email",
    skip_existing: bool = False,
    create_new: bool = True,
    detect_geo: bool = False,
    subscribe_resource: Resource | None = None,
    subscribe_channel: str = "",
    encoding: str = "",
    delimiter: str = "",
    segment_name: str = "",
    enqueue: bool = True,
) -> ImportJob:
    """Check the mapping and options of a draft import and queue it (after commit). A caller
    that runs the import itself (the command) passes enqueue=False, so that no worker runs
    the same job beside it."""
    if job.state != State.DRAFT:
        raise InvalidInput({"state": [f"This import is {job.get_state_display()}, not a draft."]})
    if encoding or delimiter:
        try:
            layout = file_layout(job, encoding=encoding, delimiter=delimiter)
        except FileProblem as problem:
            raise InvalidInput({"encoding": [str(problem)]}) from None
        job.encoding, job.delimiter, job.headers = layout.encoding, layout.delimiter, layout.headers
    _check_options(job, mapping, matching, subscribe_resource, subscribe_channel)
    job.mapping, job.matching = mapping, matching
    job.skip_existing, job.create_new, job.detect_geo = skip_existing, create_new, detect_geo
    job.subscribe_resource, job.subscribe_channel = subscribe_resource, subscribe_channel
    job.segment_name = segments.check_new_segment_name(database=job.database, name=segment_name)
    job.state = State.QUEUED
    job.save()
    if enqueue:
        _enqueue(job)
    return job


def _check_options(job, mapping, matching, resource, channel) -> None:
    definitions = field_definitions(job.database)
    errors: dict[str, list[str]] = {}
    if len(mapping) != len(job.headers):
        errors["mapping"] = [f"Give one target per column: {len(job.headers)} columns."]
    else:
        problems = columns.check_mapping(mapping, definitions)
        if problems:
            errors["mapping"] = [f"{job.headers[pos]!r}: {why}" for pos, why in problems.items()]
    try:
        parsed = parse_matching(matching, job.database)
    except ValueError as error:
        errors["matching"] = [str(error)]
    else:
        target = {"field": f"{columns.FIELD_PREFIX}{parsed.field.name}" if parsed.field else ""}
        wanted = target.get(parsed.kind, parsed.kind)
        if wanted not in mapping:
            errors["matching"] = [f"Map a column to {wanted!r} to match profiles by it."]
    if resource is not None and channel not in resource.channels:
        errors["subscribe_channel"] = [f"{resource} has no channel {channel!r}."]
    elif resource is not None and channel not in SUBSCRIBABLE_CHANNELS:
        errors["subscribe_channel"] = ["Only email, sms, whatsapp and viber take their "
                                       "contact from the profile."]  # fmt: skip
    if errors:
        raise InvalidInput(errors)


def _enqueue(job: ImportJob) -> None:
    transaction.on_commit(lambda: _send(job))


def _send(job: ImportJob) -> None:
    """Queue the run; with the broker unreachable (Redis down), the job fails saying so,
    rather than waiting forever as `queued` for a message that was never sent."""
    from .tasks import run_import

    try:
        run_import.delay(job.pk)
    except KombuError as error:
        ImportJob.objects.filter(pk=job.pk, state=State.QUEUED).update(
            state=State.FAILED,
            error=f"Could not queue the import: the task queue is unreachable ({error}). "
            "Resume it once the queue is back.",
        )
        journal_import(job, Action.IMPORT_FAILED)


@transaction.atomic
def resume_import(*, job: ImportJob, enqueue: bool = True) -> ImportJob:
    """Queue a failed or stalled import again; it goes on after its last written row
    (enqueue=False: the caller runs it)."""
    if job.state not in (State.FAILED, State.RUNNING, State.QUEUED):
        raise InvalidInput({"state": [f"This import is {job.get_state_display()}."]})
    job.state, job.error = State.QUEUED, ""
    job.save(update_fields=["state", "error"])
    if enqueue:
        _enqueue(job)
    return job


def run_import(*, job_id: int, progress: Callable[[ImportJob], None] | None = None) -> ImportJob:
    """Import a queued file, chunk by chunk; each chunk commits with the job's counters and
    its last row, so a stopped run (worker lost, database gone) resumes after that row and
    nothing is written twice or half. Safe to call again for a finished job (no-op)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.state not in (State.QUEUED, State.RUNNING):
            return job
        job.state, job.started_at = State.RUNNING, job.started_at or timezone.now()
        job.heartbeat_at = timezone.now()
        job.save(update_fields=["state", "started_at", "heartbeat_at"])
        journal_import(job, Action.IMPORT_STARTED)
    try:
        _run(job, progress)
    except Exception as error:
        ImportJob.objects.filter(pk=job.pk).update(
            state=State.FAILED,
            error=f"Stopped after row {job.last_row}: {error}. Rows up to there are imported; "
            "resume to go on.",
        )
        journal_import(job, Action.IMPORT_FAILED)
        raise
    ImportJob.objects.filter(pk=job.pk).update(state=State.FINISHED, finished_at=timezone.now())
    segments.segment_from_import(job=job)
    journal_import(job, Action.IMPORT_FINISHED)
    job.refresh_from_db()
    return job


def _run(job: ImportJob, progress) -> None:
    plan = _plan(job, ImportSource.FILE)
    if job.last_row > 1:  # resumed: what the rows before this run wrote
        plan.written.update(imported_profile_ids(job))
    file = file_chunks(
        path=_local_path(job), open_file=lambda: job.file.open("rb"),
        layout=Layout(job.encoding, job.delimiter, job.headers), start_after=job.last_row,
        reader=RecordReader(job.mapping, plan.definitions), size=_chunk_size(),
    )  # fmt: skip
    with _tuned_for_bulk_work(), file as chunks, chunks_to_write(plan, chunks) as to_write:
        for number, chunk in enumerate(to_write, 1):
            with transaction.atomic():
                counts = chunk.write()
                _advance(job, counts, last_row=chunk.last_row, bytes_read=chunk.bytes_read)
            if number % COLLECT_EVERY == 0:
                gc.collect(1)
            if progress is not None:
                progress(job)
    writing.merge_pending_index_entries()  # searches read the entries a run left pending


def _local_path(job: ImportJob) -> str | None:
    try:
        return job.file.path
    except NotImplementedError:  # a storage without local files
        return None


@contextmanager
def _tuned_for_bulk_work() -> Iterator[None]:
    """Two process-wide settings for the length of a run, restored after it:
    - Python's cyclic collector, run every 700 allocations, went over the chunks in memory
      again and again (a third of the import's CPU time). Rows hold no reference cycles
      (refcounting frees them: a million-row run stays at 200 MB without it), so it is
      switched off and called every COLLECT_EVERY chunks instead, in case anything else
      leaves a cycle; each call scans the chunks alive then (every 10 chunks cost 8%).
    - The read-ahead thread parses while this one waits for the database; with the default
      5 ms switch interval, each answer the database sent waited that long for the GIL
      (17% of a run). 0.5 ms hands it back sooner."""
    was_enabled, interval = gc.isenabled(), sys.getswitchinterval()
    gc.disable()
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)
        if was_enabled:
            gc.enable()


def _plan(job: ImportJob, source: str) -> pipeline.Plan:
    resource = job.subscribe_resource
    return pipeline.Plan(
        database=job.database, matching=parse_matching(job.matching, job.database),
        definitions=field_definitions(job.database), job_id=job.pk, source=source,
        actor_id=job.created_by_id, skip_existing=job.skip_existing,
        create_new=job.create_new, detect_geo=job.detect_geo,
        subscribe=(resource.pk, job.subscribe_channel) if resource else None,
    )  # fmt: skip


def _chunk_size() -> int:
    from django.db import connection

    return CHUNK_SIZE if connection.vendor == "postgresql" else SQLITE_CHUNK_SIZE


def _advance(job: ImportJob, counts, *, last_row: int, bytes_read: int) -> None:
    changes: dict[str, Any] = {
        name: F(name) + counts.get(result, 0) for result, name in COUNTERS.items()
    }
    merged = counts.get(Result.MERGED, 0)
    changes["skipped"] = F("skipped") + counts.get(Result.SKIPPED, 0) + merged
    changes["merged"] = F("merged") + merged
    rows_read = last_row - job.last_row
    ImportJob.objects.filter(pk=job.pk).update(
        **changes, rows_read=F("rows_read") + rows_read, last_row=last_row,
        bytes_read=bytes_read, heartbeat_at=timezone.now(),
    )  # fmt: skip
    job.refresh_from_db()


def imported_profile_ids(job: ImportJob) -> Iterator[int]:
    """The profiles an import created or updated, for a segment of its results (I1)."""
    rows = job.rows.filter(result__in=[Result.CREATED, Result.UPDATED])
    return rows.values_list("profile_id", flat=True).iterator(chunk_size=10_000)


# API import (X2)


@transaction.atomic
def import_items(
    *,
    database: ProfileDatabase,
    items: list[tuple[int, dict[str, Any] | None, dict[str, Any]]],
    matching: str,
    detect_geo: bool = True,
    skip_existing: bool = False,
    actor: AbstractBaseUser | None = None,
    segment_name: str = "",
) -> tuple[ImportJob, list[pipeline.Row]]:
    """Import API items given as (index, Profile columns or None, serializer errors); a bad
    item is reported and never stops the others. The call is logged as a job, so it can be
    undone like a file import."""
    try:
        parse_matching(matching, database)
    except ValueError as error:
        raise InvalidInput({"matching": [str(error)]}) from None
    job = ImportJob.objects.create(
        database=database, source=ImportSource.API, state=State.RUNNING, matching=matching,
        detect_geo=detect_geo, skip_existing=skip_existing, created_by_id=_actor_id(actor),
        started_at=timezone.now(), file_name=f"API call of {len(items)} profiles",
        segment_name=segments.check_new_segment_name(database=database, name=segment_name),
    )  # fmt: skip
    plan = _plan(job, ImportSource.API)
    rows = []
    for index, values, errors in items:
        row = row_from_item(index, values, plan.definitions) if values is not None else None
        if row is None:
            row = pipeline.Row(index, errors=errors)
        rows.append(row)
    counts = pipeline.apply(plan, rows)
    # API items are numbered from 0; `last_row` counts records after a header.
    job.last_row = 0
    _advance(job, counts, last_row=len(rows), bytes_read=0)
    ImportJob.objects.filter(pk=job.pk).update(state=State.FINISHED, finished_at=timezone.now())
    segments.segment_from_import(job=job)
    job.refresh_from_db()
    journal_import(job, Action.IMPORT_FINISHED)
    return job, rows
