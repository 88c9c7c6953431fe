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
    # Served by the unique index on (LOWER(email), database).
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT LOWER(email), id FROM {TABLE} "
            "WHERE LOWER(email) = ANY(%s) AND database_id = %s"
        )
        params = [emails, database_id]
    else:
        marks = ", ".join(["%s"] * len(emails))
        sql = (
            f"SELECT LOWER(email), id FROM {TABLE} "
            f"WHERE LOWER(email) IN ({marks}) AND database_id = %s"
        )
        params = [*emails, database_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _phone_owners(database_id: int, phones: list[str]) -> list[tuple[str, int]]:
    if connection.vendor == "postgresql":  # `?|` is served by the GIN index on phones
        sql = (
            f"SELECT phone, p.id FROM {TABLE} p, jsonb_array_elements_text(p.phones) phone "
            "WHERE p.database_id = %s AND p.phones ?| %s AND phone = ANY(%s)"
        )
        params = [database_id, phones, phones]
    else:
        marks = ", ".join(["%s"] * len(phones))
        sql = (
            f"SELECT phone.value, p.id FROM {TABLE} p, json_each(p.phones) phone "
            f"WHERE p.database_id = %s AND phone.value IN ({marks})"
        )
        params = [database_id, *phones]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _field_owners(database_id: int, name: str, keys: list[Any]) -> list[tuple[Any, int]]:
    # `name` is a validated slug (profiles.models.field_name_validator).
    if connection.vendor == "postgresql":  # the field's unique index is on (fields ->> name)
        sql = (
            f"SELECT fields ->> '{name}', id FROM {TABLE} "
            f"WHERE database_id = %s AND (fields ->> '{name}') = ANY(%s)"
        )
        params = [database_id, [str(key) for key in keys]]
    else:
        marks = ", ".join(["%s"] * len(keys))
        expression = f"json_extract(fields, '$.\"{name}\"')"
        sql = (
            f"SELECT {expression}, id FROM {TABLE} "
            f"WHERE database_id = %s AND {expression} IN ({marks})"
        )
        params = [database_id, *keys]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
