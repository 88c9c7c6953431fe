"""The bulk writes of an import: new profiles, changed profiles and the per-row log.

PostgreSQL: binary COPY straight into `profiles_profile` with ids taken from its sequence
beforehand (so digests are computed before the write, not patched after it), and updates as
one `UPDATE ... FROM` a COPY-filled temporary table. SQLite: Django's bulk operations.
"""

import ipaddress
import logging
from collections.abc import Iterable, Iterator, Sequence
from operator import itemgetter
from typing import Any

import orjson
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from config.copy import copy_model_rows, copy_rows, copy_types, server_bound_cursor
from interactions import control_group
from profiles.contacts import placeholder_email
from profiles.models import Profile
from profiles.services import profile_digests

from .models import ImportRow

logger = logging.getLogger(__name__)

PROFILE_COLUMNS = list(Profile._meta.concrete_fields)
_INET = {
    field.attname
    for field in PROFILE_COLUMNS
    if field.get_internal_type() == "GenericIPAddressField"
}
ROW_COLUMNS = ["job_id", "row", "result", "profile_id", "errors", "changes", "merged_into"]


def plan_for_bulk_work() -> None:
    """PostgreSQL: no JIT compilation for the rest of this transaction. The chunk's probes
    and writes handle 10,000 rows each, so their estimated cost crosses the JIT thresholds,
    and once the table held a few hundred thousand profiles, LLVM's optimisation of a probe
    took 130 ms, longer than the 10,000 index probes it compiled."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


# The profile table's GIN indexes (custom fields, the days of date-times, phones), by name.
GIN_INDEXES_SQL = """
SELECT index.relname FROM pg_index
JOIN pg_class AS index ON index.oid = pg_index.indexrelid
JOIN pg_am ON pg_am.oid = index.relam
WHERE pg_index.indrelid = 'profiles_profile'::regclass AND pg_am.amname = 'gin'
"""


def merge_pending_index_entries() -> None:
    """PostgreSQL, after a file import: the GIN indexes' pending lists merged into them.

    GIN (fastupdate) queues new entries in a list that every search through the index reads
    in full until the list reaches gin_pending_list_limit (4 MB) or a vacuum merges it; after
    100,000 imported profiles a `field:value` search read 500 pending pages, 15-40 ms instead
    of 0.1 (issue 10). Merging costs about 50 ms an index. Needs the table's owner, as
    migrations are run; without it the lists wait for autovacuum, as before."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(GIN_INDEXES_SQL)
        names = [name for (name,) in cursor.fetchall()]
        for name in names:
            try:
                with transaction.atomic():
                    cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [name])
            except DatabaseError as error:
                logger.warning("GIN pending list of %s not merged: %s", name, error)
                return


def new_profile_ids(count: int) -> list[int] | None:
    """Ids for `count` new profiles, taken from the sequence in one statement (PostgreSQL);
    None on SQLite, where the insert assigns them."""
    if connection.vendor != "postgresql" or not count:
        return None
    with connection.cursor() as cursor:
        # The sequence named as a regclass constant: pg_get_serial_sequence() in the select
        # list was looked up again for every id (3 us each, 30 ms a chunk).
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [Profile._meta.db_table])
        sequence = cursor.fetchone()[0]
        cursor.execute(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count]
        )
        return [row[0] for row in cursor.fetchall()]


def identity(profile_id: int, email: str | None) -> dict[str, Any]:
    """The columns a new profile gets from its id (P4, P13), in this order."""
    md5, xxh = profile_digests(profile_id)
    return {
        "md5": md5,
        "xxh": xxh,
        "in_control_group": control_group.is_member(xxh),
        "email": email or placeholder_email(profile_id),
    }


