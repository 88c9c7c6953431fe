"""The bulk writes of an import: new profiles, changed profiles and the per-row log.

PostgreSQL: binary COPY straight into `profiles_profile` with ids taken from its sequence
beforehand (so digests are computed before the write, not patched after it), and updates as
one `UPDATE ... FROM` a COPY-filled temporary table. SQLite: Django's bulk operations.
"""

import ipaddress
from collections.abc import Iterator, Sequence
from operator import itemgetter
from typing import Any

from django.db import connection
from django.utils import timezone

from config.copy import copy_model_rows, copy_rows, copy_types
from interactions import control_group
from profiles.contacts import placeholder_email
from profiles.models import Profile
from profiles.services import profile_digests

from .models import ImportRow

PROFILE_COLUMNS = list(Profile._meta.concrete_fields)
_INET = {
    field.attname
    for field in PROFILE_COLUMNS
    if field.get_internal_type() == "GenericIPAddressField"
}
ROW_COLUMNS = ["job_id", "row", "result", "profile_id", "errors", "changes", "merged_into"]


def new_profile_ids(count: int) -> list[int] | None:
    """Ids for `count` new profiles, taken from the sequence in one statement (PostgreSQL);
    None on SQLite, where the insert assigns them."""
    if connection.vendor != "postgresql" or not count:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Profile._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def identity(profile_id: int, email: str | None) -> dict[str, Any]:
    """The columns a new profile gets from its id (P4, P13)."""
    md5, xxh = profile_digests(profile_id)
    return {
        "md5": md5,
        "xxh": xxh,
        "in_control_group": control_group.is_member(xxh),
        "email": email or placeholder_email(profile_id),
    }


def insert_profiles(database_id: int, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Insert profiles given as {column: value} (ids already set on PostgreSQL); return each
    row completed with its id and identity columns."""
    now = timezone.now()
    if connection.vendor == "postgresql":
        defaults = {field.attname: field.get_default() for field in PROFILE_COLUMNS}
        complete = [
            {**defaults, **row, **identity(row["id"], row.get("email")), "database_id": database_id,
             "created_at": now, "updated_at": now}
            for row in rows
        ]  # fmt: skip
        columns = [field.column for field in PROFILE_COLUMNS]
        names = [field.attname for field in PROFILE_COLUMNS]
        copy_model_rows(Profile, columns, _copy_values(complete, names))
        return complete
    profiles = Profile.objects.bulk_create(
        [Profile(database_id=database_id, **row) for row in rows], batch_size=500
    )
    complete = []
    for profile, row in zip(profiles, rows, strict=True):
        assigned = identity(profile.pk, row.get("email"))
        for name, value in assigned.items():
            setattr(profile, name, value)
        complete.append({**row, "id": profile.pk, **assigned})
    Profile.objects.bulk_update(
        profiles, ["md5", "xxh", "in_control_group", "email"], batch_size=500
    )
    return complete


def _copy_values(rows: Sequence[dict[str, Any]], names: list[str]) -> Iterator[tuple]:
    """Each row's values in `names` order, as COPY takes them (inet as ipaddress objects)."""
    take = itemgetter(*names)
    inet = [position for position, name in enumerate(names) if name in _INET]
    for row in rows:
        values = take(row)
        if any(values[position] is not None for position in inet):
            values = list(values)
            for position in inet:
                if values[position] is not None:
                    values[position] = ipaddress.ip_address(values[position])
        yield values


def update_profiles(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    """Set `columns` of each profile {"id": ..., column: new value, ...} in one statement."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        now = timezone.now()
        profiles = [Profile(**row, updated_at=now) for row in rows]
        Profile.objects.bulk_update(profiles, [*columns, "updated_at"], batch_size=500)
        return
    fields = {field.attname: field for field in PROFILE_COLUMNS}
    names = ["id", *columns]
    db_columns = [fields[name].column for name in names]
    definitions = ", ".join(
        f"{column} {fields[name].db_type(connection)}"
        for name, column in zip(names, db_columns, strict=True)
    )
    assignments = ", ".join(f"{column} = changed.{column}" for column in db_columns[1:])
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS import_changed")
        cursor.execute(f"CREATE TEMPORARY TABLE import_changed ({definitions}) ON COMMIT DROP")
        copy_rows("import_changed", db_columns, copy_types(Profile, db_columns),
                  _copy_values(rows, names))  # fmt: skip
        cursor.execute(
            f"UPDATE {Profile._meta.db_table} AS profile SET {assignments}, updated_at = now() "
            "FROM import_changed AS changed WHERE profile.id = changed.id"
        )


def log_rows(rows: Sequence[tuple]) -> None:
    """Write the per-row outcomes of a chunk, given as tuples in ROW_COLUMNS order (plain
    tuples, not model instances: an import logs millions of rows)."""
    if connection.vendor != "postgresql":
        logged = [ImportRow(**dict(zip(ROW_COLUMNS, row, strict=True))) for row in rows]
        ImportRow.objects.bulk_create(logged, batch_size=500)
        return
    copy_model_rows(ImportRow, ROW_COLUMNS, rows)
