"""Which existing profiles hold given identifying values: the matching step of an import and
its uniqueness checks, one query per chunk and identifier (X1, X2)."""

import json
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db import connection

from profiles.models import CustomField, Profile, ProfileDatabase

TABLE = Profile._meta.db_table
KINDS = ("email", "phone", "id")


@dataclass(frozen=True)
class Matching:
    """How rows find their profile: `email`, `phone`, `id` or a unique custom field."""

    kind: str  # "email", "phone", "id" or "field"
    field: CustomField | None = None

    def key(self, values: dict[str, Any]) -> Any:
        """The row's matching value, comparable with what `owners` returns; None if absent."""
        if self.kind == "email":
            email = values.get("email")
            return email.lower() if email else None
        if self.kind == "phone":
            phones = values.get("phones")
            return phones[0] if phones else None
        if self.kind == "id":
            return values.get("id")
        return field_key(values.get("fields", {}).get(self.field.name))

    def describe(self) -> str:
        return f"field:{self.field.name}" if self.field else self.kind


def parse_matching(text: str, database: ProfileDatabase) -> Matching:
    """A Matching from `email`, `phone`, `id` or `field:<name>`; ValueError says why not."""
    if text in KINDS:
        return Matching(text)
    name = text.removeprefix("field:")
    field = CustomField.objects.filter(database=database, name=name).first()
    if not text.startswith("field:") or field is None:
        raise ValueError(f"Use email, phone, id or field:<name> of a custom field; got {text!r}.")
    if not field.unique:
        raise ValueError(f"Field {name!r} is not unique, so it cannot identify a profile.")
    return Matching("field", field)


def field_key(value: Any) -> Any:
    """A custom field value as the lookup compares it: text on PostgreSQL (`->>`, which the
    unique index is built on), the JSON value itself on SQLite."""
    if value is None or connection.vendor != "postgresql":
        return value
    return value if isinstance(value, str) else json.dumps(value)


def owners(
    database: ProfileDatabase, matching: Matching, keys: Collection[Any]
) -> dict[Any, list[int]]:
    """{key: ids of the database's profiles holding it}; keys nobody holds are absent."""
    if not keys:
        return {}
    if matching.kind == "email":
        pairs = _email_owners(database.pk, list(keys))
    elif matching.kind == "id":
        pairs = (
            (pk, pk) for pk in database.profiles.filter(pk__any=keys).values_list("id", flat=True)
        )
    elif matching.kind == "phone":
        pairs = _phone_owners(database.pk, list(keys))
    else:
        pairs = _field_owners(database.pk, matching.field.name, list(keys))
    found: dict[Any, list[int]] = defaultdict(list)
    for key, pk in pairs:
        found[key].append(pk)
    return found


def _email_owners(database_id: int, emails: list[str]) -> list[tuple[str, int]]:
    # Served by the unique index on (LOWER(email), database): one probe per email. Written
    # `database_id + 0` to keep the planner off the (database_id, id) index: while an import
    # fills a new database, its statistics say the database is small, and scanning the whole
    # database for each chunk made a million-row import slow down as it grew.
    return _holders(database_id, "LOWER(email)", emails, database="database_id + 0")


def _phone_owners(database_id: int, phones: list[str]) -> list[tuple[str, int]]:
    if connection.vendor == "postgresql":  # `?|` is served by the GIN index on phones
        source = f"{TABLE} p, jsonb_array_elements_text(p.phones) phone"
        return _holders(
            database_id, "phone", phones, source=source, extra=("p.phones ?| %s", phones)
        )
    source = f"{TABLE} p, json_each(p.phones) phone"
    return _holders(database_id, "phone.value", phones, source=source)


def _field_owners(database_id: int, name: str, keys: list[Any]) -> list[tuple[Any, int]]:
    # `name` is a validated slug (profiles.models.field_name_validator).
    if connection.vendor == "postgresql":  # the field's unique index is on (fields ->> name)
        return _holders(database_id, f"(fields ->> '{name}')", [str(key) for key in keys])
    return _holders(database_id, f"json_extract(fields, '$.\"{name}\"')", keys)


def _holders(
    database_id: int, value: str, values: list[Any], *, source: str = TABLE, extra=None,
    database: str = "database_id",
) -> list[tuple[Any, int]]:  # fmt: skip
    """(value, profile id) of the database's profiles whose `value` expression is one of
    `values`: one array parameter on PostgreSQL, an IN list on SQLite. `extra` is a further
    (condition, parameter) for an index to serve."""
    prefix = "p." if source != TABLE else ""
    sql = f"SELECT {value}, {prefix}id FROM {source} WHERE {prefix}{database} = %s"
    params: list[Any] = [database_id]
    if extra:
        sql += f" AND {extra[0]}"
        params.append(extra[1])
    if connection.vendor == "postgresql":
        sql += f" AND {value} = ANY(%s)"
        params.append(values)
        # The driver's own cursor binds parameters on the server: Django's quotes each of a
        # chunk's 10,000 values into the SQL text, which cost more than the index probes.
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    sql += f" AND {value} IN ({', '.join(['%s'] * len(values))})"
    params += values
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
