"""manage.py seed --profiles N --events-per-profile M: a deterministic data set (issue 10)."""

import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from config.exceptions import InvalidInput

from ... import seeding


class Command(BaseCommand):
    help = (
        "Fill a new profile database with N generated profiles (through the file import) and "
        "M events each over the last year. The same arguments give the same data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--profiles", type=int, required=True, help="How many profiles.")
        parser.add_argument("--events-per-profile", type=int, default=0, help="Default: 0.")
        parser.add_argument("--database", default="Seed", help="Name of the new database.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed; default 1.")

    def handle(self, *args, **options):
        count, per_profile = options["profiles"], options["events_per_profile"]
        if count < 1 or per_profile < 0:
            raise CommandError("--profiles must be at least 1 and --events-per-profile >= 0.")
        started = time.monotonic()
        try:
            database = seeding.seed_database(name=options["database"])
        except InvalidInput as error:
            raise CommandError(error.errors["database"][0]) from None
        with tempfile.TemporaryDirectory() as folder:
            job = seeding.seed_profiles(
                database=database, count=count, seed=options["seed"], folder=Path(folder),
                progress=lambda job: self._line(f"profiles: {job.rows_read:,} / {count:,}"),
            )  # fmt: skip
        profiles_done = time.monotonic()
        total = count * per_profile
        events = seeding.seed_events(
            database=database, per_profile=per_profile, seed=options["seed"],
            progress=lambda written: self._line(f"events: {written:,} / {total:,}"),
        )  # fmt: skip
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # fresh statistics for what runs next
                cursor.execute("ANALYZE profiles_profile")
                cursor.execute("ANALYZE history_event")
        finished = time.monotonic()
        self.stderr.write("")
        self.stdout.write(
            f"Database {database.pk} {database.name!r}: {job.created:,} profiles in "
            f"{profiles_done - started:.1f} s (import {job.pk}), {events:,} events in "
            f"{finished - profiles_done:.1f} s."
        )

    def _line(self, text: str) -> None:
        self.stderr.write(f"\r{text}", ending="")
        self.stderr.flush()
