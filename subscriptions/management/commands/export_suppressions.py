from django.core.management.base import BaseCommand

from config.csv_output import write_lines
from subscriptions import exports
from subscriptions.models import Suppression


class Command(BaseCommand):
    help = "Export the suppression lists (S7) as CSV: channel, contact, reason, created_at."

    def add_arguments(self, parser):
        parser.add_argument("--output", default="-", help="A file path, or - for stdout.")

    def handle(self, *args, output, **options):
        # the stdout wrapper adds no newline: each CSV line ends with one already
        lines = exports.csv_lines(Suppression.objects.all())
        written = write_lines(lines, output=output, stdout=self.stdout)
        self.stderr.write(f"Exported {written - 1} suppressed contacts.")
