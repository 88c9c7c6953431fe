"""The one import pipeline (X1, X2): cleaned rows in, profiles created, updated or skipped in
bulk, every row's outcome logged.

A chunk of rows goes through: merge duplicate keys -> match existing profiles -> decide
create / update / skip -> uniqueness checks -> required fields, defaults, geolocation -> bulk
writes -> `import` events (record_many) -> subscriptions -> the per-row log. A chunk is one
transaction: it is written whole or not at all.

Duplicate keys: rows with the same matching value are applied in file order, each later row
overwriting the values it holds; the profile is reported on the last such row and the earlier
ones as `merged` into it (also across chunks: a later chunk takes over an earlier row's
outcome and change log).
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from history import services as history
from history.models import EventType
from history.services import EventDraft
from profiles.models import CustomField, ProfileDatabase
from profiles.services import registration_geo

from . import matching as lookup
from . import writing
from .models import ImportRow, Result

WRITTEN = (Result.CREATED, Result.UPDATED)


@dataclass
class Row:
    """One input row: its cleaned values ({column: value, "fields": {...}, "phones": [...]})
    or the errors that stop it, and, once applied, its outcome."""

    number: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, Any] = field(default_factory=dict)
    subscriptions: list[dict[str, Any]] = field(default_factory=list)
    skip_reason: str = ""
    result: str = ""
    profile_id: int | None = None
    changes: dict[str, list] = field(default_factory=dict)
    merged_into: int | None = None
    inherited: str = ""  # the outcome taken over from an earlier chunk's row
    taken_over: list[str] = field(default_factory=list)  # results of the earlier rows
    new_profile: dict[str, Any] = field(default_factory=dict)  # a created profile's columns
    key: Any = None  # its matching value, once `prepare` has read it

    def settle(self, result: str, **outcome: Any) -> None:
        self.result = result
        for name, value in outcome.items():
            setattr(self, name, value)


class ProfileIdSet:
    """A set of profile ids as a bitmap: one bit per id up to the largest, so an import of
    20 million rows keeps a few megabytes, not the gigabyte a set of ints would take (ids
    come from one sequence, so the largest stays near the number of profiles)."""

    def __init__(self) -> None:
        self._bits = bytearray()

    def update(self, ids: Iterable[int]) -> None:
        for pk in ids:
            byte = pk >> 3
            if byte >= len(self._bits):
                self._bits.extend(bytes(max(byte + 1 - len(self._bits), len(self._bits))))
            self._bits[byte] |= 1 << (pk & 7)

    def __contains__(self, pk: object) -> bool:
        if not isinstance(pk, int) or pk < 0:
            return False
        byte = pk >> 3
        return byte < len(self._bits) and bool(self._bits[byte] >> (pk & 7) & 1)


@dataclass(frozen=True)
class Plan:
    """What an import does with its rows."""

    database: ProfileDatabase
    matching: lookup.Matching
    definitions: dict[str, CustomField]
    job_id: int
    source: str
    actor_id: int | None = None
    skip_existing: bool = False
    create_new: bool = True
    detect_geo: bool = False
    subscribe: tuple[int, str] | None = None  # (resource id, channel) for every profile
    # Profiles that earlier chunks of this job created or updated: only a row meeting one of
    # them needs the earlier row's log looked up (see _take_over_earlier_rows).
    written: ProfileIdSet = field(default_factory=ProfileIdSet)


@dataclass
class Prepared:
    """A chunk decided as far as it can be before its transaction (`prepare`): what each row
    matched, what changes in the profiles met, which rows create a profile and with what
    (ids and COPY lines included), which unique values those claim."""

    serial: int  # numbers the preparations of one run
    based_on: int | None  # the preparation in flight when this one was made, if any
    rows: Sequence[Row]
    originals: list[tuple]  # each row's input, to apply it again (see `fresh_rows`)
    matched: list[Row] = field(default_factory=list)  # every row meeting a profile
    # Rows meeting a profile that no other chunk of this run writes, diffed against it as
    # read (with its row version) before the transaction: (row, old values, new values),
    # and the rows with nothing to change, with the version they were read at.
    changes: list[tuple[Row, dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    unchanged: list[tuple[Row, str | None]] = field(default_factory=list)
    deferred: list[Row] = field(default_factory=list)  # the others: decided in `write`
    creates: list[tuple[Row, dict[str, Any]]] = field(default_factory=list)
    lines: list[list] | None = None  # PostgreSQL: the creates' COPY lines
    identities: list[dict[str, Any]] | None = None  # their ids and identity columns
    claimed: dict[str, dict[Any, Row]] = field(default_factory=dict)

    def written_keys(self) -> dict[Any, int]:
        """{matching key: profile id} of the profiles this chunk will write."""
        keys = {row.key: row.profile_id for row in self.matched}
        if self.identities is not None:
            for (row, _), identity in zip(self.creates, self.identities, strict=True):
                keys[row.key] = identity["id"]
        keys.pop(None, None)
        return keys

    def fresh_rows(self) -> list[Row]:
        return [Row(*original) for original in self.originals]


def apply(plan: Plan, rows: Sequence[Row]) -> Counter:
    """Prepare and write one chunk in one transaction; return how the job's counts change.
    Should a concurrent writer take a unique value between the checks and the write, the
    chunk is retried row by row, so only the rows in conflict fail."""
    originals = _originals(rows)
    try:
        with transaction.atomic():
            writing.plan_for_bulk_work()
            write(plan, prepare(plan, rows))
    except IntegrityError:
        return _row_by_row(plan, rows, originals)
    return _written(plan, rows)


def apply_prepared(plan: Plan, prepared: Prepared) -> tuple[Counter, bool]:
    """Write a chunk prepared beforehand (`prepare`) in one transaction; return how the
    job's counts change and whether it was written as prepared (not retried row by row)."""
    try:
        with transaction.atomic():
            writing.plan_for_bulk_work()
            write(plan, prepared)
    except IntegrityError:
        return _row_by_row(plan, prepared.rows, prepared.originals), False
    return _written(plan, prepared.rows), True


