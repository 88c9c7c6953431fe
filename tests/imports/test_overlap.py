"""A file import on PostgreSQL outside a transaction prepares each chunk on a connection of
its own while the one before is written (imports/overlap.py), and diffs rows meeting a
profile ahead, against the profile's row version (pipeline._diff_ahead). It must end exactly
as the same import applied chunk after chunk does: duplicates across chunk boundaries, a
unique value taken by the chunk in flight (its write retried row by row, the next chunk
prepared again), a profile changed by someone else between the read and the write."""

import pytest
from django.core.files.base import ContentFile
from django.db import connection, transaction

from history import services as history
from history.models import Event, EventType
from history.services import EventDraft
from imports import matching, overlap, pipeline, services, writing
from imports.models import ImportRow, Result
from profiles.models import Profile
from profiles.services import create_database, create_field, field_definitions, update_profile
from tests.profiles.factories import ProfileFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
CHUNK = 4


def people_file() -> str:
    """Rows that cross chunk boundaries of CHUNK rows: an email met again two and six rows
    later, a unique code claimed twice by different people in adjacent chunks, an update of
    an existing profile, a bad date, a blank line."""
    lines = [
        "email,first_name,code,signed_up",
        "ann@example.com,Ann,A1,2020-01-01",  # 2
        "bob@example.com,Bob,B1,2020-01-02",
        "cy@example.com,Cy,C1,2020-01-03",
        "old@example.com,Olga,,",  # 5: an existing profile
        "ann@example.com,Annie,,2021-02-02",  # 6: Ann again, next chunk
        "dee@example.com,Dee,C1,",  # 7: Cy's code, claimed by the chunk in flight
        "eve@example.com,Eve,E1,not a date",  # 8
        "",  # 9
        "ann@example.com,Anna,,",  # 10: Ann a third time, after the retried chunk
        "fay@example.com,Fay,F1,2020-01-09",
        "bob@example.com,Bobby,B2,",  # 12
        "gus@example.com,Gus,G1,2020-01-11",
    ]
    return "\n".join(lines) + "\n"


def import_into(name: str, *, overlapped: bool, monkeypatch) -> tuple:
    database = create_database(name=name)
    create_field(database=database, name="code", type="line", unique=True)
    create_field(database=database, name="signed_up", type="date")
    ProfileFactory(database=database, email="old@example.com", first_name="O", fields={})
    monkeypatch.setattr(services, "CHUNK_SIZE", CHUNK)
    monkeypatch.setattr(overlap, "can_overlap", lambda: overlapped)
    file = ContentFile(people_file().encode(), name="people.csv")
    job = services.upload_file(database=database, file=file)
    mapping = ["email", "first_name", "fields.code", "fields.signed_up"]
    job = services.configure_import(job=job, mapping=mapping, enqueue=False)
    job = services.run_import(job_id=job.pk)
    rows = [
        (row.row, row.result, row.errors, row.changes, row.merged_into)
        for row in ImportRow.objects.filter(job=job).order_by("row")
    ]
    profiles = sorted(
        (p.email, p.first_name, p.fields) for p in Profile.objects.filter(database=database)
    )
    counts = (job.rows_read, job.created, job.updated, job.skipped, job.failed, job.merged)
    return counts, rows, profiles


def test_an_overlapped_import_ends_as_a_chunk_by_chunk_one(monkeypatch):
    # when the same file is imported both ways
    serial = import_into("In turn", overlapped=False, monkeypatch=monkeypatch)
    overlapped = import_into("Overlapped", overlapped=True, monkeypatch=monkeypatch)
    # then rows, outcomes, change logs and profiles are the same
    assert overlapped == serial
    counts, rows, profiles = overlapped
    assert counts[0] == 12 == sum(counts[1:5])
    by_row = {row[0]: row for row in rows}
    assert by_row[2][1] == by_row[6][1] == Result.MERGED  # Ann: the last row wins
    # each later chunk takes the profile's outcome over: row 10 reports the creation
    assert (by_row[10][1], by_row[2][4], by_row[6][4]) == (Result.CREATED, 6, 10)
    assert by_row[7][1] == Result.ERROR  # C1 was Cy's, written by the chunk before
    assert by_row[7][2] == {"fields": {"code": ["Another profile of this database already "
                                                "has this value."]}}  # fmt: skip
    assert by_row[5][1] == Result.UPDATED and by_row[5][3] == {"first_name": ["O", "Olga"]}
    assert ("ann@example.com", "Anna", {"code": "A1", "signed_up": "2021-02-02"}) in profiles


