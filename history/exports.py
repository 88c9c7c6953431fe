"""H5: history as CSV, written row by row so any period streams in constant memory."""

import json
from collections.abc import Iterator

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet

from audit.models import Action
from audit.services import record_action
from config import csv_output

from .models import Event

COLUMNS = (
    "id", "ts", "type", "profile_id", "database_id", "channel", "resource_id",
    "subscription_id", "object_type", "object_id", "actor_id", "key", "visitor", "data",
)  # fmt: skip
CHUNK = 5000


def csv_lines(
    events: QuerySet[Event], *, profile_id: int | None = None, database_id: int | None = None
) -> Iterator[str]:
    """The header, then one CSV line per event; reads the rows in chunks (a server-side
    cursor on PostgreSQL). The export is journaled (A3) against the profile or database
    whose history it is."""
    target = (
        ("profiles.profile", profile_id)
        if profile_id
        else ("profiles.profiledatabase", database_id)
    )
    record_action(
        action=Action.EXPORT, target_type=target[0], target_id=target[1] or "",
        changes={"what": "history"},
    )  # fmt: skip
    return csv_output.csv_lines(COLUMNS, _rows(events))


def _rows(events: QuerySet[Event]) -> Iterator[list]:
    for row in events.values_list(*COLUMNS).iterator(chunk_size=CHUNK):
        *columns, data = row
        columns[1] = columns[1].isoformat()
        yield [*columns, json.dumps(data, cls=DjangoJSONEncoder)]
