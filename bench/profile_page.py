"""`python -m bench.profile_page`: the profile page benchmark of `make bench` (issue 6 item 6).

One profile with BENCH_PAGE_EVENTS events (100,000 by default) over the last 365 days, a
twentieth of them in the last 7 days, mixed types and channels, written by server-side
`INSERT ... SELECT` as bench.latency fills history, plus 200 subscriptions (10 resources of 20,
the S5 limits) through `subscriptions.services`. Then BENCH_REQUESTS GETs of its page (after
10 unmeasured) by a signed-in marketer who sees every block, timed in-process: wall time is
the server's time for the page, database time the sum of its queries. The baseline is the
login page in the same run: Django's request and template cost with no data. Target: page p95
under 150 ms. Runs in its own process like bench.imports and prints its figures as JSON on the
last line.
"""

import os
import sys
from datetime import timedelta

from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from history.services import ensure_partitions, note_message_actions_of
from profiles.services import create_database, create_field, create_profile
from subscriptions.services import SubscriptionRequest, create_resource, subscribe_many

from . import latency
from .report import Figure, emit, percentiles

EVENTS = int(os.environ.get("BENCH_PAGE_EVENTS", 100_000))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", 200))
RESOURCES, PER_RESOURCE = 10, 20  # 200 subscriptions: the S5 limits
TARGET_MS = 150.0
PERMISSIONS = {
    "profiles": ("view_profile", "change_profile", "export_profile", "delete_profile",
                 "change_profiledatabase"),
    "history": ("view_event",),
    "subscriptions": ("view_subscription", "add_subscription", "change_subscription"),
    "interactions": ("view_segment", "view_trigger", "view_scenario"),
    "loyalty": ("view_member",),
    "market": ("view_order",),
}  # fmt: skip


def make_profile() -> int:
    database = create_database(name="Profile page bench")
    for name, kind in (("tariff", "line"), ("age", "number"), ("interests", "tags")):
        create_field(database=database, name=name, type=kind)
    profile = create_profile(
        database=database,
        values={
            "email": "page-bench@example.com", "first_name": "Page", "last_name": "Bench",
            "tracked_latitude": 51.5, "tracked_longitude": -0.12, "utm_source": "newsletter",
            "fields": {"tariff": "pro", "age": 41, "interests": ["books", "music"]},
        },
    )  # fmt: skip
    fill_history(profile.pk, database.pk)
    subscribe(profile)
    return profile.pk


def fill_history(profile_id: int, database_id: int) -> None:
    ensure_partitions()
    now = timezone.now()
    recent = EVENTS // 20
    days = latency.spread(recent, latency.RECENT_DAYS) + latency.spread(
        EVENTS - recent, latency.DAYS - latency.RECENT_DAYS
    )
    with connection.cursor() as cursor:
        for day in reversed(range(latency.DAYS)):
            cursor.execute(
                latency.FILL_SQL,
                {
                    "types": latency.TYPES, "channels": latency.CHANNELS, "offset": 0,
                    "profiles": 1, "database": database_id,
                    "day_end": now - timedelta(days=day), "background": 0,
                    "hot": profile_id, "hot_count": days[day],
                },
            )  # fmt: skip
        cursor.execute("ANALYZE history_event")
    note_message_actions_of(profile_ids=[profile_id])  # as record_many would have


def subscribe(profile) -> None:
    requests = []
    for number in range(RESOURCES):
        resource = create_resource(name=f"Page bench {number}", channels=["email"],
                                   categories=["news", "sales"])  # fmt: skip
        requests += [
            SubscriptionRequest(
                profile_id=profile.pk,
                resource_id=resource.pk,
                channel="email",
                contact=f"page-{number}-{n}@example.com",
            )  # fmt: skip
            for n in range(PER_RESOURCE)
        ]
    subscribe_many(requests)
    assert profile.subscriptions.filter(deleted_at__isnull=True).count() == RESOURCES * PER_RESOURCE


def marketer_client() -> Client:
    user = User.objects.create_user("page-bench", is_staff=True)
    for app, codenames in PERMISSIONS.items():
        user.user_permissions.add(
            *Permission.objects.filter(content_type__app_label=app, codename__in=codenames)
        )
    client = latency.https_client()
    client.force_login(user)
    return client


def run() -> tuple[list[Figure], dict]:
    profile_id = make_profile()
    page = reverse("profile-page", args=[profile_id])
    client = marketer_client()
    anonymous = latency.https_client()
    login = latency.time_requests(latency.getter(anonymous, [reverse("login")]), REQUESTS)
    timings = latency.time_requests(latency.getter(client, [page]), REQUESTS)
    base_p50, base_p95 = percentiles(login.wall_ms)
    wall_p50, wall_p95 = percentiles(timings.wall_ms)
    db_p50, db_p95 = percentiles(timings.db_ms)
    figures = [
        Figure("login page, server time (baseline)", "ms", base_p95, p50=base_p50),
        Figure("profile page (100k events, 200 subscriptions): server time", "ms", wall_p95,
               base_p95, f"p95 < {TARGET_MS:.0f} ms", wall_p95 < TARGET_MS, wall_p50, base_p50),
        Figure("profile page: database time", "ms", db_p95, base_p95, p50=db_p50,
               baseline_p50=base_p50),
    ]  # fmt: skip
    details = {
        "events": EVENTS, "subscriptions": RESOURCES * PER_RESOURCE, "requests": REQUESTS,
        "page": latency._detail(timings), "login": latency._detail(login),
    }  # fmt: skip
    return figures, details


def main() -> None:
    emit(*run())


if __name__ == "__main__":
    sys.exit(main())
