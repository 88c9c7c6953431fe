"""`imports.parsing.file_chunks`: a file's rows read ahead in a thread or, for a large file,
in a forked process; both give the same chunks, an error of the reader reaches the caller,
and a caller that stops early leaves no process behind."""

import multiprocessing
from pathlib import Path

import pytest
from django.core.files import File

from imports import parsing, seeding, services
from imports.reading import read_layout
from imports.rows import RecordReader
from profiles.models import Profile

pytestmark = pytest.mark.django_db
CUSTOMERS = Path(__file__).resolve().parent.parent / "data" / "csv" / "customers-10000.csv"
MAPPING = ["", "", "first_name", "last_name", "", "", "", "phone", "phone", "email", "", ""]


def chunks_of(path: Path, reader, *, process: bool, monkeypatch, size=1_000) -> list:
    monkeypatch.setattr(parsing, "PROCESS_FROM_BYTES", 0 if process else 10**12)
    with path.open("rb") as stream:
        layout = read_layout(stream)
    found = []
    with parsing.file_chunks(
        path=str(path), open_file=lambda: path.open("rb"), layout=layout, start_after=1,
        reader=reader, size=size,
    ) as chunks:  # fmt: skip
        for rows, bytes_read in chunks:
            found.append(
                ([(r.number, r.values, r.errors, r.skip_reason) for r in rows], bytes_read)
            )
    return found


def test_the_process_reads_the_same_rows_as_the_thread(monkeypatch):
    reader = RecordReader(MAPPING, {})
    in_thread = chunks_of(CUSTOMERS, reader, process=False, monkeypatch=monkeypatch)
    in_process = chunks_of(CUSTOMERS, reader, process=True, monkeypatch=monkeypatch)
    assert len(in_thread) == 10
    assert in_process == in_thread
    # phones of the Datablist file fail their rows with the column's reason, in both
    assert any("phones" in errors for _, _, errors, _ in in_process[0][0])
    assert in_process[-1][1] == CUSTOMERS.stat().st_size


def test_an_error_of_the_reader_in_the_process_reaches_the_caller(monkeypatch):
    def reader(record):
        if record.number == 1_500:
            raise ValueError("the reader broke on record 1500")
        return RecordReader(MAPPING, {})(record)

    with pytest.raises(ValueError, match="record 1500"):
        chunks_of(CUSTOMERS, reader, process=True, monkeypatch=monkeypatch)


def test_a_caller_that_stops_early_leaves_no_process(monkeypatch):
    monkeypatch.setattr(parsing, "PROCESS_FROM_BYTES", 0)
    with CUSTOMERS.open("rb") as stream:
        layout = read_layout(stream)
    with parsing.file_chunks(
        path=str(CUSTOMERS), open_file=lambda: CUSTOMERS.open("rb"), layout=layout,
        start_after=1, reader=RecordReader(MAPPING, {}), size=100,
    ) as chunks:  # fmt: skip
        rows, _ = next(chunks)
        assert len(rows) == 100
    assert not [child for child in multiprocessing.active_children() if child.is_alive()]


def test_a_file_import_read_in_a_process_accounts_for_every_row(monkeypatch, tmp_path):
    monkeypatch.setattr(parsing, "PROCESS_FROM_BYTES", 0)
    monkeypatch.setattr(services, "SQLITE_CHUNK_SIZE", 700)
    monkeypatch.setattr(services, "CHUNK_SIZE", 700)
    database = seeding.seed_database(name="Read in a process")
    path = tmp_path / "people.csv"
    seeding.write_profiles_csv(path, 3_000, seed=7)
    with path.open("rb") as stream:
        job = services.upload_file(database=database, file=File(stream, name=path.name))
    job = services.configure_import(job=job, mapping=seeding.MAPPING, enqueue=False)
    job = services.run_import(job_id=job.pk)
    assert (job.rows_read, job.created, job.failed) == (3_000, 3_000, 0)
    assert Profile.objects.filter(database=database).count() == 3_000
    assert job.rows.count() == 3_000
