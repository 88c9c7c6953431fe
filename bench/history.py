"""`python -m bench.history`: the history benchmarks of `make bench` (bench/README.md).

Needs an empty, migrated PostgreSQL database in DATABASE_URL (bench/run makes one). Sizes come
from BENCH_INGEST_ROWS, BENCH_EVENTS and BENCH_REQUESTS for a quick run.
"""

import json
import os
import platform
import subprocess
import sys
import time
from datetime import datetime

from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from history.models import Event
from profiles.models import Profile
from profiles.services import create_database

from . import audience, databases, ingest, latency, report, scale

INGEST_ROWS = int(os.environ.get("BENCH_INGEST_ROWS", 200_000))
EVENTS = int(os.environ.get("BENCH_EVENTS", 10_000_000))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", 200))
INGEST_PROFILES = 2_000
PG_SETTINGS = ("shared_buffers", "effective_cache_size", "work_mem", "maintenance_work_mem",
               "max_wal_size", "synchronous_commit", "fsync", "random_page_cost")  # fmt: skip


def main() -> None:
    started = time.perf_counter()
    check_database()
    database_id, profiles, client = fixtures()
    now = timezone.now()
    print(f"Ingest: {INGEST_ROWS:,} events, {ingest.REPEATS} runs of each method ...")
    seconds = run_ingest(profiles, client, now)
    figures = ingest.figures(seconds, INGEST_ROWS)
    hot_profile = profiles[-1][0]
    print(f"Latency: filling history_event with {EVENTS:,} events ...")
    build = latency.fill(total=EVENTS, profile_id=hot_profile, database_id=database_id, now=now)
    figures += latency.build_figures(build)
    print(f"Latency: {REQUESTS} requests of each kind ...")
    latency_figures, latency_details = latency.measure(client, hot_profile, REQUESTS)
    figures += latency_figures
    print(f"Audience: {audience.PROFILES:,} profiles with two subscriptions each on average ...")
    audience_figures, audience_details = audience.run()
    figures += audience_figures
    print("Import: a generated CSV, create path then update path, in its own process ...")
    # In a database of its own: this one holds the audience's million profiles by now, and
    # the create path is an import into an empty database (issue 5).
    import_figures, import_details = run_child(
        "bench.imports", database_url=databases.fresh_database("import")
    )
    figures += import_figures
    print("Profile page: 100,000 events and 200 subscriptions, in its own process ...")
    page_figures, page_details = run_child("bench.profile_page")
    figures += page_figures
    print(f"Scale: {scale.PROFILES:,} profiles with {scale.EVENTS_PER_PROFILE} events each, "
          "in a database of its own ...")  # fmt: skip
    scale_figures, scale_details = run_child("bench.scale", database_url=scale_database())
    figures += scale_figures
    details = {
        "finished_at": timezone.now(),
        "wall_seconds": time.perf_counter() - started,
        "machine": machine(),
        "sizes": {
            "ingest_rows": INGEST_ROWS,
            "events": EVENTS,
            "requests": REQUESTS,
            "audience_profiles": audience.PROFILES,
            "scale_profiles": scale.PROFILES,
            "scale_events_per_profile": scale.EVENTS_PER_PROFILE,
            "scale_import_rows": scale.IMPORT_ROWS,
        },  # fmt: skip
        "ingest_run_seconds": {f"{m.name}, keyed={m.keyed}": runs for m, runs in seconds.items()},
        "build": build,
        "latency": latency_details,
        "audience": audience_details,
        "import": import_details,
        "profile_page": page_details,
        "scale": scale_details,
    }
    print()
    report.print_table(figures)
    path = report.write_results(figures, details)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"\nWritten to {path} after {details['wall_seconds']:.0f} s; load average {load}.")


def run_child(module: str, database_url: str = "") -> tuple[list[report.Figure], dict]:
    """A benchmark module in a child process (bench.imports: so that its peak RSS is the
    import's alone), on `database_url` if given; it prints its figures as JSON on its last
    line, its progress on stderr."""
    env = {**os.environ, "DATABASE_URL": database_url} if database_url else None
    done = subprocess.run(
        [sys.executable, "-m", module], check=True, stdout=subprocess.PIPE, text=True, env=env
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return [report.Figure(**figure) for figure in result["figures"]], result["details"]


def scale_database() -> str:
    """BENCH_SCALE_DATABASE_URL, or a new database `<this one>_scale` on the same server,
    migrated: bench.scale needs an empty one of its own."""
    return os.environ.get("BENCH_SCALE_DATABASE_URL", "") or databases.fresh_database("scale")


def check_database() -> None:
    """Refuse SQLite and any database holding profiles or events: the run writes millions."""
    if connection.vendor != "postgresql":
        raise SystemExit("make bench needs PostgreSQL: unset DATABASE_URL, bench/run makes one.")
    if Profile.objects.exists() or Event.objects.exists():
        raise SystemExit("DATABASE_URL holds profiles or events: give the benchmark an empty one.")


def fixtures() -> tuple[int, list[tuple[int, int]], Client]:
    """A profile database, its 2,000 ingest profiles plus the history profile (last), and a
    test client authenticated by token with the history permissions."""
    database = create_database(name="Bench")
    # Written directly: create_profile would add an `import` event per profile to the timings.
    created = Profile.objects.bulk_create(
        Profile(database=database, email=f"bench-{number}@example.com")
        for number in range(INGEST_PROFILES + 1)
    )
    user = User.objects.create_user("bench")
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="history", codename__endswith="_event")
    )
    token = Token.objects.create(user=user)
    client = latency.https_client(headers={"authorization": f"Token {token.key}"})
    return database.pk, [(profile.pk, database.pk) for profile in created], client


def run_ingest(
    profiles: list[tuple[int, int]], client: Client, now: datetime
) -> dict[ingest.Method, list[float]]:
    """The same rows without keys and with a key on each, written by every method."""
    ingest.create_baseline_table()
    rows = {
        keyed: ingest.make_drafts(count=INGEST_ROWS, profiles=profiles[:-1], keyed=keyed, now=now)
        for keyed in (False, True)
    }
    return ingest.measure(ingest.methods(rows=rows, client=client, now=now), INGEST_ROWS)


def machine() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        settings = {"version": cursor.fetchone()[0]}
        for name in PG_SETTINGS:
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    # Other work on the machine shows in the load average (1, 5, 15 minutes) at the end.
    return {"cpus": os.cpu_count(), "memory_gb": round(memory / 2**30, 1),
            "load_average": os.getloadavg(), "python": platform.python_version(),
            "postgresql": settings}  # fmt: skip


if __name__ == "__main__":
    main()