def _originals(rows: Sequence[Row]) -> list[tuple]:
    return [
        (row.number, row.values, row.errors, row.subscriptions, row.skip_reason) for row in rows
    ]


def _row_by_row(plan: Plan, rows: Sequence[Row], originals: list[tuple]) -> Counter:
    if len(rows) == 1:
        rows[0].settle(Result.ERROR, errors={"row": [CONFLICT]})
        with transaction.atomic():
            writing.log_rows([_log(plan, rows[0])])
        return _counts(rows)
    counts = Counter()
    for row, original in zip(rows, originals, strict=True):
        retry = Row(*original)
        counts += apply(plan, [retry])
        _copy_outcome(retry, row)
    return counts


def _written(plan: Plan, rows: Sequence[Row]) -> Counter:
    plan.written.update(row.profile_id for row in rows if row.result in WRITTEN)
    return _counts(rows)


CONFLICT = (
    "Another profile with the same email or unique value was written at the same time; "
    "import this row again."
)


def _copy_outcome(source: Row, target: Row) -> None:
    for name in ("result", "profile_id", "errors", "changes", "merged_into", "values"):
        setattr(target, name, getattr(source, name))


def _counts(rows: Sequence[Row]) -> Counter:
    """The change of the job's counters: each row's result, less the earlier rows it took
    over (which turn into merged rows)."""
    counts = Counter(row.result for row in rows)
    for row in rows:
        for previous in row.taken_over:
            counts[previous] -= 1
            counts[Result.MERGED] += 1
    return counts


@dataclass(frozen=True)
class InFlight:
    """A prepared chunk being written: its serial and {matching key: profile id} of the
    profiles it writes (`Prepared.written_keys`)."""

    serial: int
    keys: dict[Any, int]


def prepare(
    plan: Plan, rows: Sequence[Row], in_flight: InFlight | None = None, serial: int = 0
) -> Prepared:
    """Everything about a chunk that needs no transaction: merge duplicate keys, find the
    profiles the rows match, decide which rows create one and check them, take ids and
    build the new profiles' rows. It may run ahead, on another connection, while the chunk
    before (`in_flight`, not committed yet) is written: the profiles that one writes are
    matched from its plan, since the database does not show them yet."""
    prepared = Prepared(serial, in_flight.serial if in_flight else None, rows, _originals(rows))
    for row in rows:
        if row.errors:
            row.settle(Result.ERROR)
        elif row.skip_reason:
            row.settle(Result.SKIPPED, errors={"row": [row.skip_reason]})
    pending = _merge_duplicates(plan, [row for row in rows if not row.result])
    _match(plan, pending, in_flight.keys if in_flight else {})
    prepared.matched = [row for row in pending if row.profile_id and not row.result]
    creates = _decide_new(plan, [row for row in pending if not row.profile_id and not row.result])
    prepared.claimed = _check_unique_values(plan, creates)
    _diff_ahead(plan, prepared, in_flight)
    prepared.creates = _ready_to_create(plan, [row for row in creates if not row.result])
    if prepared.creates and connection.vendor == "postgresql":
        prepared.lines, prepared.identities = writing.profile_lines(
            plan.database.pk, [values for _, values in prepared.creates]
        )
    return prepared


