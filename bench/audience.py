"""Audience resolution at scale (issue 4): the delivery target of every profile of a database
at once, for 1,000,000 profiles with 2,000,000 subscriptions, against a plain COUNT(*) over
the same join measured in the same run. Target: under 10 s.

The rows are made by server-side INSERT ... SELECT; `selectors.audience_counts` is timed as
the product runs it.
"""

import os
import statistics
import time

from django.db import connection

from profiles.services import create_database
from subscriptions import selectors
from subscriptions.services import create_resource

from .report import Figure

PROFILES = int(os.environ.get("BENCH_AUDIENCE_PROFILES", 1_000_000))
REPEATS = 5
TARGET_SECONDS = 10.0

FILL_PROFILES = """
INSERT INTO profiles_profile (database_id, md5, xxh, status, is_test, in_control_group, email,
    phones,
    first_name, last_name, middle_name, gender, registration_city, registration_country,
    registration_link, registration_provider, tracked_city, tracked_country, tracked_region,
    tracked_postcode, tracked_timezone, utm_source, utm_medium, utm_campaign, utm_term,
    utm_content, avatar, fields, created_at, updated_at)
SELECT %(database)s, md5('bench:' || n), substr(md5('xxh:' || n), 1, 16),
    CASE WHEN n %% 20 = 0 THEN 'unsubscribed' WHEN n %% 50 = 1 THEN 'hard_bounced'
         ELSE 'subscribed' END,
    false, false, 'p' || n || '@example.com', '[]', '', '', '', '', '', '', '', '', '', '', '', '',
    '', '', '', '', '', '', '', '{}', now(), now()
FROM generate_series(1, %(count)s) AS n
"""
# Two subscriptions per profile on average: the audience's resource and channel for 80% of
# profiles (a second contact for 60%), the rest on another resource.
FILL_SUBSCRIPTIONS = """
INSERT INTO subscriptions_subscription (profile_id, resource_id, channel, contact, contact_key,
    status, priority, categories, device_type, device_model, device_name, platform,
    platform_version, timezone, language, ad_id, app_id, app_install_id, app_version, browser,
    browser_version, fields, created_at, updated_at)
SELECT p.id, s.resource, 'email', s.contact, s.contact, s.status, s.priority, '{}',
    '', '', '', '', '', '', '', '', '', '', '', '', '', '{}', now(), now()
FROM profiles_profile p
CROSS JOIN LATERAL (VALUES
    (%(resource)s, 'a' || p.id || '@example.com',
     CASE WHEN p.id %% 10 = 0 THEN 'unsubscribed' ELSE 'subscribed' END, 0, p.id %% 5 < 4),
    (%(resource)s, 'b' || p.id || '@example.com', 'subscribed', 1, p.id %% 5 < 3),
    (%(other)s, 'c' || p.id || '@example.com', 'subscribed', 0, p.id %% 5 >= 2)
) AS s(resource, contact, status, priority, wanted)
WHERE p.database_id = %(database)s AND s.wanted
"""
FILL_SUPPRESSIONS = """
INSERT INTO subscriptions_suppression (channel, contact, reason, created_at)
SELECT 'email', 'a' || p.id || '@example.com', 'hard_bounced', now()
FROM profiles_profile p WHERE p.database_id = %(database)s AND p.id %% 97 = 0
"""
BASELINE = """
SELECT COUNT(*) FROM profiles_profile p
LEFT JOIN subscriptions_subscription s ON s.profile_id = p.id AND s.resource_id = %(resource)s
    AND s.channel = 'email' AND s.deleted_at IS NULL
LEFT JOIN subscriptions_suppression x ON x.channel = s.channel AND x.contact = s.contact_key
WHERE p.database_id = %(database)s
"""


def run() -> tuple[list[Figure], dict]:
    """Fill, then time audience_counts and the baseline; return the figure and the details."""
    database = create_database(name="Audience bench")
    resource = create_resource(name="Audience bench site", channels=["email"])
    other = create_resource(name="Audience bench app", channels=["email"])
    params = {"database": database.pk, "resource": resource.pk, "other": other.pk,
              "count": PROFILES}  # fmt: skip
    build = _fill(params)

    def resolve() -> dict[str, int]:
        return selectors.audience_counts(database=database, resource=resource, channel="email")

    audience = [_timed(resolve) for _ in range(REPEATS)]
    baseline = [_timed(lambda: _count(params)) for _ in range(REPEATS)]
    counts = resolve()
    value, base = statistics.median(audience), statistics.median(baseline)
    figure = Figure(
        name=f"audience of {PROFILES:,} profiles (vs COUNT(*) of the join)",
        unit="s", value=value, baseline=base, target=f"< {TARGET_SECONDS:.0f} s",
        passed=value < TARGET_SECONDS,
    )  # fmt: skip
    details = {"build": build, "audience_seconds": audience, "baseline_seconds": baseline,
               "counts": counts}  # fmt: skip
    return [figure], details


def _fill(params: dict) -> dict:
    seconds = {}
    with connection.cursor() as cursor:
        for name, sql in (("profiles", FILL_PROFILES), ("subscriptions", FILL_SUBSCRIPTIONS),
                          ("suppressions", FILL_SUPPRESSIONS)):  # fmt: skip
            started = time.perf_counter()
            cursor.execute(sql, params)
            seconds[name] = (cursor.rowcount, time.perf_counter() - started)
            print(f"  {name}: {cursor.rowcount:,} rows in {seconds[name][1]:.0f} s")
        cursor.execute("VACUUM (ANALYZE) profiles_profile")
        cursor.execute("VACUUM (ANALYZE) subscriptions_subscription")
        cursor.execute("VACUUM (ANALYZE) subscriptions_suppression")
    return seconds


def _count(params: dict) -> int:
    with connection.cursor() as cursor:
        cursor.execute(BASELINE, params)
        return cursor.fetchone()[0]


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started
