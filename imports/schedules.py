"""Scheduled imports (X4): a file in `IMPORT_SCHEDULE_DIR` imported by django-celery-beat.

Each `ScheduledImport` owns one beat `PeriodicTask` ("every N minutes", an IntervalSchedule)
that calls `imports.tasks.run_scheduled_import(schedule_id)`; `save_schedule` keeps the two
in step and `delete_schedule` removes both. A run imports the file only when its size or
mtime changed since the last import, through the same `upload_file` + `configure_import` as
the upload page, so the job is queued, logged and undoable like any other. A run that cannot
import (file missing, header changed, a refused option) records why in `last_error` and
returns: the schedule tries again at its next tick, never in a retry storm.
"""

import codecs
import json
import os
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from config.exceptions import InvalidInput
from profiles.services import field_definitions

from . import columns, services
from .matching import parse_matching
from .models import ImportJob, ScheduledImport, State
from .reading import AUTO, DELIMITERS, FileProblem, read_layout

TASK = "imports.tasks.run_scheduled_import"


def schedule_file(path: str) -> Path:
    """The file `path` names inside IMPORT_SCHEDULE_DIR, symlinks resolved. Raises
    InvalidInput for an absolute path or one that leads out of the directory."""
    root = Path(settings.IMPORT_SCHEDULE_DIR).resolve()
    if not path or Path(path).is_absolute():
        raise InvalidInput({"path": [f"Give a path relative to {root}."]})
    target = (root / path).resolve()
    if not target.is_relative_to(root) or target == root:
        raise InvalidInput({"path": [f"The path leads outside {root}."]})
    return target


@transaction.atomic
def save_schedule(*, schedule: ScheduledImport) -> ScheduledImport:
    """Check the schedule's options, save it, and create or update its beat entry (enabled
    as the schedule is). The file itself need not exist yet."""
    _check_schedule(schedule)
    schedule.save()
    every, _ = IntervalSchedule.objects.get_or_create(
        every=schedule.interval_minutes, period=IntervalSchedule.MINUTES
    )
    task = schedule.periodic_task or PeriodicTask()
    task.name = f"Scheduled import #{schedule.pk}"
    task.task, task.args, task.kwargs = TASK, json.dumps([schedule.pk]), "{}"
    task.interval, task.crontab, task.enabled = every, None, schedule.enabled
    task.description = f"{schedule.name}: {schedule.path}"
    task.save()
    if schedule.periodic_task_id != task.pk:
        schedule.periodic_task = task
        schedule.save(update_fields=["periodic_task"])
    return schedule


@transaction.atomic
def delete_schedule(*, schedule: ScheduledImport) -> None:
    task = schedule.periodic_task
    schedule.delete()
    if task is not None:
        task.delete()


def _check_schedule(schedule: ScheduledImport) -> None:
    errors: dict[str, list[str]] = {}
    try:
        schedule_file(schedule.path)
    except InvalidInput as error:
        errors |= error.errors
    if schedule.encoding != AUTO:
        try:
            codecs.lookup(schedule.encoding)
        except LookupError:
            errors["encoding"] = [f"Unknown encoding {schedule.encoding!r}."]
    if schedule.delimiter and schedule.delimiter not in DELIMITERS:
        errors["delimiter"] = ["Use one of , ; | or a tab, or leave it empty to detect it."]
    if schedule.interval_minutes < 1:
        errors["interval_minutes"] = ["Run at most once a minute."]
    problem = _mapping_problem(schedule)
    if problem:
        errors["mapping"] = [problem]
    try:
        parse_matching(schedule.matching, schedule.database)
    except ValueError as error:
        errors["matching"] = [str(error)]
    resource, channel = schedule.subscribe_resource, schedule.subscribe_channel
    if resource is not None and (
        channel not in resource.channels or channel not in services.SUBSCRIBABLE_CHANNELS
    ):
        errors["subscribe_channel"] = [f"Choose one of {resource}'s channels email, sms, "
                                       "whatsapp or viber."]  # fmt: skip
    if errors:
        raise InvalidInput(errors)


