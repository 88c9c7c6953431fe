"""History API latency for a profile with 100,000 events in a table of 10 million, against a
bare `SELECT ... ORDER BY ts DESC, id DESC LIMIT 50` of the same profile timed the same way."""

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.db import connection
from django.test import Client

from history.services import note_message_actions_of
from imports import seeding

from .report import Figure, percentiles

DAYS = seeding.DAYS
RECENT_DAYS = 7
BACKGROUND_PROFILES = 200_000
# Other profiles' ids start here, clear of the real profiles: events carry no foreign key.
BACKGROUND_OFFSET = 10_000_000
# The same mix of event types and channels as `manage.py seed` writes.
TYPES = [str(event_type) for event_type in seeding.EVENT_TYPES]
CHANNELS = seeding.CHANNELS
TARGET_MS = 20.0  # history page p95 database time (the issue)
WARM_UP = 10
DEEP_PAGES = 4  # pages 2-5, by the `next` cursor
PLAN_LINES = 60

FILL_SQL = """
INSERT INTO history_event (profile_id, database_id, type, channel, resource_id, object_type,
                           data, ts, created_at, visitor)
SELECT profile_id, database_id,
       (%(types)s::text[])[1 + floor(random() * cardinality(%(types)s::text[]))::int],
       (%(channels)s::text[])[1 + floor(random() * cardinality(%(channels)s::text[]))::int],
       1 + floor(random() * 500)::int, '',
       jsonb_build_object(
           'message_id', floor(random() * 1e9)::bigint,
           'campaign', 'autumn-sale-' || floor(random() * 40)::int,
           'subject', 'Your basket is waiting for you',
           'link', 'https://shop.example.com/p/' || floor(random() * 10000)::int),
       ts, ts, ''
FROM (
    SELECT %(offset)s + floor(random() * %(profiles)s)::bigint AS profile_id,
           %(database)s + 1 + floor(random() * 8)::bigint AS database_id,
           %(day_end)s::timestamptz - random() * interval '1 day' AS ts
    FROM generate_series(1, %(background)s)
    UNION ALL
    SELECT %(hot)s, %(database)s, %(day_end)s::timestamptz - random() * interval '1 day'
    FROM generate_series(1, %(hot_count)s)
) AS owners
ORDER BY ts
"""
BARE_SQL = "SELECT * FROM history_event WHERE profile_id = %s ORDER BY ts DESC, id DESC LIMIT 50"
SIZE_SQL = """
SELECT sum(pg_table_size(relid))::bigint, sum(pg_indexes_size(relid))::bigint
FROM pg_partition_tree('history_event') WHERE isleaf
"""


def spread(total: int, days: int) -> list[int]:
    """`total` split over `days` as evenly as whole numbers allow."""
    base, extra = divmod(total, days)
    return [base + (day < extra) for day in range(days)]