def _diff_ahead(plan: Plan, prepared: Prepared, in_flight: InFlight | None) -> None:
    """Decide and diff, before the transaction, the rows meeting a profile that no chunk of
    this run is writing or wrote, against the profile as read now. `write` applies a row's
    changes only if the profile's row version is still the one read, and decides again, under
    lock, the rows whose profile changed in between, as it does rows meeting a profile of
    this run (whose earlier rows they take over)."""
    flying = set(in_flight.keys.values()) if in_flight else set()
    ahead = [
        row for row in prepared.matched
        if row.profile_id not in flying and row.profile_id not in plan.written
    ]  # fmt: skip
    early = {id(row) for row in ahead}
    prepared.deferred = [row for row in prepared.matched if id(row) not in early]
    ahead = _decide_matched(plan, ahead)
    _check_unique_values(plan, ahead, prepared.claimed)
    ahead = [row for row in ahead if not row.result]
    current = writing.read_profiles({row.profile_id for row in ahead}, _columns_of(ahead))
    for row in ahead:
        old = current.get(row.profile_id)
        if old is None:  # deleted since it was matched: decided under lock
            prepared.deferred.append(row)
            continue
        new = _diff(plan, row, old)
        if new is None:
            prepared.unchanged.append((row, old.get(writing.VERSION)))
        else:
            prepared.changes.append((row, old, new))


def write(plan: Plan, prepared: Prepared) -> None:
    """The chunk's writes, in the caller's transaction: the profiles met are locked; the
    changes found ahead written where the profile is as it was read, the other rows decided
    and diffed now; the new profiles created; then events, subscriptions and the per-row
    log."""
    writing.lock_profiles({row.profile_id for row in prepared.matched})
    changed, stale = _write_ahead(plan, prepared)
    deferred = [*prepared.deferred, *stale]
    current = writing.read_profiles({row.profile_id for row in deferred}, _columns_of(deferred))
    _take_over_earlier_rows(plan, deferred)
    updates = _decide_matched(plan, deferred)
    _check_unique_values(plan, updates, prepared.claimed)
    updates = [row for row in updates if not row.result]
    created = _create(plan, prepared)
    changed += _update(plan, updates, current)
    _record_events(plan, created, changed)
    _subscribe(plan, created + changed)
    _log_rows(plan, prepared.rows)


def _write_ahead(plan: Plan, prepared: Prepared) -> tuple[list[Row], list[Row]]:
    """Write the changes found ahead to the profiles still at the version they were read
    at; return the rows written and the rows whose profile changed since (made undecided)."""
    columns = sorted({name for _, _, new in prepared.changes for name in new})
    rows = [
        {"id": old["id"], writing.VERSION: old.get(writing.VERSION),
         **{c: new.get(c, old[c]) for c in columns}}
        for _, old, new in prepared.changes
    ]  # fmt: skip
    written = writing.update_profiles(rows, columns, versions=True)
    moved = writing.changed_since({row.profile_id: version for row, version in prepared.unchanged})
    changed, stale = [], []
    for row, _, _ in prepared.changes:
        (changed if written is None or row.profile_id in written else stale).append(row)
    stale += [row for row, _ in prepared.unchanged if row.profile_id in moved]
    for row in stale:
        row.result, row.errors, row.changes = "", {}, {}
    return changed, stale


def _merge_duplicates(plan: Plan, rows: list[Row]) -> list[Row]:
    """Fold rows sharing a key into the last one, in file order; earlier ones are `merged`."""
    last: dict[Any, Row] = {}
    for row in rows:
        key = row.key = plan.matching.key(row.values)
        if key is None:
            continue
        earlier = last.get(key)
        if earlier is not None:
            row.values = _combined(earlier.values, row.values)
            row.subscriptions = earlier.subscriptions + row.subscriptions
            earlier.settle(Result.MERGED, merged_into=row.number)
        last[key] = row
    return [row for row in rows if not row.result]


