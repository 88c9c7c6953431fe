"""X1: file imports through `manage.py import_profiles` and the services behind the page: real
messy files (tests/data/csv/README.md), every row accounted for, resume and undo."""

import csv
import io
import json
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from config.exceptions import InvalidInput
from history.models import Event, EventType
from imports import pipeline, services, undo
from imports.models import ImportJob, State
from imports.reading import FileProblem, read_layout, records
from imports.selectors import report_lines
from profiles.models import Profile
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db
CSV = Path(__file__).resolve().parent.parent / "data" / "csv"


def run_command(*args) -> tuple[ImportJob, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_profiles", *map(str, args), stdout=out, stderr=err)
    return ImportJob.objects.order_by("-id").first(), out.getvalue()


def import_text(database, text: str, mapping: list[str], **options) -> ImportJob:
    job = services.upload_file(database=database, file=ContentFile(text.encode(), name="t.csv"))
    services.configure_import(job=job, mapping=mapping, **options)
    # Tests run in a transaction, so the run queued after commit is started here.
    return services.run_import(job_id=job.pk)


def assert_accounted(job: ImportJob, rows: int) -> None:
    assert job.rows_read == rows == job.created + job.updated + job.skipped + job.failed
    assert job.rows.count() == rows


def test_ten_thousand_customers_import_with_every_row_accounted_for(shop):
    # when the Datablist file is imported with its phones (US formats, no default region)
    names = ["--map", "First Name=first_name", "--map", "Last Name=last_name"]
    job, out = run_command(CSV / "customers-10000.csv", "--database", shop.pk, *names)
    # then rows with an unreadable phone fail and name the column; the others are created
    assert job.state == State.FINISHED
    assert_accounted(job, 10_000)
    assert job.created == Profile.objects.filter(database=shop).count() > 0
    assert job.failed > 9_000
    report = list(csv.reader(io.StringIO("".join(report_lines(job)))))
    assert report[0] == ["row", "result", "column", "reason"]
    assert report[1][:3] == ["2", "error", "Phone 1, Phone 2"]
    assert "043-797-5229" in report[1][3]
    assert "10000 rows read" in out
    # when imported again without the phones, every remaining row is created and no duplicate
    job, _ = run_command(CSV / "customers-10000.csv", "--database", shop.pk,
                         "--map", "Phone 1=", "--map", "Phone 2=")  # fmt: skip
    assert_accounted(job, 10_000)
    assert Profile.objects.filter(database=shop).count() == 10_000
    assert job.failed == 0


def test_spreadsheet_damaged_copy_reads_crlf_and_reports_bad_dates(shop):
    job, _ = run_command(CSV / "messy/customers-10000-excel-roundtrip.csv", "--database", shop.pk,
                         "--map", "Phone 1=", "--map", "Phone 2=",
                         "--map", "Subscription Date=registration_date")  # fmt: skip
    assert_accounted(job, 10_000)
    assert job.failed == 10_000  # M/D/YYYY is not a date we guess at
    row = job.rows.get(row=2)
    assert "'8/26/2020' is not a date" in row.errors["registration_date"][0]


def test_semicolon_vendor_file_with_hinted_headers(shop):
    with open(CSV / "messy/prestashop-1.6/customers_import.csv", "rb") as stream:
        layout = read_layout(stream)
    assert layout.delimiter == ";"
    assert layout.headers[0] == "Customer ID"
    job, _ = run_command(CSV / "messy/prestashop-1.6/customers_import.csv", "--database", shop.pk,
                         "--map", "Email *=email", "--map", "First Name *=first_name")  # fmt: skip
    assert_accounted(job, 9)
    assert "Peter" in set(Profile.objects.values_list("first_name", flat=True))
    assert Profile.objects.count() == job.created


@pytest.mark.parametrize(
    "name", ["comma_in_quotes", "escaped_quotes", "json", "newlines", "newlines_crlf",
             "quotes_and_newlines", "simple", "simple_crlf", "utf8"],
)  # fmt: skip
def test_csv_spectrum_cases_read_as_expected(name):
    expected = json.loads((CSV / f"messy/csv-spectrum/json/{name}.json").read_text())
    with open(CSV / f"messy/csv-spectrum/csvs/{name}.csv", "rb") as stream:
        layout = read_layout(stream, delimiter=",")
        got = [dict(zip(layout.headers, r.cells, strict=True)) for r in records(stream, layout)]
    assert got == expected


@pytest.mark.parametrize(
    ("name", "encoding", "last"),
    [("test_utf8_bom.csv", "utf-8-sig", "ʤ"), ("test_utf16_little.csv", "utf-16", "ʤ"),
     ("test_utf16_big.csv", "utf-16", "ʤ")],
)  # fmt: skip
def test_byte_order_marks_choose_the_encoding(name, encoding, last):
    with open(CSV / "messy/csvkit" / name, "rb") as stream:
        layout = read_layout(stream)
        rows = [r.cells for r in records(stream, layout)]
    assert layout.encoding == encoding
    assert layout.headers[0] in ("foo", "a")  # no BOM left in the first header
    assert rows[-1][-1] == last


def test_latin1_needs_its_encoding_chosen(shop):
    with open(CSV / "messy/csvkit/test_latin1.csv", "rb") as stream:
        with pytest.raises(FileProblem, match="not UTF-8.*choose its encoding"):
            read_layout(stream)
        layout = read_layout(stream, encoding="iso-8859-1")
        assert [r.cells for r in records(stream, layout)][-1][-1] == "©"


def test_cr_only_line_endings_and_a_tab_delimited_file():
    with open(CSV / "messy/csvkit/mac_newlines.csv", "rb") as stream:
        layout = read_layout(stream)
        assert layout.headers == ["a", "b", "c"]
        assert len(list(records(stream, layout))) == 2
    with open(CSV / "messy/csvkit/dummy.tsv", "rb") as stream:
        assert read_layout(stream).delimiter == "\t"


def test_ragged_rows_fail_alone(shop):
    text = (CSV / "messy/csvkit/bad.csv").read_text()
    job = services.upload_file(database=shop, file=ContentFile(text.encode(), name="bad.csv"))
    headers = job.headers
    services.configure_import(job=job, mapping=["email", *[""] * (len(headers) - 1)])
    job = services.run_import(job_id=job.pk)
    reasons = [row.errors.get("row", [""])[0] for row in job.rows.all()]
    assert any("cells; the header has" in reason for reason in reasons)
    assert_accounted(job, job.rows_read)


def test_binary_and_empty_files_are_refused(shop):
    for content, reason in [(b"\x89PNG\r\n\x1a\n\x00\x00\x00", "not a text file"),
                            (b"", "empty"), (b"\n\n", "empty")]:  # fmt: skip
        with pytest.raises(InvalidInput, match=reason):
            services.upload_file(database=shop, file=ContentFile(content, name="x.csv"))


def test_invalid_values_of_every_type_name_their_column(shop):
    text = (
        "Email,Age,Tariff,Interests,Birthday,Status,Country\n"
        "a@example.com,12.5,gold,,1990-02-30,sleeping,Britain\n"
        "not-an-email,,,,,,\n"
        ",,,,,,\n"
        "b@example.com,40,pro,a;b,1990-02-01,subscribed,gb\n"
    )
    mapping = ["email", "fields.age", "fields.tariff", "fields.interests", "birthday", "status",
               "registration_country"]  # fmt: skip
    job = import_text(shop, text, mapping)
    assert_accounted(job, 4)
    assert (job.created, job.failed, job.skipped) == (1, 2, 1)
    first = job.rows.get(row=2).errors
    assert set(first) == {"fields", "birthday", "status", "registration_country"}
    assert set(first["fields"]) == {"age", "tariff"}
    assert job.rows.get(row=4).errors == {"row": ["Empty line."]}
    lines = "".join(report_lines(job))
    assert "2,error,Age," in lines and "2,error,Country," in lines
    created = Profile.objects.get(email="b@example.com")
    assert created.fields == {"age": 40, "tariff": "pro", "interests": ["a", "b"]}
    assert created.registration_country == "GB"


def test_duplicate_keys_across_chunks_merge_into_the_last_row(shop, monkeypatch):
    monkeypatch.setattr(services, "SQLITE_CHUNK_SIZE", 2)
    monkeypatch.setattr(services, "CHUNK_SIZE", 2)
    text = ("Email,First,Age\nann@example.com,Ann,1\nbob@example.com,Bob,\n"
            "ANN@example.com,,3\nann@example.com,Anna,\n")  # fmt: skip
    job = import_text(shop, text, ["email", "first_name", "fields.age"])
    assert_accounted(job, 4)
    assert (job.created, job.skipped, job.merged) == (2, 2, 2)
    results = dict(job.rows.values_list("row", "result"))
    assert results == {2: "merged", 3: "created", 4: "merged", 5: "created"}
    # both earlier rows point at the row that holds the profile's outcome
    assert [job.rows.get(row=n).merged_into for n in (2, 4)] == [5, 5]
    ann = Profile.objects.get(email__iexact="ann@example.com")
    assert (ann.first_name, ann.fields) == ("Anna", {"age": 3})


def test_a_stopped_import_resumes_after_its_last_chunk(shop, monkeypatch):
    monkeypatch.setattr(services, "SQLITE_CHUNK_SIZE", 2)
    monkeypatch.setattr(services, "CHUNK_SIZE", 2)
    text = "Email\n" + "".join(f"u{n}@example.com\n" for n in range(5))
    real_apply, calls = pipeline.apply, []

    def failing_apply(plan, rows):
        calls.append(len(rows))
        if len(calls) == 2:
            raise ConnectionError("database went away")
        return real_apply(plan, rows)

    monkeypatch.setattr(pipeline, "apply", failing_apply)
    with pytest.raises(ConnectionError):
        import_text(shop, text, ["email"])
    job = ImportJob.objects.get()
    assert job.state == State.FAILED and "Stopped after row 3" in job.error
    assert (job.rows_read, Profile.objects.count()) == (2, 2)  # the first chunk, whole
    services.run_import(job_id=services.resume_import(job=job).pk)
    job.refresh_from_db()
    assert job.state == State.FINISHED
    assert_accounted(job, 5)
    assert Profile.objects.count() == 5 == job.created


def test_a_resumed_import_still_merges_a_key_met_before_the_stop(shop, monkeypatch):
    # given a run that stopped after its first chunk created Ann
    monkeypatch.setattr(services, "SQLITE_CHUNK_SIZE", 2)
    monkeypatch.setattr(services, "CHUNK_SIZE", 2)
    text = "Email,First\nann@example.com,Ann\nbob@example.com,Bob\nann@example.com,Anna\n"
    real_apply, calls = pipeline.apply, []

    def failing_apply(plan, rows):
        calls.append(len(rows))
        if len(calls) == 2:
            raise ConnectionError("database went away")
        return real_apply(plan, rows)

    monkeypatch.setattr(pipeline, "apply", failing_apply)
    with pytest.raises(ConnectionError):
        import_text(shop, text, ["email", "first_name"])
    # when it is resumed in a new run, which starts with nothing in memory
    job = services.run_import(job_id=services.resume_import(job=ImportJob.objects.get()).pk)
    # then Ann's second row takes over her first one: created once, the first row merged
    assert_accounted(job, 3)
    assert dict(job.rows.values_list("row", "result")) == {2: "merged", 3: "created", 4: "created"}
    assert Profile.objects.get(email="ann@example.com").first_name == "Anna"


def test_undo_deletes_created_and_restores_changed_values(shop, marketer):
    ann = ProfileFactory(database=shop, email="ann@example.com", first_name="Ann")
    bob = ProfileFactory(database=shop, email="bob@example.com", first_name="Bob")
    text = "Email,First\nann@example.com,Anna\nbob@example.com,Robert\nnew@example.com,New\n"
    job = import_text(shop, text, ["email", "first_name"])
    assert (job.created, job.updated) == (1, 2)
    # someone edits Bob after the import: undo keeps that edit
    Profile.objects.filter(pk=bob.pk).update(first_name="Bobby")
    job = undo.undo_import(job=job, actor=marketer)
    assert job.state == State.UNDONE
    assert job.undo_summary == {"deleted": 1, "restored": 1, "kept": 1}
    assert not Profile.objects.filter(email="new@example.com").exists()
    ann.refresh_from_db()
    bob.refresh_from_db()
    assert (ann.first_name, bob.first_name) == ("Ann", "Bobby")
    event = Event.objects.get(profile_id=ann.pk, type=EventType.PROFILE_UPDATED)
    assert event.data["changes"] == {"first_name": {"old": "Anna", "new": "Ann"}}
    with pytest.raises(InvalidInput, match="cannot be undone"):
        undo.undo_import(job=job)


def test_undo_window_is_seven_days(shop, settings):
    job = import_text(shop, "Email\na@example.com\n", ["email"])
    ImportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(days=8))
    job.refresh_from_db()
    assert "7 days" in undo.undo_refusal(job)
    assert undo.purge_expired_imports() == 1
    job.refresh_from_db()
    assert job.purged_at and not job.rows.exists() and not job.file


