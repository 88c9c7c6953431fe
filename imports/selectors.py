"""Reads on imports: the per-row report and the rows shown on the import page."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils import timezone

from config.csv_output import csv_lines
from subscriptions.models import Resource

from .columns import FIELD_PREFIX
from .models import ImportJob, ImportRow, Result, State
from .services import SUBSCRIBABLE_CHANNELS

REPORT_HEADER = ["row", "result", "column", "reason"]
# Rows listed in the report: all but the plainly created and updated ones.
REPORTED = [Result.ERROR, Result.SKIPPED, Result.MERGED]


def reported_rows(job: ImportJob) -> QuerySet[ImportRow]:
    return job.rows.filter(result__in=REPORTED).order_by("row")


def report_lines(job: ImportJob) -> Iterator[str]:
    """The report as CSV lines: a line per problem of every failed, skipped or merged row
    (row, result, column, reason), plus subscriptions refused on imported rows. Streamed:
    the rows are read in chunks, whatever their number. Reasons quote the file's values, so
    they go through the shared writer's formula guard."""
    return csv_lines(REPORT_HEADER, _report_rows(job))


def _report_rows(job: ImportJob) -> Iterator[list]:
    columns = _columns_of_targets(job)
    rows = job.rows.exclude(result__in=[Result.CREATED, Result.UPDATED], errors={})
    for row in rows.order_by("row").iterator(chunk_size=5_000):
        if row.result == Result.MERGED:
            yield [row.row, row.result, "", f"Merged into row {row.merged_into}."]
            continue
        for column, reason in _problems(row.errors, columns):
            yield [row.row, row.result, column, reason]


def _columns_of_targets(job: ImportJob) -> dict[str, str]:
    """{target: the file's header mapped to it} to name columns as the user knows them."""
    names: dict[str, str] = {}
    for header, target in zip(job.headers, job.mapping, strict=False):
        if target:
            key = "phones" if target == "phone" else target
            names[key] = f"{names[key]}, {header}" if key in names else header
    return names


def _problems(errors: dict, columns: dict[str, str]) -> Iterator[tuple[str, str]]:
    for key, value in errors.items():
        if key == "fields" and isinstance(value, dict):
            for name, reasons in value.items():
                column = columns.get(f"{FIELD_PREFIX}{name}", f"{FIELD_PREFIX}{name}")
                yield from ((column, reason) for reason in reasons)
        elif key == "subscriptions" and isinstance(value, dict):
            for index, problems in value.items():
                for name, reasons in problems.items():
                    yield from ((f"subscription {index}: {name}", r) for r in reasons)
        elif key == "row":
            yield from (("", reason) for reason in value)
        else:
            reasons = value if isinstance(value, list) else [str(value)]
            yield from ((columns.get(key, key), str(reason)) for reason in reasons)


# The import page (X1 back office)

REPORT_PAGE_SIZE = 100
# A running job writes its heartbeat with every chunk (seconds apart): this long without one,
# its worker is gone and the page offers to resume it.
STALLED_AFTER = timedelta(minutes=10)


def report_page(job: ImportJob, number: Any, per_page: int = REPORT_PAGE_SIZE) -> Page:
    """One page of `reported_rows`, each row with `problems`: [(column, reason)], columns
    named by the file's headers as in `report_lines`."""
    page = Paginator(reported_rows(job), per_page).get_page(number)
    columns = _columns_of_targets(job)
    for row in page.object_list:
        if row.result == Result.MERGED:
            row.problems = [("", f"Merged into row {row.merged_into}.")]
        else:
            row.problems = list(_problems(row.errors, columns))
    return page


def minutes_without_progress(job: ImportJob) -> int | None:
    """For a running job that wrote no chunk for STALLED_AFTER: the minutes since its last
    one; None while it is moving or not running."""
    if job.state != State.RUNNING or job.heartbeat_at is None:
        return None
    silent = timezone.now() - job.heartbeat_at
    return int(silent.total_seconds() // 60) if silent >= STALLED_AFTER else None


def job_status(job: ImportJob) -> dict[str, Any]:
    """What the import page polls for: state, progress and counts."""
    return {
        "state": job.state,
        "state_display": job.get_state_display(),
        "percent": job.percent,
        **{name: getattr(job, name) for name in ("rows_read", "created", "updated", "skipped")},
        **{name: getattr(job, name) for name in ("merged", "failed", "error")},
        "stalled_minutes": minutes_without_progress(job),
    }


def subscription_targets() -> list[tuple[Resource, list[str]]]:
    """Resources with the channels an import can subscribe to (their contact is the
    profile's email or phone), for the import options."""
    resources = Resource.objects.only("id", "name", "channels").order_by("name")
    targets = [
        (resource, [channel for channel in resource.channels if channel in SUBSCRIBABLE_CHANNELS])
        for resource in resources
    ]
    return [(resource, channels) for resource, channels in targets if channels]