def _combined(earlier: dict[str, Any], later: dict[str, Any]) -> dict[str, Any]:
    values = {**earlier, **later}
    if "fields" in earlier or "fields" in later:
        values["fields"] = {**earlier.get("fields", {}), **later.get("fields", {})}
    if "phones" in earlier and "phones" in later:
        values["phones"] = list(dict.fromkeys(later["phones"] + earlier["phones"]))
    return values


def _match(plan: Plan, rows: list[Row], in_flight: dict[Any, int]) -> None:
    """Find each row's profile: in the database, or among those the chunk in flight
    writes. A value held by several profiles cannot identify one: the row fails."""
    found = lookup.owners(plan.database, plan.matching, {row.key for row in rows} - {None})
    for row in rows:
        key = row.key
        ids = found.get(key, [])
        if key in in_flight and in_flight[key] not in ids:
            ids = [*ids, in_flight[key]]
        if len(ids) > 1:
            shown = ", ".join(map(str, sorted(ids)[:5]))
            reason = f"{len(ids)} profiles hold this value ({shown}); it cannot identify one."
            row.settle(Result.ERROR, errors={_key_name(plan): [reason]})
        elif ids:
            row.profile_id = ids[0]


def _columns_of(rows: list[Row]) -> list[str]:
    """The profile columns to read for rows meeting a profile: those they set."""
    columns = {name for row in rows for name in row.values} - {"id"}
    return sorted(columns | {"fields", "phones", "email"})


def _key_name(plan: Plan) -> str:
    return {"phone": "phones", "field": "fields"}.get(plan.matching.kind, plan.matching.kind)


def _take_over_earlier_rows(plan: Plan, rows: list[Row]) -> None:
    """A row meeting a profile an earlier chunk of this import wrote takes over that row's
    outcome (created stays created) and its change log; the earlier row becomes `merged`."""
    by_profile = {
        row.profile_id: row for row in rows if row.profile_id in plan.written and not row.result
    }
    if not by_profile:
        return
    earlier = ImportRow.objects.filter(
        job_id=plan.job_id, profile_id__any=list(by_profile), result__in=WRITTEN
    )
    taken = []
    for previous in earlier:
        row = by_profile[previous.profile_id]
        row.inherited = previous.result
        row.changes = previous.changes
        row.taken_over.append(previous.result)
        previous.result, previous.merged_into = Result.MERGED, row.number
        taken.append(previous)
    ImportRow.objects.bulk_update(taken, ["result", "merged_into"])


def _decide_matched(plan: Plan, rows: list[Row]) -> list[Row]:
    """The rows meeting a profile: the ones to update."""
    updates = []
    for row in rows:
        if plan.skip_existing and not row.inherited:
            row.settle(Result.SKIPPED, errors={"row": ["The profile exists and existing "
                       "profiles are skipped."]})  # fmt: skip
        else:
            updates.append(row)
    return updates


def _decide_new(plan: Plan, rows: list[Row]) -> list[Row]:
    """The rows meeting no profile: the ones to create."""
    creates = []
    for row in rows:
        if plan.matching.kind == "id" and row.values.get("id") is not None:
            row.settle(Result.ERROR, errors={"id": ["No profile of this database has this id."]})
        elif not plan.create_new:
            row.settle(Result.SKIPPED, errors={"row": ["No profile matches and new profiles are "
                       "not created."]})  # fmt: skip
        else:
            creates.append(row)
    return creates


def _check_unique_values(
    plan: Plan, rows: list[Row], claims: dict[str, dict[Any, Row]] | None = None
) -> dict[str, dict[Any, Row]]:
    """Refuse rows whose email or unique custom field value another profile holds, or an
    earlier row of this chunk claims for another profile (P3, P4). `claims` are the values
    earlier rows claimed, by check; return them with these rows' claims added."""
    claims = {} if claims is None else claims
    checks = [] if plan.matching.kind == "email" else [lookup.Matching("email")]
    checks += [
        lookup.Matching("field", definition)
        for definition in plan.definitions.values()
        if definition.unique and definition != plan.matching.field
    ]
    for check in checks:
        keyed = [(check.key(row.values), row) for row in rows if not row.result]
        keyed = [(key, row) for key, row in keyed if key is not None]
        holders = lookup.owners(plan.database, check, {key for key, _ in keyed})
        claimed = claims.setdefault(check.describe(), {})
        for key, row in keyed:
            if any(pk != row.profile_id for pk in holders.get(key, [])):
                row.settle(Result.ERROR, errors=_taken(check, "Another profile of this database"))
            elif key in claimed:  # rows of one key were merged: this is another profile
                row.settle(Result.ERROR, errors=_taken(check, f"Row {claimed[key].number}"))
            else:
                claimed[key] = row
    return claims


