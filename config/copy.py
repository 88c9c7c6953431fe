"""Binary COPY of plain rows into a model's table on PostgreSQL, for bulk writers (imports).

Binary COPY skips the text encoding of numbers, dates and JSON and is the fastest way in;
the caller gives values in the model's Python types (ipaddress objects for inet).
"""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial

import orjson
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import Model
from psycopg.types.json import set_json_dumps

# Django internal type -> the PostgreSQL type name COPY's binary format is written as.
COPY_TYPES = {
    "AutoField": "int4",
    "BigAutoField": "int8",
    "BigIntegerField": "int8",
    "ForeignKey": "int8",
    "IntegerField": "int4",
    "PositiveIntegerField": "int4",
    "BooleanField": "bool",
    "CharField": "text",
    "TextField": "text",
    "EmailField": "text",
    "URLField": "text",
    "FileField": "text",
    "ImageField": "text",
    "JSONField": "jsonb",
    "DateField": "date",
    "DateTimeField": "timestamptz",
    "GenericIPAddressField": "inet",
    "FloatField": "float8",
}
# orjson writes JSON about ten times faster than the json module, which matters for the
# millions of `data`, `errors` and `changes` cells of an import. Dates, times and decimals
# still go through Django's encoder, so they read the same as in rows the ORM wrote.
_dumps = partial(
    orjson.dumps,
    default=DjangoJSONEncoder().default,
    option=orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS,
)


def copy_types(model: type[Model], columns: Sequence[str]) -> list[str]:
    fields = {field.column: field for field in model._meta.concrete_fields}
    types = []
    for column in columns:
        field = fields[column]
        internal = field.get_internal_type()
        if internal == "ForeignKey":
            internal = field.target_field.get_internal_type()
        types.append(COPY_TYPES[internal])
    return types


def copy_rows(
    table: str, columns: Sequence[str], types: Sequence[str], rows: Iterable[Sequence]
) -> None:
    """COPY `rows` (tuples in `columns` order) into `table` in one stream. Errors come out as
    Django's (IntegrityError, OperationalError), as from any other query: the raw psycopg
    cursor would raise psycopg's own, which callers catching IntegrityError miss."""
    with connection.cursor() as wrapper, connection.wrap_database_errors:
        cursor = wrapper.cursor
        set_json_dumps(_dumps, context=cursor)
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
        with cursor.copy(statement) as copy:
            copy.set_types(types)
            for row in rows:
                copy.write_row(row)


def copy_model_rows(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    copy_rows(model._meta.db_table, columns, copy_types(model, columns), rows)


@contextmanager
def server_bound_cursor() -> Iterator:
    """The driver's own cursor, which binds parameters on the server, for statements with
    array parameters of a chunk's 10,000 values: Django's cursor quotes each value into the
    SQL text, which costs more than the statement. Errors come out as Django's."""
    connection.ensure_connection()
    with connection.wrap_database_errors, connection.connection.cursor() as cursor:
        yield cursor
