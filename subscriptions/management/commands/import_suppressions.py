from django.core.management.base import BaseCommand, CommandError

from config.exceptions import InvalidInput
from subscriptions import exports


class Command(BaseCommand):
    help = (
        "Add the contacts of a CSV file to the suppression lists (S7). Header: contact, and "
        "optionally channel (default email) and reason (default imported)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A UTF-8 CSV file.")

    def handle(self, *args, file, **options):
        try:
            with open(file, encoding="utf-8-sig", newline="") as stream:
                text = stream.read()
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from None
        try:
            report = exports.import_suppressions(text)
        except InvalidInput as error:
            raise CommandError(" ".join(error.errors["file"])) from None
        for item in report.errors:
            reasons = "; ".join(
                f"{key}: {message}" for key, messages in item["errors"].items()
                for message in messages
            )  # fmt: skip
            self.stderr.write(f"Line {item['row']} ({item['contact']}): {reasons}")
        self.stdout.write(
            f"Added {report.added}, already suppressed {report.already_suppressed}, "
            f"failed {report.failed}."
        )
