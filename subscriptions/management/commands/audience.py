import json
import time

from django.core.management.base import BaseCommand, CommandError

from profiles.models import ProfileDatabase
from subscriptions import selectors
from subscriptions.models import Resource


class Command(BaseCommand):
    help = (
        "Count a database's profiles by why they would or would not receive a resource's message "
        "on a channel (S3): the delivery target of every profile, resolved in one query."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", type=int, required=True, help="A profile database id.")
        parser.add_argument("--resource", type=int, required=True, help="A resource id.")
        parser.add_argument("--channel", required=True, help="One of the resource's channels.")
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="Print the counts as JSON."
        )
        parser.add_argument(
            "--transactional", action="store_true",
            help="A transactional send: the global control group is not held out (P13).",
        )  # fmt: skip

    def handle(self, *args, database, resource, channel, as_json, transactional, **options):
        database_row = ProfileDatabase.objects.filter(pk=database).first()
        if database_row is None:
            raise CommandError(f"No profile database with id {database}.")
        resource_row = Resource.objects.filter(pk=resource).first()
        if resource_row is None:
            raise CommandError(f"No resource with id {resource}.")
        if channel not in resource_row.channels:
            enabled = ", ".join(resource_row.channels) or "none"
            raise CommandError(
                f"Resource {resource_row.name!r} has no {channel!r} channel (it has: {enabled})."
            )
        started = time.perf_counter()
        counts = selectors.audience_counts(
            database=database_row, resource=resource_row, channel=channel,
            marketing=not transactional,
        )  # fmt: skip
        took = f"Query took {(time.perf_counter() - started) * 1000:.1f} ms."
        rows = sorted(counts.items(), key=lambda row: (-row[1], row[0]))
        if as_json:
            self.stdout.write(json.dumps(dict(rows)))
            self.stderr.write(took)
            return
        rows.append(("total", sum(counts.values())))
        width = max(len(reason) for reason, _ in rows)
        digits = len(str(rows[-1][1]))
        self.stdout.write(f"Audience of {database_row.name!r} for {resource_row.name!r} {channel}:")
        for reason, count in rows:
            self.stdout.write(f"  {reason:<{width}}  {count:>{digits}}")
        self.stdout.write(took)
