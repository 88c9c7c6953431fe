from contextlib import nullcontext

from django.core.management.base import BaseCommand

from subscriptions import exports
from subscriptions.models import Suppression


class Command(BaseCommand):
    help = "Export the suppression lists (S7) as CSV: channel, contact, reason, created_at."

    def add_arguments(self, parser):
        parser.add_argument("--output", default="-", help="A file path, or - for stdout.")

    def handle(self, *args, output, **options):
        target = (
            nullcontext(self.stdout)
            if output == "-"
            else open(output, "w", newline="", encoding="utf-8")  # noqa: SIM115
        )
        written = 0
        with target as stream:
            for line in exports.csv_lines(Suppression.objects.all()):
                stream.write(line)  # the stdout wrapper adds no newline: lines end with one
                written += 1
        self.stderr.write(f"Exported {written - 1} suppressed contacts.")
