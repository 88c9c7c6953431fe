"""`python -m bench.scale`: issue 10's figures on the data set `manage.py seed` makes.

Needs an empty, migrated PostgreSQL database of its own in DATABASE_URL (bench.history makes
one next to its own and runs this module there, in a child process). In order:

1. seed BENCH_SCALE_PROFILES profiles (1,000,000) with BENCH_SCALE_EVENTS_PER_PROFILE events
   each (20, so 20,000,000) through `imports.seeding`, as `manage.py seed` does; one profile in
   twenty is then unsubscribed, so that the list page's status filter has a rare value; one
   profile gets BENCH_PAGE_EVENTS more events (100,000) for the history API and profile page;
2. import BENCH_SCALE_IMPORT_ROWS (100,000) new profiles into a new, empty database on the
   same server (the baseline, in a child process there) and the same people into the seeded
   database, IMPORT_PAIRS (3) times in turn (files of other people each time): target at
   least 90% of the empty database's rate, the median seeded rate judged against the median
   empty one;
3. latencies in-process, each against the raw SQL of the same work in the same run: quick
   search by email, phone, name prefix and `field:value` (target p95 < 20 ms), the profile
   list page with a status filter (p95 < 100 ms), the profile page (p95 < 150 ms) and the
   history API of the 100,000-event profile;
4. HTTP throughput of `GET /api/v1/profiles/{id}/` (target 1,000 requests/s) and
   `POST /api/v1/events/` under gunicorn with Redis as its cache (REDIS_URL, else a
   throwaway redis-server), with wrk on loopback for BENCH_LOAD_SECONDS each, against the
   same reads and writes as raw SQL from one connection.

Prints its figures as JSON on its last line, for bench.history's table.
"""

import dataclasses
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.db import DatabaseError, connection
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from history.models import Event
from imports import seeding
from profiles import selectors
from profiles.list_filters import ProfileListFilter
from profiles.models import Profile, ProfileDatabase, Status

from . import databases, imports, latency, profile_page
from .report import Figure, emit, percentiles

PROFILES = int(os.environ.get("BENCH_SCALE_PROFILES", 1_000_000))
EVENTS_PER_PROFILE = int(os.environ.get("BENCH_SCALE_EVENTS_PER_PROFILE", 20))
IMPORT_ROWS = int(os.environ.get("BENCH_SCALE_IMPORT_ROWS", 100_000))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", 200))
LOAD_SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", 15))
HTTP_WORKERS = int(os.environ.get("BENCH_HTTP_WORKERS", 4))  # gunicorn.conf.py's on 2 cores
# One connection a worker: gunicorn.conf.py's gthread workers keep connections alive, one
# thread each, so a connection more than workers waits in a queue and only adds latency.
HTTP_CONNECTIONS = HTTP_WORKERS
SEED = 1
SEARCH_TARGET_MS = 20.0
LIST_TARGET_MS = 100.0
PAGE_TARGET_MS = profile_page.TARGET_MS
IMPORT_TARGET_RATIO = 0.90
# Interleaved pairs, judged on their medians as bench.ingest judges its runs: one import of
# 100,000 rows lasts about 4 s, and two empty-database imports in a row differed by 6%.
IMPORT_PAIRS = 3
GET_TARGET_PER_SECOND = 1_000
UNSUBSCRIBED_EVERY = 20
UNSUBSCRIBE_SQL = f"""
UPDATE profiles_profile SET status = 'unsubscribed'
WHERE database_id = %s AND mod(id, {UNSUBSCRIBED_EVERY}) = 0
"""
API_PERMISSIONS = {"profiles": ("view_profile",), "history": ("view_event", "add_event")}


def main() -> None:
    if sys.argv[1:2] == ["empty-import"]:  # see import_into_empty_database
        with tempfile.TemporaryDirectory() as folder:
            database = seeding.seed_database(name="Scale, empty")
            print(import_new_profiles(database, Path(folder), first=int(sys.argv[2])))
        return
    emit(*run())


