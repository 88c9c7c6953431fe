"""`python -m bench.imports`: the file import benchmark of `make bench` (bench/README.md).

Generates a deterministic CSV of BENCH_IMPORT_ROWS rows (1,000,000 by default), imports it
into an empty database (the create path), then again (the update path: every row changes
its profile), each timed against a plain `COPY` of the same file into a bare table in the
same run. Runs in its own process so that its peak RSS is the import's own; prints its
figures as JSON on the last line for bench.history to add to the table.
"""

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from django.core.files import File
from django.db import DatabaseError, connection

from imports import seeding, services
from imports.models import ImportJob
from profiles.models import Profile

from .report import Figure, emit

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", 1_000_000))
CREATE_TARGET = 20_000  # profiles/s (the issue)
UPDATE_TARGET = 10_000
RSS_TARGET_MB = 500
BASELINE_TABLE = "bench_import_baseline"
BASELINE_TABLE_COLUMNS = len(seeding.HEADER)


def copy_baseline(path: Path) -> float:
    """Seconds to COPY the file as it is into a bare table of text columns."""
    columns = ", ".join(f"c{index} text" for index in range(BASELINE_TABLE_COLUMNS))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {BASELINE_TABLE}")
        cursor.execute(f"CREATE TABLE {BASELINE_TABLE} ({columns})")
    started = time.perf_counter()
    with connection.cursor() as cursor, path.open("rb") as stream:
        with cursor.cursor.copy(f"COPY {BASELINE_TABLE} FROM STDIN (FORMAT csv, HEADER)") as copy:
            while block := stream.read(1 << 20):
                copy.write(block)
        seconds = time.perf_counter() - started
        cursor.execute(f"SELECT count(*) FROM {BASELINE_TABLE}")
        assert cursor.fetchone()[0] == ROWS
        cursor.execute(f"DROP TABLE {BASELINE_TABLE}")
    return seconds


def settle() -> None:
    """Before a timed import: a CHECKPOINT, and no autovacuum at work, so that the writes of
    the benchmarks before it (millions of rows, left dirty in shared buffers) and their
    cleanup do not land in the import's time. bench.scale does the same before each."""
    with connection.cursor() as cursor:
        try:
            cursor.execute("CHECKPOINT")  # bench/run grants pg_checkpoint
        except DatabaseError as error:
            print(f"  import: no CHECKPOINT before the import ({error})", file=sys.stderr)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(1)


def import_file(database, path: Path) -> tuple[ImportJob, float]:
    settle()
    with path.open("rb") as stream:
        job = services.upload_file(database=database, file=File(stream, name=path.name))
    mapping = seeding.MAPPING
    started = time.perf_counter()
    job = services.configure_import(job=job, mapping=mapping, matching="email", enqueue=False)
    job = services.run_import(job_id=job.pk)
    return job, time.perf_counter() - started


def check_counts(job: ImportJob, *, created: int, updated: int) -> None:
    accounted = job.created + job.updated + job.skipped + job.failed
    assert job.rows_read == ROWS == accounted, (job.rows_read, accounted)
    assert (job.created, job.updated, job.failed) == (created, updated, 0), vars(job)
    assert job.rows.count() == ROWS


def peak_rss_mb() -> float:
    """The import's peak resident set: this process's, from /proc's VmHWM (getrusage's
    ru_maxrss is kept across the exec that starts a child, so under bench.history it reported
    the parent's 640 MB, not the import's 205), plus the largest of the processes that read
    the files (imports.parsing), counted whole although they share pages with this one."""
    readers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024 + readers
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 + readers


def run() -> tuple[list[Figure], dict]:
    database = seeding.seed_database(name="Import bench")
    with tempfile.TemporaryDirectory() as folder:
        first, second = Path(folder, "create.csv"), Path(folder, "update.csv")
        seeding.write_profiles_csv(first, ROWS, seed=1)
        # The same emails with other values: every profile changes.
        seeding.write_profiles_csv(second, ROWS, seed=2)
        size_mb = first.stat().st_size / 1024**2
        baseline_create = copy_baseline(first)
        job, create_seconds = import_file(database, first)
        check_counts(job, created=ROWS, updated=0)
        baseline_update = copy_baseline(second)
        job2, update_seconds = import_file(database, second)
        check_counts(job2, created=0, updated=ROWS)
    assert Profile.objects.filter(database=database).count() == ROWS
    peak_mb = peak_rss_mb()
    figures = [
        Figure("import create path, profiles/s", "/s", ROWS / create_seconds,
               ROWS / baseline_create, f">= {CREATE_TARGET:,}/s",
               ROWS / create_seconds >= CREATE_TARGET),
        Figure("import update path, profiles/s", "/s", ROWS / update_seconds,
               ROWS / baseline_update, f">= {UPDATE_TARGET:,}/s",
               ROWS / update_seconds >= UPDATE_TARGET),
        Figure("import peak RSS, MB", "MB", peak_mb, None, f"< {RSS_TARGET_MB}",
               peak_mb < RSS_TARGET_MB),
    ]  # fmt: skip
    details = {
        "rows": ROWS, "file_mb": round(size_mb, 1),
        "create_seconds": create_seconds, "update_seconds": update_seconds,
        "copy_seconds": {"create": baseline_create, "update": baseline_update},
        "peak_rss_mb": peak_mb,
    }  # fmt: skip
    return figures, details


def main() -> None:
    emit(*run())


if __name__ == "__main__":
    sys.exit(main())
