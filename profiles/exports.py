"""X3: profiles as CSV or JSON, streamed in constant memory.

Profiles are read by keyset on id, CHUNK at a time (one query per chunk, each as cheap as the
first), and each chunk is written out before the next is read, so an export of millions holds
one chunk in memory. The API, the `export_profiles` command and the admin all use these.

- CSV: one row per profile; the standard columns of the profile representation, with
  registration, tracked and utm flattened (`registration_city`), then one column per custom
  field of the database, holding the text the field registry reads back (`text_value`), so the
  file can be imported again. Phones are comma-separated; empty values are empty cells.
- JSON: one array of profile representations (as `GET /api/v1/profiles/{id}/` gives them):
  "[" on the first line, then one profile per line, "]" on the last, so line-oriented tools
  can read it too.

An export is not a snapshot: a profile written while it runs may or may not be in it.
"""

from collections.abc import Iterator
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import HttpRequest

from audit.models import Action
from audit.services import record_action
from config import csv_output

from . import fields as registry
from .api.serializers import GROUPS, ProfileSerializer
from .models import CustomField, Profile, ProfileDatabase

CHUNK = 2000
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def _standard_columns() -> tuple[str, ...]:
    columns: list[str] = []
    for name in ProfileSerializer.Meta.fields:
        if name in GROUPS:
            columns += [f"{name}_{key}" for key in GROUPS[name]]
        elif name != "fields":
            columns.append(name)
    return tuple(columns)


STANDARD_COLUMNS = _standard_columns()


def profile_chunks(profiles: QuerySet[Profile]) -> Iterator[list[Profile]]:
    """The profiles in id order, CHUNK at a time (keyset pagination on id)."""
    profiles = profiles.order_by("id")
    last_id = 0
    while True:
        chunk = list(profiles.filter(id__gt=last_id)[:CHUNK])
        if chunk:
            yield chunk
        if len(chunk) < CHUNK:
            return
        last_id = chunk[-1].pk


def _representations(
    profiles: QuerySet[Profile], request: HttpRequest | None
) -> Iterator[dict[str, Any]]:
    context = {"request": request} if request is not None else {}
    for chunk in profile_chunks(profiles):
        yield from ProfileSerializer(chunk, many=True, context=context).data


def csv_lines(
    profiles: QuerySet[Profile], *, database: ProfileDatabase, request: HttpRequest | None = None
) -> Iterator[str]:
    """The header, then one CSV line per profile of `database` in `profiles`."""
    _journal(database, "csv")
    definitions = list(database.fields.all())
    header = [*STANDARD_COLUMNS, *(field.name for field in definitions)]
    rows = (_csv_row(item, definitions) for item in _representations(profiles, request))
    return csv_output.csv_lines(header, rows)


def _csv_row(representation: dict[str, Any], definitions: list[CustomField]) -> list[Any]:
    flat: dict[str, Any] = {}
    for key, value in representation.items():
        if key in GROUPS:
            flat.update({f"{key}_{part}": item for part, item in value.items()})
        else:
            flat[key] = value
    custom = representation["fields"]
    return [
        *(_cell(flat[column]) for column in STANDARD_COLUMNS),
        *(registry.text_value(field, custom.get(field.name)) for field in definitions),
    ]


def _cell(value: Any) -> Any:
    """A standard value as CSV text: "" for none, true/false, lists comma-separated."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return value


def json_lines(
    profiles: QuerySet[Profile], *, database: ProfileDatabase, request: HttpRequest | None = None
) -> Iterator[str]:
    """A JSON array of profile representations: "[", one profile per line, "]"."""
    _journal(database, "json")
    return _json_lines(profiles, request)


def _json_lines(profiles: QuerySet[Profile], request: HttpRequest | None) -> Iterator[str]:
    encode = DjangoJSONEncoder().encode
    yield "[\n"
    previous = None
    for item in _representations(profiles, request):
        if previous is not None:
            yield previous + ",\n"
        previous = encode(item)
    if previous is not None:
        yield previous + "\n"
    yield "]\n"


def _journal(database: ProfileDatabase, format: str) -> None:
    """Recorded when the export is asked for, while the request is being served: the lines
    are written later, after the view has returned (A3)."""
    record_action(action=Action.EXPORT, target=database, changes={"format": format})


FORMATS = {"csv": csv_lines, "json": json_lines}


def export_lines(
    profiles: QuerySet[Profile],
    *,
    database: ProfileDatabase,
    format: str,
    request: HttpRequest | None = None,
) -> Iterator[str]:
    """`profiles` of `database` in `format` ("csv" or "json"), line by line."""
    return FORMATS[format](profiles, database=database, request=request)