def run() -> tuple[list[Figure], dict]:
    started = time.perf_counter()
    if Profile.objects.exists() or Event.objects.exists():
        raise SystemExit("DATABASE_URL holds profiles or events: give bench.scale an empty one.")
    figures, details = [], {"profiles": PROFILES, "events_per_profile": EVENTS_PER_PROFILE,
                            "import_rows": IMPORT_ROWS, "requests": REQUESTS}  # fmt: skip
    log("seeding ...")
    database, seed_details = seed()
    details["seed"] = seed_details
    log(f"seeded in {seed_details['seconds']:.0f} s; imports ...")
    # In turn into a new, empty database on the same server (the baseline, measured in the
    # state the seed left the server in) and into the seeded one.
    empty_rates, full_rates = [], []
    with tempfile.TemporaryDirectory() as folder:
        for number in range(IMPORT_PAIRS):
            first = PROFILES + number * IMPORT_ROWS
            empty_rates.append(import_into_empty_database(number, first))
            warm_profile_indexes()
            full_rates.append(import_new_profiles(database, Path(folder), first=first))
            log(f"empty {empty_rates[-1]:,.0f}/s, seeded {full_rates[-1]:,.0f}/s")
    figures += seed_figures(seed_details) + import_figures(empty_rates, full_rates)
    details["import"] = {"empty_per_second": empty_rates, "full_per_second": full_rates}
    hot = hot_profile(database)
    staff = profile_page.marketer_client()
    imports.settle()  # the analyses autovacuum starts after the imports are not the pages' time
    log("latencies ...")
    for measure in (search_figures, list_figures, page_figures):
        more, detail = measure(staff, database, hot)
        figures += more
        details.update(detail)
    token = api_token()
    client = latency.https_client(headers={"authorization": f"Token {token}"})
    history_figures, history_details = latency.measure(client, hot, REQUESTS)
    figures += [_renamed(figure, f"{PROFILES:,} profiles: ") for figure in history_figures]
    details["history_api"] = history_details
    log("HTTP throughput under gunicorn ...")
    more, detail = throughput_figures(database, token)
    figures += more
    details["http"] = detail
    details["seconds"] = time.perf_counter() - started
    return figures, details


def log(message: str) -> None:
    print(f"  scale: {message}", file=sys.stderr, flush=True)


def import_figures(empty_rates: list[float], full_rates: list[float]) -> list[Figure]:
    """Each import into the seeded database beside the empty-database import just before it,
    then the judged figure: the median of the seeded rates against the median of the empty."""
    into = f"import {IMPORT_ROWS:,} new profiles into the database of {PROFILES:,}"
    pairs = [
        Figure(f"{into}, import {number} of {len(full_rates)}", "/s", full, empty)
        for number, (full, empty) in enumerate(zip(full_rates, empty_rates, strict=True), 1)
    ]
    full, empty = statistics.median(full_rates), statistics.median(empty_rates)
    median = Figure(f"{into}, median of {len(full_rates)} imports",
                    "/s", full, empty, f"ratio >= {IMPORT_TARGET_RATIO:.2f}",
                    full / empty >= IMPORT_TARGET_RATIO)  # fmt: skip
    return [*pairs, median]


def import_into_empty_database(number: int, first: int) -> float:
    """Profiles per second of the same import into a new, migrated database of its own on
    this server, by this module in a child process there (`empty-import FIRST`)."""
    with databases.throwaway_database(f"empty{number}") as url:
        done = subprocess.run(
            [sys.executable, "-m", "bench.scale", "empty-import", str(first)], check=True,
            stdout=subprocess.PIPE, text=True, env={**os.environ, "DATABASE_URL": url},
            cwd=settings.BASE_DIR,
        )  # fmt: skip
    return float(done.stdout.strip().splitlines()[-1])


def import_new_profiles(database: ProfileDatabase, folder: Path, *, first: int) -> float:
    """Profiles per second of importing IMPORT_ROWS people numbered from `first` (the seed
    holds 0 to PROFILES - 1)."""
    path = folder / f"new-{database.pk}-{first}.csv"
    seeding.write_profiles_csv(path, IMPORT_ROWS, seed=SEED + 1, first=first)
    job, seconds = imports.import_file(database, path)  # settles first
    accounted = job.created + job.updated + job.skipped + job.failed
    assert job.rows_read == IMPORT_ROWS == accounted == job.created, vars(job)
    return IMPORT_ROWS / seconds


