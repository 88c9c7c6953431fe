import sys
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from config.csv_output import write_lines
from history import exports, selectors
from history.models import EventType


def _moment(text: str) -> datetime:
    """A date (midnight, server zone) or an RFC 3339 time with its zone."""
    moment = parse_datetime(text)
    if moment is None and (day := parse_date(text)) is not None:
        moment = datetime(day.year, day.month, day.day)
    if moment is None:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD) or an RFC 3339 time.")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class Command(BaseCommand):
    help = "Export action history as CSV (H5) for one profile or a whole database and period."

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--profile", type=int, help="A profile id.")
        target.add_argument("--database", type=int, help="A profile database id.")
        parser.add_argument("--since", type=_moment, help="Start (default: 7 days ago).")
        parser.add_argument("--until", type=_moment, help="End, excluded (default: now).")
        parser.add_argument("--types", default="", help="Comma-separated event types.")
        parser.add_argument("--output", default="-", help="A file path, or - for stdout.")

    def handle(self, *args, profile, database, since, until, types, output, **options):
        since, until = selectors.default_period(since, until)
        type_list = [name.strip() for name in types.split(",") if name.strip()]
        if profile is not None:
            events = selectors.profile_history(
                profile_id=profile, types=type_list, since=since, until=until
            ).order_by("ts", "id")
        else:
            events = selectors.database_history(
                database_id=database, types=type_list, since=since, until=until
            )
        unknown = [name for name in type_list if name not in EventType.values]
        if unknown:
            raise CommandError(f"Unknown event types: {', '.join(unknown)}.")
        written = write_lines(
            exports.csv_lines(events, profile_id=profile, database_id=database),
            output=output,
            stdout=sys.stdout,
        )
        self.stderr.write(
            f"Exported {written - 1} events from {since:%Y-%m-%d %H:%M} to {until:%Y-%m-%d %H:%M}."
        )