def test_a_chunk_prepared_ahead_retries_a_profile_changed_before_its_write():
    # given a chunk prepared while nobody wrote the profile yet
    database = create_database(name="Raced")
    for name in ("a", "b"):
        create_field(database=database, name=name, type="number")
    definitions = field_definitions(database)
    profile = ProfileFactory(database=database, email="ann@example.com", first_name="Ann",
                             fields={"a": 1})  # fmt: skip
    plan = pipeline.Plan(database=database, matching=matching.Matching("email"),
                         definitions=definitions, job_id=0, source="api")  # fmt: skip
    row = pipeline.Row(2, {"email": "ann@example.com", "first_name": "Annie"})
    prepared = pipeline.prepare(plan, [row])
    assert [changed for changed, _, _ in prepared.changes] == [row]
    # when someone renames her and sets another field before the chunk is written
    update_profile(profile=profile, values={"first_name": "Anne", "fields": {"b": 2}})
    counts, clean = pipeline.apply_prepared(plan, prepared)
    # then the row is decided again on what she holds now: her new name is what it replaced,
    # and the other writer's field is kept
    profile.refresh_from_db()
    assert (clean, counts[Result.UPDATED]) == (True, 1)
    assert row.changes == {"first_name": ["Anne", "Annie"]}
    assert (profile.first_name, profile.fields) == ("Annie", {"a": 1, "b": 2})


def test_row_versions_tell_which_profiles_changed_since_they_were_read():
    first, second = ProfileFactory(first_name="A"), ProfileFactory(first_name="B")
    read = writing.read_profiles([first.pk, second.pk], ["first_name"])
    versions = {pk: values[writing.VERSION] for pk, values in read.items()}
    update_profile(profile=second, values={"first_name": "Bee"})
    assert writing.changed_since(versions) == {second.pk}
    rows = [{"id": pk, writing.VERSION: versions[pk], "first_name": "Z"} for pk in versions]
    with transaction.atomic():  # its temporary table lasts for the transaction
        assert writing.update_profiles(rows, ["first_name"], versions=True) == {first.pk}
    assert Profile.objects.get(pk=second.pk).first_name == "Bee"
    gone = second.pk
    Profile.objects.filter(pk=gone).delete()
    # the written one changed too; the deleted one counts as changed
    assert writing.changed_since(versions) == {first.pk, gone}


def test_one_event_for_each_profile_is_written_in_one_statement():
    profiles = ProfileFactory.create_batch(3)
    draft = EventDraft(EventType.IMPORT, history_now(), database_id=profiles[0].database_id,
                       data={"source": "file", "import": 7})  # fmt: skip
    result = history.record_for_each(draft, [p.pk for p in profiles])
    assert result.accepted == 3
    events = Event.objects.filter(type=EventType.IMPORT, data__import=7).order_by("profile_id")
    assert [(e.profile_id, e.data) for e in events] == [
        (p.pk, {"source": "file", "import": 7}) for p in profiles
    ]
    with pytest.raises(ValueError):
        history.record_for_each(EventDraft(EventType.IMPORT, history_now(), key="k"), [1, 2])


def history_now():
    from django.utils import timezone

    return timezone.now()


def test_the_import_probe_reads_one_index_entry_a_value_whatever_the_statistics():
    # given a database the statistics do not know yet, in a table of others
    others = create_database(name="Others")
    ProfileFactory.create_batch(300, database=others)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE profiles_profile")
    database = create_database(name="New")
    ProfileFactory.create_batch(50, database=database)
    emails = [f"nobody{n}@example.com" for n in range(2_000)]
    # when the probe's plan is asked for
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        sql = matching.probe_sql("LOWER(email) = key.value")
        cursor.execute(f"EXPLAIN {sql}", [emails, database.pk])
        plan = "\n".join(line for (line,) in cursor.fetchall())
    # then each value is looked up in the email index, never by reading the table or the
    # database's profiles
    assert "profiles_profile_email_ci_uniq" in plan
    assert "Seq Scan on profiles_profile" not in plan
    assert "profiles_profile_db_id" not in plan


def test_a_profile_the_chunk_in_flight_creates_is_matched_from_its_plan(monkeypatch):
    # given a file whose second chunk meets the people its first chunk creates
    retried = []
    row_by_row = pipeline._row_by_row
    monkeypatch.setattr(pipeline, "_row_by_row", lambda *a: retried.append(a) or row_by_row(*a))
    monkeypatch.setattr(services, "CHUNK_SIZE", 2)
    database = create_database(name="Met again")
    lines = ["email,first_name", "a@example.com,A", "b@example.com,B", "a@example.com,Ay",
             "b@example.com,Bee"]  # fmt: skip
    job = services.upload_file(
        database=database, file=ContentFile("\n".join(lines).encode(), name="again.csv")
    )
    job = services.configure_import(job=job, mapping=["email", "first_name"], enqueue=False)
    # when it is imported with the second chunk prepared while the first is written
    assert overlap.can_overlap()
    job = services.run_import(job_id=job.pk)
    # then the second chunk found them in the first one's plan: no write failed and was
    # retried, and each person is one profile with the later name
    assert retried == []
    assert (job.created, job.merged, job.rows_read) == (2, 2, 4)
    names = Profile.objects.filter(database=database).values_list("first_name", flat=True)
    assert sorted(names) == ["Ay", "Bee"]