def warm_profile_indexes() -> None:
    """The seeded profile table's indexes read into shared buffers (pg_prewarm), as a database
    in use holds them. The seed's 20,000,000 events, written after its profiles, push them out;
    the empty database an import is judged against has nothing to read. Cold, the first import
    after a restart read 18,000 index pages back from the OS page cache (0.8 s of 100,000 rows
    on the dev cluster). The gap that remains is not the cache (docs/performance.md)."""
    with connection.cursor() as cursor:
        try:
            cursor.execute(
                "SELECT sum(pg_prewarm(indexrelid)) FROM pg_index "
                "WHERE indrelid = 'profiles_profile'::regclass"
            )  # bench/run creates the extension in template1
        except DatabaseError as error:
            log(f"profile indexes not prewarmed ({error}); the import may read them cold")


def seed() -> tuple[ProfileDatabase, dict]:
    """`manage.py seed --profiles PROFILES --events-per-profile ...` in a process of its own
    (as an admin runs it; its million-row import leaves this process as it found it, so that
    the two timed imports run alike), then one profile in twenty unsubscribed and VACUUM
    ANALYZE, as a database in use would be."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "manage.py", "seed", "--profiles", str(PROFILES), "--events-per-profile",
         str(EVENTS_PER_PROFILE), "--database", "Scale", "--seed", str(SEED)],
        check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        cwd=settings.BASE_DIR,
    )  # fmt: skip
    said = re.search(
        r"Database (\d+) .*: ([\d,]+) profiles in ([\d.]+) s .*, ([\d,]+) events in ([\d.]+) s",
        done.stdout,
    )
    database = ProfileDatabase.objects.get(pk=int(said[1]))
    assert int(said[2].replace(",", "")) == PROFILES, done.stdout
    events = int(said[4].replace(",", ""))
    events_done = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(UNSUBSCRIBE_SQL, [database.pk])
        # Every table, the seed's import log among them: left to autovacuum, its visit fell in
        # the first timed import after the seed and cost it a fifth (ratio 0.77-0.79, then
        # 1.01 with this).
        cursor.execute("VACUUM (ANALYZE)")
        cursor.execute(latency.SIZE_SQL)
        event_bytes = sum(cursor.fetchone())
        cursor.execute("SELECT pg_total_relation_size('profiles_profile')")
        profile_bytes = cursor.fetchone()[0]
    finished = time.perf_counter()
    return database, {
        "profiles": PROFILES, "events": events, "seconds": finished - started,
        "profiles_seconds": float(said[3]), "events_seconds": float(said[5]),
        "vacuum_seconds": finished - events_done, "profile_bytes": profile_bytes,
        "event_bytes": event_bytes,
    }  # fmt: skip


def seed_figures(seed: dict) -> list[Figure]:
    return [
        Figure(f"seed: {seed['profiles']:,} profiles and {seed['events']:,} events, in all "
               "(manage.py seed, then VACUUM ANALYZE)", "s", seed["seconds"]),
        Figure(f"seed: {seed['profiles']:,} profiles (the file import)", "s",
               seed["profiles_seconds"]),
        Figure(f"seed: {seed['events']:,} events (INSERT ... SELECT)", "s", seed["events_seconds"]),
        Figure("seed: VACUUM ANALYZE", "s", seed["vacuum_seconds"]),
        Figure("seed: profiles + history_event on disk", "GB",
               (seed["profile_bytes"] + seed["event_bytes"]) / 1e9),
    ]  # fmt: skip


def hot_profile(database: ProfileDatabase) -> int:
    """The last seeded profile, with BENCH_PAGE_EVENTS more events (a heavy mail reader)."""
    profile_id = (
        Profile.objects.filter(database=database).order_by("-id").values_list("id", flat=True)[0]
    )
    profile_page.fill_history(profile_id, database.pk)
    return profile_id


def search_texts(database: ProfileDatabase) -> dict[str, list[str]]:
    """REQUESTS queries of each kind, found in the seeded data: emails and phones of random
    seeded rows, name prefixes of 2-4 letters (common and rare), `field:value` of each type."""
    rng = random.Random(SEED)
    numbers = [rng.randrange(PROFILES) for _ in range(REQUESTS)]
    names = seeding.FIRST + seeding.LAST
    prefixes = [rng.choice(names)[: rng.randrange(2, 5)] for _ in range(REQUESTS)]
    fields = ["tariff:pro", "interests:music", "age:41", "signed_up:2019-03-04"]
    return {
        "email": [seeding.profile_email(number) for number in numbers],
        "phone": [seeding.profile_phone(number - number % 10) for number in numbers],
        "name prefix": prefixes,
        "field:value": [fields[number % len(fields)] for number in range(REQUESTS)],
    }


def raw(queryset) -> Callable[[int], None]:
    """The baseline: the SQL the ORM builds for `queryset`, run on a bare cursor."""
    sql, params = queryset.query.sql_with_params()

    def request(number: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return request


def raw_each(querysets: list) -> Callable[[int], None]:
    statements = [queryset.query.sql_with_params() for queryset in querysets]

    def request(number: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(*statements[number % len(statements)])
            cursor.fetchall()

    return request


def judged(label: str, page: latency.Timings, base: latency.Timings, target_ms: float,
           what: str = "server time") -> list[Figure]:  # fmt: skip
    wall_p50, wall_p95 = percentiles(page.wall_ms)
    db_p50, db_p95 = percentiles(page.db_ms)
    base_p50, base_p95 = percentiles(base.wall_ms)
    return [
        Figure(f"{label}: {what}", "ms", wall_p95, base_p95, f"p95 < {target_ms:.0f} ms",
               wall_p95 < target_ms, wall_p50, base_p50),
        Figure(f"{label}: database time", "ms", db_p95, base_p95, p50=db_p50,
               baseline_p50=base_p50),
    ]  # fmt: skip


def search_figures(staff: Client, database: ProfileDatabase, hot: int):
    """The staff quick search page (P15, every database), as a marketer uses it."""
    figures, details = [], {}
    for kind, texts in search_texts(database).items():
        base = latency.time_requests(raw_each([_search_queryset(text) for text in texts]), REQUESTS)
        urls = [f"{reverse('quick-search')}?{QueryDict.fromkeys(['q'], text).urlencode()}"
                for text in texts]  # fmt: skip
        page = latency.time_requests(latency.getter(staff, urls), REQUESTS)
        label = f"quick search by {kind} ({PROFILES:,} profiles)"
        figures += judged(label, page, base, SEARCH_TARGET_MS)
        details[f"search {kind}"] = {"page": latency._detail(page), "sql": latency._detail(base),
                                     "examples": texts[:5]}  # fmt: skip
    return figures, details


def _search_queryset(text: str):
    return selectors.quick_search_queryset(text)[: selectors.QUICK_SEARCH_LIMIT]


def list_figures(staff: Client, database: ProfileDatabase, hot: int):
    """The database's profile list filtered by a rare status and by the common one (95%)."""
    figures, details = [], {}
    path = reverse("staff-profile-list", args=[database.pk])
    for status in (Status.UNSUBSCRIBED, Status.SUBSCRIBED):
        query = QueryDict(mutable=True)
        query["status"] = status
        filterset = ProfileListFilter(
            query, queryset=selectors.list_profiles(database), database=database
        )
        assert filterset.is_valid(), filterset.errors  # an ignored filter measures nothing
        listed = filterset.qs[:50]
        base = latency.time_requests(raw(listed), REQUESTS)
        page = latency.time_requests(latency.getter(staff, [f"{path}?{query.urlencode()}"]),
                                     REQUESTS)  # fmt: skip
        figures += judged(f"profile list, status={status}", page, base, LIST_TARGET_MS)
        details[f"list {status}"] = {"page": latency._detail(page), "sql": latency._detail(base)}
    return figures, details