def fill(*, total: int, profile_id: int, database_id: int, now: datetime) -> dict:
    """Fill history_event with `total` events over the last 365 days in time order, as they
    arrive in production: 200,000 other profiles, and `profile_id` with a tenth (at most
    100,000), a twentieth of those in the last 7 days. Then VACUUM ANALYZE, so neither
    autovacuum nor missing statistics disturb the timings. Returns the build's figures."""
    hot = min(100_000, total // 10)
    recent = hot // 20
    hot_days = spread(recent, RECENT_DAYS) + spread(hot - recent, DAYS - RECENT_DAYS)
    background = spread(total - hot, DAYS)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for day in reversed(range(DAYS)):
            cursor.execute(
                FILL_SQL,
                {
                    "types": TYPES, "channels": CHANNELS, "offset": BACKGROUND_OFFSET,
                    "profiles": BACKGROUND_PROFILES, "database": database_id,
                    "day_end": now - timedelta(days=day), "background": background[day],
                    "hot": profile_id, "hot_count": hot_days[day],
                },
            )  # fmt: skip
        filled = time.perf_counter()
        # H3's summary rows of the measured profile, as record_many would have written them
        # (the background profiles' summaries are never read here).
        note_message_actions_of(profile_ids=[profile_id])
        cursor.execute("VACUUM (ANALYZE) history_event")
        vacuumed = time.perf_counter()
        cursor.execute(SIZE_SQL)
        table_bytes, index_bytes = cursor.fetchone()
    return {
        "rows": total, "profile_rows": hot, "profile_rows_last_7_days": recent,
        "fill_seconds": filled - started, "vacuum_analyze_seconds": vacuumed - filled,
        "table_bytes": table_bytes, "index_bytes": index_bytes,
    }  # fmt: skip


class HttpsClient(Client):
    """A test client whose requests arrive over HTTPS, as behind TLS in production: the
    benchmark runs with production settings, which redirect plain HTTP."""

    def generic(self, *args, secure: bool = True, **kwargs):
        return super().generic(*args, secure=True, **kwargs)


def https_client(**kwargs) -> Client:
    return HttpsClient(SERVER_NAME="localhost", **kwargs)


@dataclass
class QueryClock:
    """An execute_wrapper that adds up the time of every query: the database time of a
    request, round trips and result transfer included. Keeps the slowest query on
    history_event for EXPLAIN."""

    seconds: float = 0.0
    count: int = 0
    slowest: tuple[float, str, object] = (0.0, "", None)

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            self.seconds += elapsed
            self.count += 1
            if elapsed > self.slowest[0] and "history_event" in sql:
                self.slowest = (elapsed, sql, params)


@dataclass
class Timings:
    wall_ms: list[float] = field(default_factory=list)
    db_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    plan: str = ""


def time_requests(request: Callable[[int], None], count: int) -> Timings:
    """Call `request(n)` WARM_UP times unmeasured, then `count` times, timing each call's
    wall time and database time."""
    for number in range(WARM_UP):
        request(number)
    timings, clock = Timings(), QueryClock()
    with connection.execute_wrapper(clock):
        for number in range(count):
            before_seconds, before_count = clock.seconds, clock.count
            started = time.perf_counter()
            request(number)
            timings.wall_ms.append((time.perf_counter() - started) * 1000)
            timings.db_ms.append((clock.seconds - before_seconds) * 1000)
            timings.queries.append(clock.count - before_count)
    if clock.slowest[1]:  # a request may read no history (the profile page's baseline)
        timings.plan = explain(clock.slowest[1], clock.slowest[2])
    return timings


def explain(sql: str, params) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the query, cut to PLAN_LINES lines and its timings."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        lines = [row[0] for row in cursor.fetchall()]
    if len(lines) > PLAN_LINES:
        cut = len(lines) - PLAN_LINES - 2
        lines = [*lines[:PLAN_LINES], f"... {cut} lines cut ...", *lines[-2:]]
    return "\n".join(lines)


def getter(client: Client, urls: Sequence[str]) -> Callable[[int], None]:
    """A request that GETs the URLs in turn and insists on a 200."""

    def request(number: int) -> None:
        response = client.get(urls[number % len(urls)])
        if response.status_code != 200:
            raise RuntimeError(
                f"GET {urls[number % len(urls)]} answered {response.content[:500]!r}"
            )

    return request


def bare_select(profile_id: int) -> Callable[[int], None]:
    def request(number: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(BARE_SQL, [profile_id])
            cursor.fetchall()

    return request


def deep_pages(client: Client, first: str) -> list[str]:
    """The URLs of the pages after `first`, found by following `next`."""
    urls, url = [], first
    for _ in range(DEEP_PAGES):
        url = client.get(url).json()["next"]
        parts = urlsplit(url)
        url = f"{parts.path}?{parts.query}"
        urls.append(url)
    return urls


def scenarios(client: Client, profile_id: int) -> dict[str, tuple[Callable[[int], None], bool]]:
    """What is timed: {label: (request, judged by the 20 ms target)}."""
    history = f"/api/v1/profiles/{profile_id}/history/"
    return {
        "history page 1 (last 7 days, limit 50)": (getter(client, [history]), True),
        "history page 1, types=open,click": (getter(client, [f"{history}?types=open,click"]), True),
        "history pages 2-5 by the next cursor": (
            getter(client, deep_pages(client, history)),
            True,
        ),
        "message summary": (getter(client, [f"/api/v1/profiles/{profile_id}/summary/"]), False),
    }


def measure(client: Client, profile_id: int, count: int) -> tuple[list[Figure], dict]:
    """p50/p95 wall and database time of each scenario, each as a ratio to the bare SELECT."""
    bare = time_requests(bare_select(profile_id), count)
    bare_p50, bare_p95 = percentiles(bare.db_ms)
    lines = [
        Figure("bare SELECT ... LIMIT 50 of the profile (baseline)", "ms", bare_p95, p50=bare_p50)
    ]
    details = {"bare SELECT": _detail(bare)}
    for label, (request, judged) in scenarios(client, profile_id).items():
        timings = time_requests(request, count)
        details[label] = _detail(timings)
        db_p50, db_p95 = percentiles(timings.db_ms)
        wall_p50, wall_p95 = percentiles(timings.wall_ms)
        target = f"p95 < {TARGET_MS:.0f} ms" if judged else ""
        passed = db_p95 < TARGET_MS if judged else None
        lines += [
            Figure(
                f"{label}: database time", "ms", db_p95, bare_p95, target, passed, db_p50, bare_p50
            ),
            Figure(
                f"{label}: wall time", "ms", wall_p95, bare_p95, p50=wall_p50, baseline_p50=bare_p50
            ),
        ]
    return lines, details


def _detail(timings: Timings) -> dict:
    db_p50, db_p95 = percentiles(timings.db_ms)
    wall_p50, wall_p95 = percentiles(timings.wall_ms)
    return {
        "requests": len(timings.wall_ms), "queries_per_request": max(timings.queries),
        "db_ms_p50": db_p50, "db_ms_p95": db_p95, "wall_ms_p50": wall_p50,
        "wall_ms_p95": wall_p95, "slowest_query_plan": timings.plan,
    }  # fmt: skip


def build_figures(build: dict) -> list[Figure]:
    gigabytes = (build["table_bytes"] + build["index_bytes"]) / 1e9
    return [
        Figure(f"history_event: {build['rows']:,} rows, tables and indexes", "GB", gigabytes),
        Figure("history_event: fill time (INSERT ... SELECT by day)", "s", build["fill_seconds"]),
        Figure("history_event: VACUUM ANALYZE time", "s", build["vacuum_analyze_seconds"]),
    ]
