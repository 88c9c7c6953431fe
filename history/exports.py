"""H5: history as CSV, written row by row so any period streams in constant memory."""

import csv
import json
from collections.abc import Iterator

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet

from .models import Event

COLUMNS = (
    "id", "ts", "type", "profile_id", "database_id", "channel", "resource_id",
    "subscription_id", "object_type", "object_id", "actor_id", "key", "visitor", "data",
)  # fmt: skip
CHUNK = 5000


class _Line:
    """csv.writer target that hands back each written line instead of storing it."""

    def write(self, line: str) -> str:
        return line


def csv_lines(events: QuerySet[Event]) -> Iterator[str]:
    """The header, then one CSV line per event; reads the rows in chunks (a server-side
    cursor on PostgreSQL)."""
    writer = csv.writer(_Line())
    yield writer.writerow(COLUMNS)
    for row in events.values_list(*COLUMNS).iterator(chunk_size=CHUNK):
        *columns, data = row
        columns[1] = columns[1].isoformat()
        yield writer.writerow([*columns, json.dumps(data, cls=DjangoJSONEncoder)])