def page_figures(staff: Client, database: ProfileDatabase, hot: int):
    """Profile pages of random seeded profiles, and of the one with 100,000 more events;
    the baseline is the login page (Django's cost with no data), as in bench.profile_page."""
    urls = [reverse("profile-page", args=[pk]) for pk in random_profile_ids(database, REQUESTS)]
    login = latency.time_requests(latency.getter(latency.https_client(), [reverse("login")]),
                                  REQUESTS)  # fmt: skip
    figures, details = [], {"login page": latency._detail(login)}
    for label, targets in (
        (f"profile page, random profiles of {PROFILES:,}", urls),
        (f"profile page, {profile_page.EVENTS:,} events in a table of "
         f"{PROFILES * EVENTS_PER_PROFILE:,}", [reverse("profile-page", args=[hot])]),
    ):  # fmt: skip
        page = latency.time_requests(latency.getter(staff, targets), REQUESTS)
        figures += judged(label, page, login, PAGE_TARGET_MS)
        details[label] = latency._detail(page)
    return figures, details


def random_profile_ids(database: ProfileDatabase, count: int) -> list[int]:
    """Ids of `count` seeded profiles picked at random (the same ones in every run)."""
    rng = random.Random(SEED + 2)
    emails = [seeding.profile_email(rng.randrange(PROFILES)) for _ in range(count)]
    ids = dict(
        Profile.objects.filter(database=database, email__in=emails).values_list("email", "id")
    )
    return [ids[email] for email in emails]


