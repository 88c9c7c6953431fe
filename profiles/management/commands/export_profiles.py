from collections.abc import Iterable, Iterator

from django.core.management.base import BaseCommand, CommandError

from config.csv_output import write_lines
from config.exceptions import InvalidInput
from profiles import exports
from profiles.api.filters import matching_profiles
from profiles.models import ProfileDatabase, Status

PROGRESS_EVERY = 10_000
FRAME_LINES = {"csv": 1, "json": 2}  # the CSV header; the lines opening and closing the array


class Command(BaseCommand):
    help = (
        "Export a database's profiles (X3) as CSV (default) or JSON, with the API list's "
        "filters; progress goes to stderr."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", type=int, required=True, help="A profile database id.")
        parser.add_argument("--format", choices=sorted(exports.FORMATS), default="csv")
        parser.add_argument("--status", choices=Status.values)
        parser.add_argument("--is-test", choices=["true", "false"], dest="is_test")
        parser.add_argument("--email")
        parser.add_argument("--phone")
        parser.add_argument("--query", dest="q", help="Quick search, as the list's q (P15).")
        parser.add_argument("--output", default="-", help="A file path, or - for stdout.")

    def handle(self, *args, database, format, output, **options):
        found = ProfileDatabase.objects.filter(pk=database).first()
        if found is None:
            raise CommandError(f"No profile database has id {database}.")
        filters = {name: options[name] for name in ("status", "is_test", "email", "phone", "q")
                   if options[name] is not None}  # fmt: skip
        try:
            profiles = matching_profiles(found, filters)
        except InvalidInput as error:
            raise CommandError(f"Bad filter: {error.errors}") from None
        total = profiles.count()
        lines = exports.export_lines(profiles, database=found, format=format)
        written = write_lines(self._progress(lines, total), output=output, stdout=self.stdout)
        exported = written - FRAME_LINES[format]
        self.stderr.write(f"Exported {exported} profiles of “{found.name}” as {format}.")

    def _progress(self, lines: Iterable[str], total: int) -> Iterator[str]:
        for number, line in enumerate(lines):
            if number and number % PROGRESS_EVERY == 0:
                self.stderr.write(f"… {number} of {total} profiles")
            yield line
