"""Which existing profiles hold given identifying values: the matching step of an import and
its uniqueness checks, one query per chunk and identifier (X1, X2)."""

import json
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db import connection

from config.copy import server_bound_cursor
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
    if connection.vendor == "postgresql":  # the unique index on (LOWER(email), database)
        return _probes(database_id, "LOWER(email) = key.value", emails)
    return _holders(database_id, "LOWER(email)", emails)


def _phone_owners(database_id: int, phones: list[str]) -> list[tuple[str, int]]:
    if connection.vendor == "postgresql":  # the GIN index on phones
        return _probes(database_id, "phones @> jsonb_build_array(key.value)", phones)
    source = f"{TABLE} p, json_each(p.phones) phone"
    return _holders(database_id, "phone.value", phones, source=source)


def _field_owners(database_id: int, name: str, keys: list[Any]) -> list[tuple[Any, int]]:
    # `name` is a validated slug (profiles.models.field_name_validator).
    if connection.vendor == "postgresql":
        # The field's unique index is partial (WHERE database_id = N): the condition must
        # name the database, as a constant, for the planner to see that the index applies.
        condition = f"(fields ->> '{name}') = key.value AND database_id = {int(database_id)}"
        return _probes(database_id, condition, [str(key) for key in keys])
    return _holders(database_id, f"json_extract(fields, '$.\"{name}\"')", keys)


def _probes(database_id: int, condition: str, values: list[str]) -> list[tuple[str, int]]:
    """PostgreSQL: (value, profile id) of the database's profiles meeting `condition` for
    each of `values` (`key.value` in the condition), one index probe per value.

    The plan is fixed, not left to the statistics. A plain `= ANY(array)` over the table
    was read whole once it held a few hundred thousand profiles (110 ms a chunk of 10,000,
    growing with the table). And while an import fills a new database, its statistics say
    the database is empty, so a condition on `database_id` inside the probe made the planner
    walk the (database, id) index, every profile of the database written so far, for every
    value. So the probe (a subquery that OFFSET 0 keeps a nested loop, one probe per value)
    looks up the value alone, and the database is checked on the few rows it finds."""
    with server_bound_cursor() as cursor:
        cursor.execute(probe_sql(condition), [values, database_id])
        return cursor.fetchall()


def probe_sql(condition: str) -> str:
    """The statement of `_probes`: parameters the values (text[]) and the database id."""
    return (
        "SELECT key.value, profile.id FROM unnest(%s::text[]) AS key(value) "
        f"CROSS JOIN LATERAL (SELECT id, database_id FROM {TABLE} WHERE {condition} "
        "OFFSET 0) AS profile WHERE profile.database_id = %s"
    )


def _holders(
    database_id: int, value: str, values: list[Any], *, source: str = TABLE
) -> list[tuple[Any, int]]:
    """SQLite: (value, profile id) of the database's profiles whose `value` expression is
    one of `values`, as an IN list."""
    prefix = "p." if source != TABLE else ""
    sql = (
        f"SELECT {value}, {prefix}id FROM {source} WHERE {prefix}database_id = %s "
        f"AND {value} IN ({', '.join(['%s'] * len(values))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [database_id, *values])
        return cursor.fetchall()