def api_token() -> str:
    """The token of an API user who may read profiles and read and write events."""
    user = User.objects.create_user("scale-api")
    for app, codenames in API_PERMISSIONS.items():
        user.user_permissions.add(
            *Permission.objects.filter(content_type__app_label=app, codename__in=codenames)
        )
    return Token.objects.create(user=user).key


WRK_GET = """
local ids = {%(ids)s}
wrk.headers["Authorization"] = "Token %(token)s"
wrk.headers["X-Forwarded-Proto"] = "https"
request = function()
  return wrk.format("GET", "/api/v1/profiles/" .. ids[math.random(#ids)] .. "/")
end
"""
WRK_POST = """
local ids = {%(ids)s}
wrk.method = "POST"
wrk.headers["Authorization"] = "Token %(token)s"
wrk.headers["X-Forwarded-Proto"] = "https"
wrk.headers["Content-Type"] = "application/json"
request = function()
  local body = string.format(
    '{"events": [{"profile": %%d, "type": "click", "channel": "email", ' ..
    '"data": {"url": "https://shop.example.com/p/%%d"}}]}',
    ids[math.random(#ids)], math.random(10000))
  return wrk.format(nil, "/api/v1/events/", nil, body)
end
"""
RAW_GET_SQL = "SELECT * FROM profiles_profile WHERE id = %s"
RAW_POST_SQL = """
INSERT INTO history_event (profile_id, database_id, type, channel, object_type, data, ts,
                           created_at, visitor)
VALUES (%s, %s, 'click', 'email', '', %s::jsonb, now(), now(), '')
"""


def throughput_figures(database: ProfileDatabase, token: str) -> tuple[list[Figure], dict]:
    """Requests per second under gunicorn (HTTP_WORKERS sync workers, production settings
    behind a TLS proxy) with wrk (2 threads, HTTP_CONNECTIONS connections) for LOAD_SECONDS,
    each against the same statement as raw SQL on one connection for LOAD_SECONDS."""
    ids = random_profile_ids(database, 1_000)
    listed = ",".join(map(str, ids))
    figures, details = [], {"workers": HTTP_WORKERS, "connections": HTTP_CONNECTIONS,
                            "seconds": LOAD_SECONDS, "cache": "redis"}  # fmt: skip
    get_base = raw_rate(lambda cursor, n: cursor.execute(RAW_GET_SQL, [ids[n % len(ids)]]))
    post_base = raw_rate(lambda cursor, n: cursor.execute(
        RAW_POST_SQL, [ids[n % len(ids)], database.pk, f'{{"url": "https://shop.example.com/p/{n}"}}']
    ))  # fmt: skip
    with gunicorn() as port:
        get = wrk(port, WRK_GET % {"ids": listed, "token": token}, 200)
        post = wrk(port, WRK_POST % {"ids": listed, "token": token}, 202)
    figures += [
        Figure("GET /api/v1/profiles/{id}/ under gunicorn, requests/s", "/s", get["rate"],
               get_base, f">= {GET_TARGET_PER_SECOND:,}/s", get["rate"] >= GET_TARGET_PER_SECOND),
        Figure("POST /api/v1/events/ (one event) under gunicorn, requests/s", "/s", post["rate"],
               post_base),
    ]  # fmt: skip
    details.update({"get": get, "post": post, "raw_get_per_second": get_base,
                    "raw_insert_commit_per_second": post_base})  # fmt: skip
    return figures, details


