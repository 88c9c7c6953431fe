"""A deterministic data set for development and benchmarks (`manage.py seed`, issue 10).

Profiles go through the real file import (a generated CSV, the same pipeline as any import);
events are written on PostgreSQL by one INSERT ... SELECT per batch of profiles, the fastest
way into the partitioned history table, with PostgreSQL's random() seeded, and elsewhere
(SQLite) through `history.services.record_many`. The same arguments on the same day give the
same data: event times are spread over the 365 days before today's midnight (UTC).
"""

import csv
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone

from config.exceptions import InvalidInput
from history import services as history
from history.models import EventType
from history.services import EventDraft
from imports import services
from imports.models import ImportJob
from profiles.models import Profile, ProfileDatabase
from profiles.services import create_database, create_field

HEADER = ["Email", "First name", "Last name", "Phone", "Birthday", "Gender", "UTM source",
          "Age", "Tariff", "Interests", "Signed up"]  # fmt: skip
MAPPING = ["email", "first_name", "last_name", "phone", "birthday", "gender", "utm_source",
           "fields.age", "fields.tariff", "fields.interests", "fields.signed_up"]  # fmt: skip
FIRST = ["Ann", "Bob", "Chen", "Dana", "Emil", "Fatima", "Gleb", "Hana", "Ivan", "Jo"]
LAST = ["Lee", "Smith", "Ivanova", "Garcia", "Kim", "Novak", "Okafor", "Rossi"]
TARIFFS = ["basic", "pro", "team"]
TAGS = ["books", "music", "travel", "sport", "food", "tech"]
FIELDS = [("age", "number", []), ("tariff", "enum", TARIFFS), ("interests", "tags", []),
          ("signed_up", "date", [])]  # fmt: skip
# A message's life is the commonest history: sends, deliveries, opens, a few clicks.
EVENT_TYPES = [
    EventType.SEND, EventType.SEND, EventType.SEND, EventType.DELIVERY, EventType.DELIVERY,
    EventType.DELIVERY, EventType.OPEN, EventType.OPEN, EventType.CLICK, EventType.READ,
    EventType.ORDER, EventType.PIXEL, EventType.TRIGGER_SENT, EventType.SEGMENT_ENTERED,
]  # fmt: skip
CHANNELS = ["email", "email", "email", "email", "sms", "push", "telegram", "whatsapp"]
DAYS = 365
PROFILES_PER_BATCH = 20_000

EVENTS_SQL = """
INSERT INTO history_event (profile_id, database_id, type, channel, object_type, data, ts,
                           created_at, visitor)
SELECT profile.id, profile.database_id,
       (%(types)s::text[])[1 + floor(random() * cardinality(%(types)s::text[]))::int],
       (%(channels)s::text[])[1 + floor(random() * cardinality(%(channels)s::text[]))::int],
       '', jsonb_build_object('campaign', 'autumn-sale-' || floor(random() * 40)::int),
       moment.ts, moment.ts, ''
FROM (SELECT id, database_id FROM profiles_profile
      WHERE database_id = %(database)s AND id > %(after)s ORDER BY id LIMIT %(batch)s) AS profile
CROSS JOIN LATERAL (
    SELECT %(end)s::timestamptz - random() * %(days)s * interval '1 day' AS ts
    FROM generate_series(1, %(per_profile)s)
) AS moment
"""
LAST_OF_BATCH_SQL = """
SELECT max(id) FROM (SELECT id FROM profiles_profile
                     WHERE database_id = %(database)s AND id > %(after)s
                     ORDER BY id LIMIT %(batch)s) AS batch
"""


def write_profiles_csv(path: Path, rows: int, *, seed: int, first: int = 0) -> None:
    """The same file for the same seed: realistic cells of every kind, a phone on one row
    in ten (phonenumbers is the slowest parser), all emails distinct. Rows are numbered from
    `first`, and the number makes the email (`profile_email`), so files with ranges that do not
    overlap hold different people."""
    rng = random.Random(seed)
    start = date(2015, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADER)
        for number in range(first, first + rows):
            writer.writerow([
                profile_email(number), rng.choice(FIRST), rng.choice(LAST),
                profile_phone(number) if number % 10 == 0 else "",
                (start - timedelta(days=rng.randrange(365 * 50))).isoformat(),
                rng.choice(["female", "male", ""]), rng.choice(["google", "newsletter", ""]),
                rng.randrange(18, 90), rng.choice(TARIFFS),
                ",".join(rng.sample(TAGS, rng.randrange(0, 3))),
                (start + timedelta(days=rng.randrange(3650))).isoformat(),
            ])  # fmt: skip


