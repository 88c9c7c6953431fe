"""The event store on real PostgreSQL: monthly partitions, COPY ingestion, plans that use
the indexes."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from history import selectors, services
from history.models import Event
from tests.history.factories import EventFactory
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.postgres


def partition_of(event_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM history_event WHERE id = %s", [event_id]
        )
        return cursor.fetchone()[0]


def explain(queryset) -> str:
    return queryset.explain()


def test_events_land_in_their_month_partition(shop):
    profile = ProfileFactory(database=shop)
    recent = EventFactory(profile=profile, ts=timezone.now())
    ancient = EventFactory(profile=profile, ts=timezone.now() - timedelta(days=3650))
    assert partition_of(recent.id) == f"history_event_{recent.ts:%Y_%m}"
    assert partition_of(ancient.id) == "history_event_default"


def test_ensure_partitions_makes_months_ahead_once(db):
    far = date.today() + timedelta(days=800)
    created = services.ensure_partitions(months_ahead=1, today=far)
    assert created == [
        f"history_event_{far:%Y_%m}",
        f"history_event_{(far.replace(day=1) + timedelta(days=32)):%Y_%m}",
    ]
    assert services.ensure_partitions(months_ahead=1, today=far) == []


def test_record_many_copies_rows_with_json_and_keys(shop):
    profile = ProfileFactory(database=shop)
    drafts = [
        services.EventDraft(
            type="open",
            ts=timezone.now(),
            profile_id=profile.pk,
            database_id=shop.pk,
            data={"n": n, "when": timezone.now()},
            key=f"pg-{n % 2}",
        )
        for n in range(4)
    ]
    result = services.record_many(drafts)
    assert (result.accepted, result.duplicates) == (2, [2, 3])
    stored = Event.objects.filter(profile_id=profile.pk, type="open").order_by("id")
    assert [event.data["n"] for event in stored] == [0, 1]


def test_profile_history_prunes_partitions_and_uses_the_profile_index(shop):
    profile = ProfileFactory(database=shop)
    plan = explain(selectors.profile_history(profile_id=profile.pk)[:50])
    assert "history_event_profile_ts" in plan or "Index" in plan
    assert "history_event_default" not in plan  # only the last 7 days' partitions are read


def test_phone_and_custom_field_filters_use_containment(shop):
    queryset = ProfileFactory._meta.model.objects.filter(database=shop)
    from profiles.selectors import phone_query, search_profiles

    assert "@>" in str(queryset.filter(phone_query("+79123456789")).query)
    assert "@>" in str(search_profiles(queryset, "tariff:pro").query)


def test_admin_paginator_estimates_a_huge_unfiltered_count(db, django_assert_max_num_queries):
    from config.paginators import EstimatedCountPaginator

    # given 120,000 events, analysed
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO history_event (type, channel, object_type, data, ts, created_at, visitor) "
            "SELECT 'open', 'email', '', '{}', now() - n * interval '1 second', now(), '' "
            "FROM generate_series(1, 120000) AS n"
        )
        cursor.execute("ANALYZE history_event")
    # when
    paginator = EstimatedCountPaginator(Event.objects.order_by("-ts"), 100)
    with django_assert_max_num_queries(1) as captured:
        count = paginator.count
    # then: an estimate from pg_class, close to the truth, without COUNT(*)
    assert "COUNT(*)" not in captured.captured_queries[0]["sql"].upper()
    assert 100_000 <= count <= 140_000
    filtered = EstimatedCountPaginator(Event.objects.filter(type="click").order_by("-ts"), 100)
    assert filtered.count == 0


def test_idempotency_keys_have_only_their_primary_key_index(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'history_eventkey'")
        definitions = [row[0] for row in cursor.fetchall()]
    assert len(definitions) == 1 and "UNIQUE" in definitions[0]