def raw_rate(statement: Callable) -> float:
    """Statements per second on one connection for LOAD_SECONDS; Django's autocommit commits
    each write on its own, as the API does."""
    done, started = 0, time.perf_counter()
    with connection.cursor() as cursor:
        while time.perf_counter() - started < LOAD_SECONDS:
            statement(cursor, done)
            if cursor.description:
                cursor.fetchall()
            done += 1
    return done / (time.perf_counter() - started)


@contextmanager
def gunicorn() -> Iterator[int]:
    """gunicorn as shipped (gunicorn.conf.py, HTTP_WORKERS workers) serving the bench
    database on a free loopback port, with production settings behind a TLS-terminating
    proxy (wrk sends X-Forwarded-Proto: https) and Redis as the cache shared by the workers,
    as docs/security.md asks of more than one process."""
    port = _free_port()
    with redis_url() as cache:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind",
             f"127.0.0.1:{port}", "--workers", str(HTTP_WORKERS), "--log-level", "warning"],
            env={**os.environ, "DJANGO_BEHIND_PROXY": "true", "REDIS_URL": cache},
            cwd=settings.BASE_DIR,  # where gunicorn.conf.py is read from
        )  # fmt: skip
        try:
            _wait_for(port, server, "gunicorn")
            yield port
        finally:
            server.terminate()
            server.wait(timeout=30)


@contextmanager
def redis_url() -> Iterator[str]:
    """REDIS_URL when it is set; else a throwaway redis-server on a free loopback port."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    if shutil.which("redis-server") is None:
        raise SystemExit("bench.scale needs redis-server (bench/run installs it).")
    port = _free_port()
    server = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
         "--appendonly", "no"], stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_for(port, server, "redis-server")
        yield f"redis://127.0.0.1:{port}/1"
    finally:
        server.terminate()
        server.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, server: subprocess.Popen, name: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"{name} exited with {server.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{name} did not start listening within 60 s")


def wrk(port: int, script: str, expected: int) -> dict:
    """One wrk run of LOAD_SECONDS after a 2-second warm-up (workers open their database
    connections). Refuses a run where any answer was not `expected`: a redirect or an error
    answered fast is not throughput."""
    if shutil.which("wrk") is None:
        raise SystemExit("bench.scale needs wrk (apt-get install wrk; bench/run installs it).")
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as file:
        file.write(script + _STATUS_CHECK % {"expected": expected})
        file.flush()
        command = ["wrk", f"-t{min(2, HTTP_CONNECTIONS)}", f"-c{HTTP_CONNECTIONS}", "--latency",
                   "--timeout", "10s", "-s", file.name, f"http://127.0.0.1:{port}"]  # fmt: skip
        subprocess.run([*command, "-d2s"], check=True, capture_output=True)
        output = subprocess.run([*command, f"-d{LOAD_SECONDS}s"], check=True,
                                capture_output=True, text=True).stdout  # fmt: skip
    unexpected = re.search(r"unexpected status: (\d+)", output)
    if unexpected is None or int(unexpected[1]) != 0 or "Non-2xx" in output:
        raise RuntimeError(f"wrk saw answers other than {expected}:\n{output}")
    latencies = {
        f"p{match[1]}_ms": float(match[2]) * {"us": 0.001, "ms": 1, "s": 1000}[match[3]]
        for match in re.finditer(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)$", output, re.M)
    }
    return {"rate": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]), **latencies,
            "output": output}  # fmt: skip


# wrk counts 3xx as success; each thread counts the answers that are not `expected`, and the
# sum is printed at the end (a redirect to HTTPS would otherwise pass as throughput).
_STATUS_CHECK = """
local threads = {}
setup = function(thread) table.insert(threads, thread) end
init = function(args) unexpected = 0 end
response = function(status, headers, body)
  if status ~= %(expected)d then unexpected = unexpected + 1 end
end
done = function(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("unexpected") end
  io.write(string.format("unexpected status: %%d\\n", total))
end
"""


def _renamed(figure: Figure, prefix: str) -> Figure:
    return dataclasses.replace(figure, name=prefix + figure.name)


if __name__ == "__main__":
    sys.exit(main())
