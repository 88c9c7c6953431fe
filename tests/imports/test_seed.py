"""`manage.py seed` (issue 10): a deterministic data set through the import and history paths."""

import io

import pytest
from django.core.management import CommandError, call_command

from history.models import Event, EventType
from imports.models import ImportJob
from profiles.models import Profile, ProfileDatabase

pytestmark = pytest.mark.django_db


def seed(name: str, profiles: int, per_profile: int) -> ProfileDatabase:
    call_command("seed", "--profiles", profiles, "--events-per-profile", per_profile,
                 "--database", name, stdout=io.StringIO(), stderr=io.StringIO())  # fmt: skip
    return ProfileDatabase.objects.get(name=name)


def snapshot(database: ProfileDatabase) -> tuple[list, list]:
    """The database's profiles and seeded events by profile rank, free of ids and times of
    the run."""
    profiles = list(
        Profile.objects.filter(database=database)
        .order_by("id")
        .values_list("email", "first_name", "phones", "birthday", "fields")
    )
    rank = {
        pk: n for n, pk in enumerate(Profile.objects.filter(database=database).order_by("id")
                                     .values_list("id", flat=True))
    }  # fmt: skip
    events = sorted(
        (rank[e.profile_id], e.type, e.channel, e.data.get("campaign"), e.ts)
        for e in Event.objects.filter(database_id=database.pk).exclude(type=EventType.IMPORT)
    )
    return profiles, events


def check_seeded(database: ProfileDatabase, profiles: int, per_profile: int) -> None:
    job = ImportJob.objects.get(database=database)
    assert (job.rows_read, job.created, job.failed) == (profiles, profiles, 0)
    assert Profile.objects.filter(database=database).count() == profiles
    events = Event.objects.filter(database_id=database.pk)
    assert events.filter(type=EventType.IMPORT).count() == profiles  # the import path's events
    assert events.exclude(type=EventType.IMPORT).count() == profiles * per_profile


def test_seed_imports_profiles_and_writes_their_events_the_same_way_each_time():
    first = seed("Seed A", 40, 3)
    second = seed("Seed B", 40, 3)
    check_seeded(first, 40, 3)
    assert snapshot(first) == snapshot(second)
    assert len({row[1] for row in snapshot(first)[1]}) > 3  # a mix of event types


def test_seed_refuses_a_database_name_in_use():
    seed("Seed", 2, 0)
    with pytest.raises(CommandError, match="exists"):
        seed("Seed", 2, 0)


@pytest.mark.postgres
def test_seed_on_postgres_writes_events_in_batches_by_sql(monkeypatch):
    from imports import seeding

    monkeypatch.setattr(seeding, "PROFILES_PER_BATCH", 7)  # several batches, a partial last one
    first = seed("Seed A", 30, 4)
    second = seed("Seed B", 30, 4)
    check_seeded(first, 30, 4)
    assert snapshot(first) == snapshot(second)