def _taken(check: lookup.Matching, holder: str) -> dict[str, Any]:
    if check.kind == "email":
        return {"email": [f"{holder} already has this email."]}
    return {"fields": {check.field.name: [f"{holder} already has this value."]}}


def _ready_to_create(plan: Plan, rows: list[Row]) -> list[tuple[Row, dict[str, Any]]]:
    """The new profiles' values: defaults, required fields, geolocation; ids on
    PostgreSQL, taken from the sequence before the write."""
    defaults = {name: d.default for name, d in plan.definitions.items() if d.default is not None}
    required = [name for name, definition in plan.definitions.items() if definition.required]
    ready = []
    for row in rows:
        fields = row.values.get("fields", {})
        if defaults:
            fields = {**defaults, **fields}
        if None in fields.values():  # from the API: a key sent empty
            fields = {name: value for name, value in fields.items() if value is not None}
        missing = [name for name in required if name not in fields]
        if missing:
            row.settle(Result.ERROR, errors={"fields": {name: ["This field is required."]
                                                        for name in missing}})  # fmt: skip
            continue
        values = {**row.values, "fields": fields}
        values.pop("id", None)
        if plan.detect_geo:
            _locate(values)
        ready.append((row, values))
    ids = writing.new_profile_ids(len(ready))
    if ids:
        for (_, values), pk in zip(ready, ids, strict=True):
            values["id"] = pk
    return ready


def _create(plan: Plan, prepared: Prepared) -> list[Row]:
    """Write the prepared new profiles; return their rows."""
    if not prepared.creates:
        return []
    if prepared.lines is not None:
        writing.copy_profile_lines(prepared.lines)
        written = prepared.identities
    else:
        written = writing.insert_profiles(
            plan.database.pk, [values for _, values in prepared.creates]
        )
    created = []
    for (row, _), profile in zip(prepared.creates, written, strict=True):
        row.result, row.profile_id, row.new_profile = Result.CREATED, profile["id"], profile
        created.append(row)
    return created


def _locate(values: dict[str, Any]) -> None:
    """G2: registration city and country from the registration IP where the row has none."""
    if values.get("registration_ip"):
        values.update({name: value for name, value in registration_geo(values).items() if value})


def _update(plan: Plan, rows: list[Row], current: dict[int, dict[str, Any]]) -> list[Row]:
    """Write the rows' values over their profiles; return the rows that changed something."""
    changed, payload, columns = [], [], set()
    for row in rows:
        old = current.get(row.profile_id)
        if old is None:
            row.settle(Result.ERROR, errors={"row": [GONE]})
            continue
        new = _diff(plan, row, old)
        if new is None:
            continue
        columns |= new.keys()
        payload.append((old, new))
        changed.append(row)
    writing.update_profiles(
        [{"id": old["id"], **{c: new.get(c, old[c]) for c in columns}} for old, new in payload],
        sorted(columns),
    )
    return changed


GONE = "The profile this row matched was deleted during the import."


def _diff(plan: Plan, row: Row, old: dict[str, Any]) -> dict[str, Any] | None:
    """The new column values of applying the row to its profile `old`, with the row's
    outcome and change log settled; None when there is nothing to change."""
    if plan.detect_geo:
        _locate(row.values)
    new, changes = _differences(old, row.values)
    if not changes:
        if row.inherited:
            row.settle(row.inherited)
        else:
            row.settle(Result.SKIPPED, errors={"row": ["Nothing to change: the profile "
                       "already holds these values."]})  # fmt: skip
        return None
    if row.inherited != Result.CREATED:
        # An earlier row of this import changed it first: undo must restore what was
        # there before the import, so that row's old values win.
        earlier = row.changes
        changes = {name: [earlier.get(name, pair)[0], pair[1]] for name, pair in changes.items()}
        row.settle(Result.UPDATED, changes={**earlier, **changes})
    else:
        row.settle(Result.CREATED)
    return new


