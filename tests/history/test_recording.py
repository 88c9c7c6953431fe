"""H1: one writer for every event; profiles record their own creation and changes."""

import pytest
from django.utils import timezone

from history import services
from history.models import Event, EventType
from profiles import services as profiles
from tests.history.factories import EventFactory
from tests.profiles.factories import ProfileFactory


def events_of(profile, *types):
    return list(Event.objects.filter(profile_id=profile.pk, type__in=types).order_by("id"))


def test_creating_a_profile_records_an_import_event_with_its_source(shop, marketer):
    # when
    profile = profiles.create_profile(
        database=shop, values={"email": "a@example.com"}, actor=marketer, source="api"
    )
    # then
    (event,) = events_of(profile, EventType.IMPORT)
    assert (event.data, event.actor_id, event.database_id) == (
        {"source": "api"},
        marketer.pk,
        shop.pk,
    )


def test_status_change_records_old_and_new(shop):
    profile = ProfileFactory(database=shop)
    profiles.update_profile(profile=profile, values={"status": "complainer"})
    (event,) = events_of(profile, EventType.STATUS_CHANGED)
    assert event.data == {"old": "subscribed", "new": "complainer"}


def test_field_changes_record_each_name_with_old_and_new_values(shop, marketer):
    # given
    profile = ProfileFactory(database=shop, first_name="Ann", fields={"age": 30, "tariff": "pro"})
    # when
    profiles.update_profile(
        profile=profile,
        values={
            "first_name": "Anna",
            "birthday": timezone.datetime(1990, 4, 1).date(),
            "fields": {"age": 31, "tariff": None, "interests": "a,b"},
        },
        actor=marketer,
    )
    # then
    (event,) = events_of(profile, EventType.PROFILE_UPDATED)
    assert event.actor_id == marketer.pk
    assert event.data["changes"] == {
        "first_name": {"old": "Ann", "new": "Anna"},
        "birthday": {"old": None, "new": "1990-04-01"},
        "fields.age": {"old": 30, "new": 31},
        "fields.tariff": {"old": "pro", "new": None},
        "fields.interests": {"old": None, "new": ["a", "b"]},
    }


def test_saving_unchanged_values_records_nothing(shop):
    profile = ProfileFactory(database=shop, first_name="Ann", fields={"age": 30})
    profiles.update_profile(profile=profile, values={"first_name": "Ann", "fields": {"age": 30}})
    assert events_of(profile, EventType.PROFILE_UPDATED, EventType.STATUS_CHANGED) == []


def test_a_rejected_change_records_nothing(shop):
    profile = ProfileFactory(database=shop)
    with pytest.raises(Exception):  # noqa: B017 (InvalidInput; the point is what is left behind)
        profiles.update_profile(
            profile=profile, values={"status": "unsubscribed", "fields": {"age": "old"}}
        )
    profile.refresh_from_db()
    assert profile.status == "subscribed"
    assert events_of(profile, EventType.STATUS_CHANGED) == []


def test_record_many_skips_keys_seen_before_and_within_the_batch(shop):
    # given
    profile = ProfileFactory(database=shop)
    services.record_many(
        [services.EventDraft(type="open", ts=timezone.now(), profile_id=profile.pk, key="k1")]
    )

    def draft(key):
        return services.EventDraft(type="click", ts=timezone.now(), profile_id=profile.pk, key=key)

    # when
    result = services.record_many([draft("k1"), draft("k2"), draft("k2"), draft(None), draft(None)])
    # then
    assert (result.accepted, result.duplicates) == (3, [0, 2])
    assert len(events_of(profile, EventType.CLICK)) == 3


def test_deleting_a_profile_deletes_its_events_only(shop, marketer):
    # given
    doomed, kept = ProfileFactory(database=shop), ProfileFactory(database=shop)
    EventFactory.create_batch(5, profile=doomed)
    EventFactory(profile=kept)
    # when
    profiles.delete_profile(profile=doomed, actor=marketer)
    # then
    assert not Event.objects.filter(profile_id=doomed.pk).exists()
    assert Event.objects.filter(profile_id=kept.pk).count() == 2  # its import and one open