def insert_profiles(database_id: int, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Insert profiles given as {column: value} (ids already set on PostgreSQL); return, for
    each, its id and identity columns."""
    if connection.vendor == "postgresql":
        lines, written = profile_lines(database_id, rows)
        copy_profile_lines(lines)
        return written
    profiles = Profile.objects.bulk_create(
        [Profile(database_id=database_id, **row) for row in rows], batch_size=500
    )
    complete = []
    for profile, row in zip(profiles, rows, strict=True):
        assigned = identity(profile.pk, row.get("email"))
        for name, value in assigned.items():
            setattr(profile, name, value)
        complete.append({"id": profile.pk, **assigned})
    Profile.objects.bulk_update(
        profiles, ["md5", "xxh", "in_control_group", "email"], batch_size=500
    )
    return complete


def profile_lines(
    database_id: int, rows: Sequence[dict[str, Any]]
) -> tuple[list[list], list[dict[str, Any]]]:
    """PostgreSQL: the COPY lines of new profiles given as {column: value} with their ids,
    and each one's id and identity columns. No query: it may run ahead of the write."""
    # Each line starts as a copy of one list of every column's default, and only the row's
    # own values are put in: a profile has 37 columns, most of them defaults in an import
    # (a dict of every column per row cost twice as much).
    now = timezone.now()
    names = [field.attname for field in PROFILE_COLUMNS]
    position = {name: index for index, name in enumerate(names)}
    template = [field.get_default() for field in PROFILE_COLUMNS]
    for name, value in (("database_id", database_id), ("created_at", now), ("updated_at", now)):
        template[position[name]] = value
    inet = [position[name] for name in _INET]
    assigned_at = [position[name] for name in ("md5", "xxh", "in_control_group", "email")]
    lines, written = [], []
    for row in rows:
        line = template.copy()
        for name, value in row.items():
            line[position[name]] = value
        assigned = identity(row["id"], row.get("email"))
        for index, value in zip(assigned_at, assigned.values(), strict=True):
            line[index] = value
        for index in inet:
            if line[index] is not None:
                line[index] = ipaddress.ip_address(line[index])
        lines.append(line)
        written.append({"id": row["id"], **assigned})
    return lines, written


def copy_profile_lines(lines: Iterable[Sequence]) -> None:
    copy_model_rows(Profile, [field.column for field in PROFILE_COLUMNS], lines)


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


def lock_profiles(ids: Iterable[int]) -> None:
    """Lock the profiles FOR NO KEY UPDATE (foreign keys to them stay free) until the
    transaction ends, in id order, so that parallel imports queue rather than deadlock."""
    ids = sorted(ids)
    if not ids:
        return
    if connection.vendor != "postgresql":  # SQLite locks the whole database on a write
        return
    with server_bound_cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {Profile._meta.db_table} WHERE id = ANY(%s) ORDER BY id "
            "FOR NO KEY UPDATE",
            [ids],
        )


VERSION = "_version"  # the key of a profile's row version in what read_profiles returns


def read_profiles(ids: Iterable[int], columns: Sequence[str]) -> dict[int, dict[str, Any]]:
    """{id: {"id": id, column: value, ...}} of the profiles that exist. On PostgreSQL each
    also holds its row version (VERSION: xmin, which every update of the row changes), to
    write values derived from it only if it is unchanged by then (`update_profiles`).
    Plain tuples, orjson for the JSON columns: the ORM's values() took 15 us a profile."""
    ids = list(ids)
    if not ids:
        return {}
    if connection.vendor != "postgresql":
        found = Profile.objects.filter(pk__in=ids).values("id", *columns)
        return {values["id"]: values for values in found}
    fields = {field.attname: field for field in PROFILE_COLUMNS}
    json_at = [
        index for index, name in enumerate(columns, 2)
        if fields[name].get_internal_type() == "JSONField"
    ]  # fmt: skip
    names = ["id", VERSION, *columns]
    sql = (
        f"SELECT id, xmin::text, {', '.join(fields[name].column for name in columns)} "
        f"FROM {Profile._meta.db_table} WHERE id = ANY(%s)"
    )
    loads = orjson.loads
    found = {}
    with server_bound_cursor() as cursor:
        cursor.execute(sql, [ids])
        for values in cursor.fetchall():
            values = list(values)
            for index in json_at:
                values[index] = loads(values[index])
            found[values[0]] = dict(zip(names, values, strict=True))
    return found