def _differences(old: dict[str, Any], values: dict[str, Any]) -> tuple[dict, dict]:
    """(new column values, {name: [old, new]}) of applying `values` to the profile `old`.
    Custom fields merge key by key; phones are added after the ones the profile has."""
    new, changes = {}, {}
    for name, value in values.items():
        if name == "id":
            continue
        if name == "fields":  # None (from the API) clears a key
            merged = {**old["fields"], **value}
            merged = {key: item for key, item in merged.items() if item is not None}
            for key, item in value.items():
                if old["fields"].get(key) != item:
                    changes[f"fields.{key}"] = [old["fields"].get(key), item]
            if merged != old["fields"]:
                new["fields"] = merged
        elif name == "phones":
            merged = list(dict.fromkeys(old["phones"] + value))
            if merged != old["phones"]:
                new["phones"], changes["phones"] = merged, [old["phones"], merged]
        elif old[name] != value:
            new[name], changes[name] = value, [old[name], value]
    return new, changes


def _record_events(plan: Plan, created: list[Row], changed: list[Row]) -> None:
    """One `import` event per profile written (X1), `gcg_entered` for new control-group
    members (P13)."""
    now = timezone.now()
    base = {"database_id": plan.database.pk, "actor_id": plan.actor_id, "ts": now}
    data = {"source": plan.source, "import": plan.job_id}
    # Created profiles' events differ only in their profile: written in one statement.
    new_ids = [row.profile_id for row in created]
    history.record_for_each(EventDraft(EventType.IMPORT, data=data, **base), new_ids)
    drafts = [
        EventDraft(EventType.GCG_ENTERED, profile_id=row.profile_id, **base)
        for row in created
        if row.new_profile.get("in_control_group")
    ]
    for row in changed:
        described = {name: {"old": old, "new": new} for name, (old, new) in row.changes.items()}
        drafts.append(EventDraft(EventType.IMPORT, profile_id=row.profile_id,
                                 data={**data, "changes": described}, **base))  # fmt: skip
    history.record_many(drafts)


def _subscribe(plan: Plan, rows: list[Row]) -> None:
    """Subscribe on import (X1's option, X2's per-item list); a refused subscription is
    reported on its row and does not undo the profile."""
    wanted = []
    for row in rows:
        items = list(row.subscriptions)
        if plan.subscribe:
            resource, channel = plan.subscribe
            items.append({"resource": resource, "channel": channel})
        wanted += [(row, index, item) for index, item in enumerate(items)]
    if not wanted:
        return
    from subscriptions.services import SubscriptionRequest, subscribe_many

    requests = [
        SubscriptionRequest(
            profile_id=row.profile_id, resource_id=item["resource"], channel=item["channel"],
            contact=item.get("contact") or _contact_of(row, item["channel"]) or "",
            categories=item.get("categories"), fields=item.get("fields"),
        )
        for row, _, item in wanted
    ]  # fmt: skip
    outcomes = subscribe_many(requests, actor=None)
    for (row, index, _), outcome in zip(wanted, outcomes, strict=True):
        if outcome.errors:
            row.errors.setdefault("subscriptions", {})[str(index)] = outcome.errors


def _contact_of(row: Row, channel: str) -> str | None:
    if channel == "email":
        email = row.values.get("email") or row.new_profile.get("email")
        return None if email and email.endswith("@localhost") else email
    phones = row.values.get("phones") or row.new_profile.get("phones")
    return phones[0] if phones else None


def _log_rows(plan: Plan, rows: Sequence[Row]) -> None:
    """The chunk's per-row log: rows with nothing but a result and a profile (most created
    rows) as plain columns, the rest with their errors and changes."""
    plain, detailed = [], []
    for row in rows:
        if row.errors or row.changes or row.merged_into is not None:
            detailed.append(_log(plan, row))
        else:
            plain.append((row.number, row.result, row.profile_id))
    writing.log_rows(detailed)
    writing.log_plain_rows(plan.job_id, plain)


def _log(plan: Plan, row: Row) -> tuple:
    """The row's outcome in `writing.ROW_COLUMNS` order."""
    profile_id = row.profile_id if row.result != Result.ERROR else None
    return (plan.job_id, row.number, row.result, profile_id, row.errors, row.changes,
            row.merged_into)  # fmt: skip