def test_the_command_runs_its_import_itself_and_queues_no_worker_for_it(
    shop, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    from imports import tasks

    queued = []
    monkeypatch.setattr(tasks.run_import, "delay", lambda *args: queued.append(args))
    path = tmp_path / "people.csv"
    path.write_text("Email\nann@example.com\n")
    with django_capture_on_commit_callbacks(execute=True):
        job, _ = run_command(path, "--database", shop.name)
    assert (job.state, job.created, queued) == (State.FINISHED, 1, [])


def test_command_undo_and_clear_errors(shop):
    path = CSV / "messy/prestashop-1.6/customers_import.csv"
    job, _ = run_command(path, "--database", shop.pk, "--map", "Email *=email")
    out = io.StringIO()
    call_command("import_profiles", "--undo", str(job.pk), stdout=out)
    assert f"Import {job.pk} undone: {job.created} profiles deleted" in out.getvalue()
    assert not Profile.objects.exists()
    with pytest.raises(CommandError, match="No profile database"):
        run_command(path, "--database", "nope")
    with pytest.raises(CommandError, match="matching: Map a column to 'email'"):
        run_command(path, "--database", shop.pk)
    with pytest.raises(CommandError, match="no column 'Nope'"):
        run_command(path, "--database", shop.pk, "--map", "Nope=email")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_a_queued_import(shop, celery_worker):
    # given an import configured while no worker runs: it waits in the queue
    job = services.upload_file(
        database=shop, file=ContentFile(b"Email\na@example.com\nb@example.com\n", name="q.csv")
    )
    services.configure_import(job=job, mapping=["email"])
    queued = ImportJob.objects.get(pk=job.pk).state
    # when a worker on the broker takes it
    with celery_worker():
        deadline = time.monotonic() + 20
        while ImportJob.objects.get(pk=job.pk).state != State.FINISHED:
            assert time.monotonic() < deadline, "the worker did not finish the import in time"
            time.sleep(0.1)
    # then
    assert queued == State.QUEUED
    job.refresh_from_db()
    assert_accounted(job, 2)
    assert job.created == Profile.objects.filter(database=shop).count() == 2