def _mapping_problem(schedule: ScheduledImport) -> str:
    mapping = schedule.mapping
    if not isinstance(mapping, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in mapping.items()
    ):
        return 'Give {"header": "target"} pairs, e.g. {"E-mail": "email", "Password": ""}.'
    headers, targets = list(mapping), list(mapping.values())
    problems = columns.check_mapping(targets, field_definitions(schedule.database))
    return " ".join(f"{headers[pos]!r}: {why}" for pos, why in problems.items())


# Runs


def file_signature(path: Path) -> str:
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def run_schedule(*, schedule_id: int) -> ImportJob | None:
    """One tick of a schedule: import its file if it changed; return the queued job, or None
    when there was nothing to do or the run failed (then `last_error` says why)."""
    schedule = (
        ScheduledImport.objects.select_related("database", "subscribe_resource", "last_job")
        .filter(pk=schedule_id, enabled=True)
        .first()
    )
    if schedule is None:
        return None
    if schedule.last_job and schedule.last_job.state in (State.QUEUED, State.RUNNING):
        return None  # the next tick looks again; two runs never write the same rows at once
    try:
        path = schedule_file(schedule.path)
        signature = file_signature(path)
    except InvalidInput as error:
        return _failed(schedule, " ".join(error.errors["path"]))
    except OSError:
        return _failed(schedule, f"No file at {schedule.path} in the scheduled imports directory.")
    if signature == schedule.last_file_signature:
        _record(schedule, last_error="")
        return None
    try:
        job = _import(schedule, path)
    except (InvalidInput, FileProblem, OSError) as error:
        return _failed(schedule, _describe(error))
    _record(schedule, last_job=job, last_file_signature=signature, last_error="")
    return job


def _import(schedule: ScheduledImport, path: Path) -> ImportJob:
    # O_NOFOLLOW: the file checked above cannot be swapped for a link out of the directory.
    with os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), "rb") as stream:
        layout = read_layout(stream, encoding=schedule.encoding, delimiter=schedule.delimiter)
        mapping = resolved_mapping(schedule, layout.headers)
        job = None
        try:
            with transaction.atomic():
                job = services.upload_file(
                    database=schedule.database, file=File(stream, name=path.name),
                    encoding=layout.encoding, delimiter=layout.delimiter,
                )  # fmt: skip
                return services.configure_import(
                    job=job, mapping=mapping, matching=schedule.matching,
                    skip_existing=schedule.skip_existing, create_new=schedule.create_new,
                    detect_geo=schedule.detect_geo,
                    subscribe_resource=schedule.subscribe_resource,
                    subscribe_channel=schedule.subscribe_channel,
                )  # fmt: skip
        except InvalidInput:
            if job is not None and job.file:  # the rolled-back draft's copy of the file
                job.file.storage.delete(job.file.name)
            raise


def resolved_mapping(schedule: ScheduledImport, headers: list[str]) -> list[str]:
    """The schedule's {header: target} as one target per column of the file; headers it
    does not name are guessed by name. Raises InvalidInput for a header the file lacks."""
    missing = [header for header in schedule.mapping if header not in headers]
    if missing:
        shown = ", ".join(map(repr, missing))
        raise InvalidInput({"mapping": [f"The file has no column {shown}; its header is "
                                        f"{', '.join(headers)}."]})  # fmt: skip
    guessed = columns.guess_mapping(headers, field_definitions(schedule.database))
    chosen = set(schedule.mapping.values()) - {"", "phone"}
    # A guess never doubles a target the schedule chose for another column.
    guessed = ["" if target in chosen else target for target in guessed]
    return [
        schedule.mapping.get(header, target)
        for header, target in zip(headers, guessed, strict=True)
    ]


def _describe(error: Exception) -> str:
    if isinstance(error, InvalidInput):
        return " ".join(
            f"{key}: {message}" for key, messages in error.errors.items() for message in messages
        )
    return str(error)


def _failed(schedule: ScheduledImport, reason: str) -> None:
    _record(schedule, last_error=reason)


def _record(schedule: ScheduledImport, **changes) -> None:
    changes["last_run_at"] = timezone.now()
    for name, value in changes.items():
        setattr(schedule, name, value)
    schedule.save(update_fields=list(changes))
