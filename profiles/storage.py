"""The few statements on the `fields` JSON column that the ORM cannot express, for PostgreSQL
(jsonb) and SQLite (JSON1). Field names reaching here are validated slugs
(`[a-z][a-z0-9_]*`), which is what makes it safe to put them into SQL text."""

import json
from typing import Any

from django.db import connection
from django.db.models import F, Func, JSONField

from .models import CustomField, Profile

TABLE = Profile._meta.db_table


def _key_expression(name: str) -> str:
    if connection.vendor == "postgresql":
        return f"((fields ->> '{name}'))"
    return f"(json_extract(fields, '$.\"{name}\"'))"


def create_unique_index(field: CustomField) -> None:
    """Enforce `unique` in the database: a partial expression index on the field's key,
    limited to its database. Raises IntegrityError when existing values collide."""
    if connection.vendor == "postgresql":
        # PostgreSQL refuses CREATE INDEX on a table with deferred foreign-key checks still
        # pending, as when profiles were written earlier in the same transaction: run them now.
        connection.check_constraints()
    with connection.cursor() as cursor:
        cursor.execute(
            f'CREATE UNIQUE INDEX "{field.unique_index_name}" ON {TABLE} '
            f"{_key_expression(field.name)} WHERE database_id = {int(field.database_id)}"
        )


def drop_unique_index(field: CustomField) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'DROP INDEX IF EXISTS "{field.unique_index_name}"')


def remove_values_batch(
    *, database_id: int, name: str, batch_size: int, table: str = TABLE, owner: str = "database_id"
) -> int:
    """Remove key `name` from the `fields` of up to `batch_size` rows of `table` whose `owner`
    column is `database_id` (profiles of a database by default; subscriptions of a resource
    pass table and owner); return how many rows changed."""
    if connection.vendor == "postgresql":
        sql = (
            f"UPDATE {table} SET fields = fields - %s WHERE id IN ("
            f"SELECT id FROM {table} WHERE {owner} = %s AND fields ? %s LIMIT %s)"
        )
        params = [name, database_id, name, batch_size]
    else:
        path = f'$."{name}"'
        sql = (
            f"UPDATE {table} SET fields = json_remove(fields, %s) WHERE id IN ("
            f"SELECT id FROM {table} WHERE {owner} = %s "
            f"AND json_type(fields, %s) IS NOT NULL LIMIT %s)"
        )
        params = [path, database_id, path, batch_size]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def duplicate_values(field: CustomField, limit: int = 5) -> list[str]:
    """Values of the field held by more than one profile of its database (for error messages)."""
    expression = _key_expression(field.name)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {expression} FROM {TABLE} WHERE database_id = %s AND {expression} IS NOT NULL "
            f"GROUP BY {expression} HAVING COUNT(*) > 1 LIMIT %s",
            [field.database_id, limit],
        )
        return [str(row[0]) for row in cursor.fetchall()]


class _FieldsWithValue(Func):
    """`fields` with one key set to a JSON value, or removed when the value is None."""

    output_field = JSONField()

    def __init__(self, name: str, value: Any) -> None:
        super().__init__(F("fields"))
        self.name, self.value = name, value

    def as_postgresql(self, compiler, connection):
        column, params = compiler.compile(self.source_expressions[0])
        if self.value is None:
            return f"({column} - %s)", [*params, self.name]
        return f"jsonb_set({column}, ARRAY[%s], %s::jsonb)", [
            *params, self.name, json.dumps(self.value),
        ]  # fmt: skip

    def as_sqlite(self, compiler, connection):
        column, params = compiler.compile(self.source_expressions[0])
        path = f'$."{self.name}"'
        if self.value is None:
            return f"json_remove({column}, %s)", [*params, path]
        return f"json_set({column}, %s, json(%s))", [*params, path, json.dumps(self.value)]


def fields_with_value(name: str, value: Any) -> Func:
    """For `Profile.objects.filter(...).update(fields=...)`: set one custom field's value on
    every row in one statement (the bulk update, X5); None removes the key."""
    return _FieldsWithValue(name, value)
