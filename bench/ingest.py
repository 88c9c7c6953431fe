"""Ingest rate: `record_many` and `POST /api/v1/events/` against PostgreSQL `COPY` of the same
rows into a bare table, measured in the same run (OPERATIONS.md "Benchmarks")."""

import json
import random
import statistics
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial

from django.db import connection, transaction
from django.test import Client

from history import services
from history.services import EventDraft

from .report import Figure

BASELINE_TABLE = "bench_copy_baseline"
RECORD_BATCHES = (1_000, 10_000)
API_BATCH = 1_000
REPEATS = 3
PERIOD = timedelta(days=60)
TARGET = 0.30  # record_many at least 30% of the COPY rate (the issue)
TYPES = ("send", "delivery", "open", "click", "read", "order", "pixel")
CHANNELS = ("email", "email", "email", "sms", "push")
COPY_CHUNK = 1 << 20


@dataclass(frozen=True)
class Method:
    """One way of writing the rows; `write` is what the clock times."""

    name: str
    keyed: bool
    table: str
    write: Callable[[], None]
    is_baseline: bool = False
    target: float | None = None


def make_drafts(
    *, count: int, profiles: Sequence[tuple[int, int]], keyed: bool, now: datetime
) -> list[EventDraft]:
    """The same `count` events on every run: ~120 bytes of data each, `ts` spread over the
    last 60 days, a random UUID key on each when `keyed`."""
    rng = random.Random(count)
    drafts = []
    for number in range(count):
        profile_id, database_id = rng.choice(profiles)
        drafts.append(
            EventDraft(
                type=rng.choice(TYPES),
                ts=now - PERIOD * rng.random(),
                profile_id=profile_id,
                database_id=database_id,
                channel=rng.choice(CHANNELS),
                resource_id=rng.randint(1, 500),
                data=_data(number, rng),
                key=str(uuid.UUID(int=rng.getrandbits(128))),
            )  # fmt: skip
        )
    # Keys are drawn either way, so the rows with and without keys are otherwise the same.
    return drafts if keyed else [replace(draft, key=None) for draft in drafts]


def _data(number: int, rng: random.Random) -> dict:
    return {
        "message_id": 10**8 + number,
        "campaign": f"autumn-sale-{number % 40}",
        "subject": "Your basket is waiting for you",
        "link": f"https://shop.example.com/p/{rng.randrange(10_000)}",
    }


def copy_text(drafts: Sequence[EventDraft], now: datetime) -> bytes:
    """The drafts as COPY text in `services.COPY_COLUMNS` order, encoded before the clock
    starts so the baseline is PostgreSQL's own COPY speed."""
    lines = []
    for draft in drafts:
        values = (
            draft.profile_id, draft.database_id, draft.type, draft.channel, draft.resource_id,
            draft.subscription_id, draft.object_type, draft.object_id, draft.actor_id,
            json.dumps(draft.data), draft.ts.isoformat(), now.isoformat(), draft.key,
            draft.visitor,
        )  # fmt: skip
        lines.append("\t".join(_copy_field(value) for value in values) + "\n")
    return "".join(lines).encode()


def _copy_field(value) -> str:
    if value is None:
        return r"\N"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def create_baseline_table() -> None:
    """A plain table with history_event's columns and identity, and no index or partition."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {BASELINE_TABLE} (LIKE history_event INCLUDING DEFAULTS "
            "INCLUDING IDENTITY)"
        )


def copy_into(table: str, text: bytes) -> None:
    """COPY the encoded rows into `table` in one statement and one transaction."""
    columns = ", ".join(services.COPY_COLUMNS)
    view = memoryview(text)
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for start in range(0, len(view), COPY_CHUNK):
            copy.write(view[start : start + COPY_CHUNK])


def record_in_batches(drafts: Sequence[EventDraft], size: int) -> None:
    for start in range(0, len(drafts), size):
        services.record_many(drafts[start : start + size])


def api_bodies(drafts: Sequence[EventDraft]) -> list[bytes]:
    """The drafts as POST /api/v1/events/ bodies of 1,000 events, encoded in advance."""
    events = [_api_event(draft) for draft in drafts]
    return [
        json.dumps({"events": events[start : start + API_BATCH]}).encode()
        for start in range(0, len(events), API_BATCH)
    ]


def _api_event(draft: EventDraft) -> dict:
    event = {
        "profile": draft.profile_id, "type": draft.type, "ts": draft.ts.isoformat(),
        "channel": draft.channel, "resource": draft.resource_id, "data": draft.data,
    }  # fmt: skip
    if draft.key is not None:
        event["key"] = draft.key
    return event


def post_batches(client: Client, bodies: Sequence[bytes]) -> None:
    for body in bodies:
        response = client.post("/api/v1/events/", body, content_type="application/json")
        if response.status_code != 202 or response.json()["errors"]:
            raise RuntimeError(f"POST /api/v1/events/ answered {response.content[:500]!r}")


def methods(*, rows: dict[bool, list[EventDraft]], client: Client, now: datetime) -> list[Method]:
    """Every measured way of writing, for rows without keys and with a key on each."""
    found = []
    for keyed, drafts in rows.items():
        text = copy_text(drafts, now)
        bare = partial(copy_into, BASELINE_TABLE, text)
        found.append(
            Method("COPY into a bare table", keyed, BASELINE_TABLE, bare, is_baseline=True)
        )
        # The schema's share of the cost: the same COPY into the partitions and their indexes.
        schema = partial(copy_into, "history_event", text)
        found.append(Method("COPY into history_event", keyed, "history_event", schema))
        for size in RECORD_BATCHES:
            record = partial(record_in_batches, drafts, size)
            name = f"record_many, {size:,} per call"
            found.append(Method(name, keyed, "history_event", record, target=TARGET))
        post = partial(post_batches, client, api_bodies(drafts))
        name = f"POST /api/v1/events/, {API_BATCH:,} per request"
        found.append(Method(name, keyed, "history_event", post))
    return found


def measure(found: Sequence[Method], count: int) -> dict[Method, list[float]]:
    """Seconds per run of each method, `REPEATS` runs each, interleaved so that drift on the
    machine touches every method alike; the tables are emptied before each run."""
    seconds: dict[Method, list[float]] = {method: [] for method in found}
    for _ in range(REPEATS):
        for method in found:
            _empty_tables()
            started = time.perf_counter()
            method.write()
            seconds[method].append(time.perf_counter() - started)
            _check_rows(method.table, count)
    _empty_tables()
    return seconds


def _empty_tables() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE history_event, history_eventkey, {BASELINE_TABLE}")


def _check_rows(table: str, count: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        stored = cursor.fetchone()[0]
    if stored != count:
        raise RuntimeError(f"{table} holds {stored} rows after a run, not {count}.")


def figures(seconds: dict[Method, list[float]], count: int) -> list[Figure]:
    """Rows per second (median run) of each method, as a ratio to COPY of the same rows."""
    rate = {method: count / statistics.median(runs) for method, runs in seconds.items()}
    baseline = {method.keyed: rate[method] for method in rate if method.is_baseline}
    lines = []
    for method, value in rate.items():
        name = f"ingest, {'keyed' if method.keyed else 'no keys'}: {method.name}"
        if method.is_baseline:
            lines.append(Figure(name, "rows/s", value))
            continue
        passed = None if method.target is None else value / baseline[method.keyed] >= method.target
        target = "" if method.target is None else f"≥ {method.target:.2f}"
        lines.append(Figure(name, "rows/s", value, baseline[method.keyed], target, passed))
    return lines