def changed_since(versions: dict[int, str | None]) -> set[int]:
    """The profiles of {id: version read} whose row changed since it was read, or is gone
    (PostgreSQL; SQLite reads and writes in one transaction: none)."""
    if not versions or connection.vendor != "postgresql":
        return set()
    with server_bound_cursor() as cursor:
        cursor.execute(
            f"SELECT read.id FROM unnest(%s::bigint[], %s::text[]) AS read(id, version) "
            f"LEFT JOIN {Profile._meta.db_table} AS profile ON profile.id = read.id "
            "WHERE profile.id IS NULL OR profile.xmin <> read.version::xid",
            [list(versions), list(versions.values())],
        )
        return {row[0] for row in cursor.fetchall()}


def update_profiles(
    rows: Sequence[dict[str, Any]], columns: Sequence[str], *, versions: bool = False
) -> set[int] | None:
    """Set `columns` of each profile {"id": ..., column: new value, ...} in one statement.
    With `versions`, each row also holds the version its values were derived from (VERSION)
    and is written only if the profile still has it: return the ids written (PostgreSQL;
    elsewhere every row is written and None returned)."""
    if not rows:
        return set() if versions and connection.vendor == "postgresql" else None
    if connection.vendor != "postgresql":
        now = timezone.now()
        names = ("id", *columns)
        profiles = [Profile(**{c: row[c] for c in names}, updated_at=now) for row in rows]
        Profile.objects.bulk_update(profiles, [*columns, "updated_at"], batch_size=500)
        return None
    fields = {field.attname: field for field in PROFILE_COLUMNS}
    names = ["id", *columns]
    db_columns = [fields[name].column for name in names]
    definitions = ", ".join(
        f"{column} {fields[name].db_type(connection)}"
        for name, column in zip(names, db_columns, strict=True)
    )
    types = copy_types(Profile, db_columns)
    assignments = ", ".join(f"{column} = changed.{column}" for column in db_columns[1:])
    condition = "profile.id = changed.id"
    if versions:
        definitions += ", version text"
        names, db_columns, types = [*names, VERSION], [*db_columns, "version"], [*types, "text"]
        condition += " AND profile.xmin = changed.version::xid"
    rows = sorted(rows, key=itemgetter("id"))  # rows locked in id order, as lock_profiles
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS import_changed")
        cursor.execute(f"CREATE TEMPORARY TABLE import_changed ({definitions}) ON COMMIT DROP")
        copy_rows("import_changed", db_columns, types, _copy_values(rows, names))
        cursor.execute(
            f"UPDATE {Profile._meta.db_table} AS profile SET {assignments}, updated_at = now() "
            f"FROM import_changed AS changed WHERE {condition} RETURNING profile.id"
        )
        return {row[0] for row in cursor.fetchall()} if versions else None


def log_rows(rows: Sequence[tuple]) -> None:
    """Write the per-row outcomes of a chunk, given as tuples in ROW_COLUMNS order (plain
    tuples, not model instances: an import logs millions of rows)."""
    if connection.vendor != "postgresql":
        logged = [ImportRow(**dict(zip(ROW_COLUMNS, row, strict=True))) for row in rows]
        ImportRow.objects.bulk_create(logged, batch_size=500)
        return
    copy_model_rows(ImportRow, ROW_COLUMNS, rows)


def log_plain_rows(job_id: int, rows: Sequence[tuple[int, str, int | None]]) -> None:
    """Write the outcomes of rows that carry no errors, changes or merge, given as (row,
    result, profile id): most created rows. On PostgreSQL one INSERT ... SELECT over three
    arrays, with no JSON encoded per row as COPY takes."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        log_rows([(job_id, number, result, pk, {}, {}, None) for number, result, pk in rows])
        return
    numbers, results, profile_ids = (list(column) for column in zip(*rows, strict=True))
    with server_bound_cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ImportRow._meta.db_table} "
            "(job_id, row, result, profile_id, errors, changes) "
            "SELECT %s, unnest(%s::int[]), unnest(%s::text[]), unnest(%s::bigint[]), '{}', '{}'",
            [job_id, numbers, results, profile_ids],
        )