def profile_email(number: int) -> str:
    return f"user{number}@example{number % 97}.com"


def profile_phone(number: int) -> str:
    """The phone of row `number` (every tenth row has one), in E.164."""
    return f"+4420{7946_0000 + number % 1_000_000:08d}"


def seed_database(*, name: str) -> ProfileDatabase:
    """A new database with the custom fields of the generated file. Refuses a name in use,
    so a seed never mixes with real data."""
    if ProfileDatabase.objects.filter(name=name).exists():
        raise InvalidInput({"database": [f"A database named {name!r} exists; seed a new one."]})
    with transaction.atomic():
        database = create_database(name=name)
        for field_name, kind, options in FIELDS:
            create_field(database=database, name=field_name, type=kind, options=options)
    return database


def seed_profiles(
    *, database: ProfileDatabase, count: int, seed: int, folder: Path,
    progress: Callable[[ImportJob], None] | None = None,
) -> ImportJob:  # fmt: skip
    """Import `count` generated profiles through the file import."""
    path = folder / "seed.csv"
    write_profiles_csv(path, count, seed=seed)
    with path.open("rb") as stream:
        job = services.upload_file(database=database, file=File(stream, name=path.name))
    job = services.configure_import(job=job, mapping=MAPPING, matching="email", enqueue=False)
    return services.run_import(job_id=job.pk, progress=progress)


def seed_events(
    *, database: ProfileDatabase, per_profile: int, seed: int,
    progress: Callable[[int], None] | None = None,
) -> int:  # fmt: skip
    """Give each profile of `database` `per_profile` events over the last year; return how
    many were written."""
    if per_profile <= 0:
        return 0
    end = datetime.combine(timezone.now().date(), time.min, tzinfo=UTC)
    write = _events_by_sql if connection.vendor == "postgresql" else _events_by_drafts
    return write(database, per_profile, seed, end, progress or (lambda written: None))


def _events_by_sql(database, per_profile, seed, end, progress) -> int:
    written, after = 0, 0
    params = {"types": [str(t) for t in EVENT_TYPES], "channels": CHANNELS, "end": end,
              "days": DAYS, "per_profile": per_profile, "database": database.pk,
              "batch": PROFILES_PER_BATCH}  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [(seed % 1000) / 1000])
        while True:
            cursor.execute(LAST_OF_BATCH_SQL, {**params, "after": after})
            last = cursor.fetchone()[0]
            if last is None:
                history.note_message_actions_of()  # H3's summary rows, for the SQL inserts
                return written
            with transaction.atomic():  # the profile subquery runs in id order: deterministic
                cursor.execute(EVENTS_SQL, {**params, "after": after})
                written += cursor.rowcount
            after = last
            progress(written)


def _events_by_drafts(database, per_profile, seed, end, progress) -> int:
    rng = random.Random(seed)
    written = 0
    ids = Profile.objects.filter(database=database).order_by("id").values_list("id", flat=True)
    batch: list[EventDraft] = []
    for profile_id in ids.iterator(chunk_size=2_000):
        for _ in range(per_profile):
            batch.append(EventDraft(
                rng.choice(EVENT_TYPES), end - timedelta(seconds=rng.randrange(DAYS * 86_400)),
                profile_id=profile_id, database_id=database.pk, channel=rng.choice(CHANNELS),
                data={"campaign": f"autumn-sale-{rng.randrange(40)}"},
            ))  # fmt: skip
        if len(batch) >= 10_000:
            written += history.record_many(batch).accepted
            batch = []
            progress(written)
    if batch:
        written += history.record_many(batch).accepted
        progress(written)
    return written
