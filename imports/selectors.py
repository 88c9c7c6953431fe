"""Reads on imports: the per-row report and the rows shown on the import page."""

from collections.abc import Iterator

from django.db.models import QuerySet

from config.csv_output import csv_lines

from .columns import FIELD_PREFIX
from .models import ImportJob, ImportRow, Result

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
