"""A file import leaves no GIN pending list behind (writing.merge_pending_index_entries): a
`field:value` or phone search reads a pending list in full, so one left by an import slowed
every search after it (issue 10, bench.scale)."""

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from imports import services, writing
from profiles.services import create_database, create_field
from tests.profiles.factories import ProfileFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def pending_pages() -> dict[str, int]:
    """Pages each GIN index of the profile table had pending (merging them as it counts)."""
    with connection.cursor() as cursor:
        cursor.execute(writing.GIN_INDEXES_SQL)
        names = sorted(name for (name,) in cursor.fetchall())
        counts = {}
        for name in names:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [name])
            counts[name] = cursor.fetchone()[0]
    return counts


def test_a_file_import_merges_the_entries_it_left_pending():
    database = create_database(name="Pending")
    create_field(database=database, name="tariff", type="line")
    lines = ["email,phone,tariff"] + [
        f"user{number}@example.com,+4420794600{number:02d},pro" for number in range(60)
    ]
    file = ContentFile("\n".join(lines).encode(), name="people.csv")
    job = services.upload_file(database=database, file=file)
    job = services.configure_import(
        job=job, mapping=["email", "phone", "fields.tariff"], enqueue=False
    )
    job = services.run_import(job_id=job.pk)
    assert job.created == 60
    # then nothing is pending in any GIN index of the table
    pending = pending_pages()
    assert {"profiles_profile_fields_gin", "profiles_profile_phones_gin"} <= pending.keys()
    assert set(pending.values()) == {0}
    # while a write outside an import still queues its entries (fastupdate is on)
    ProfileFactory(database=database, phones=["+442079460999"], fields={"tariff": "basic"})
    assert pending_pages()["profiles_profile_fields_gin"] > 0
