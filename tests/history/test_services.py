"""H3's message actions: the rows the history writer keeps so that the profile page reads a
profile's message summary in a few rows, whatever the size of its history."""

import pytest
from django.utils import timezone

from history import selectors, services
from history.models import Event, MessageAction
from profiles import services as profiles
from tests.history.factories import EventFactory
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db


def actions_of(profile) -> set[tuple[str, str]]:
    return set(MessageAction.objects.filter(profile_id=profile.pk).values_list("channel", "type"))


def test_record_many_keeps_one_row_per_channel_and_action_ever_seen(shop):
    ann = ProfileFactory(database=shop)
    now = timezone.now()
    drafts = [
        services.EventDraft(type, now, profile_id=ann.pk, channel=channel)
        for type, channel in [("send", "email"), ("send", "email"), ("open", "email"),
                              ("delivery", "sms"), ("subscribe", "email")]
    ]  # fmt: skip
    # when written twice
    services.record_many(drafts)
    services.record_many(drafts)
    # then each summary pair once, and no row for types the summary does not show
    assert actions_of(ann) == {("email", "send"), ("email", "open"), ("sms", "delivery")}
    summary = selectors.message_summary(profile_id=ann.pk)
    assert summary["email"]["sent"] and summary["email"]["opened"]
    assert summary["sms"]["delivered"] and not summary["email"]["clicked"]


def test_a_merge_moves_the_losers_actions_to_the_winner(shop):
    from profiles.merge import merge_profiles

    winner, loser = ProfileFactory(database=shop), ProfileFactory(database=shop)
    services.record(type="click", profile=loser, channel="push")
    merge_profiles(winner=winner, loser=loser)
    assert ("push", "click") in actions_of(winner)
    assert not MessageAction.objects.filter(profile_id=loser.pk).exists()


def test_identify_gives_the_visitors_actions_to_the_profile(shop):
    ann = ProfileFactory(database=shop)
    services.record_many([services.EventDraft("open", timezone.now(), visitor="v-1",
                                              channel="email")])  # fmt: skip
    attached = services.attach_visitor_events(visitor="v-1", profile_id=ann.pk, database_id=shop.pk)
    assert attached == 1 and ("email", "open") in actions_of(ann)


def test_deleting_a_profile_deletes_its_actions(shop, marketer):
    doomed = ProfileFactory(database=shop)
    EventFactory(profile=doomed, type="send")
    profiles.delete_profile(profile=doomed, actor=marketer)
    assert not MessageAction.objects.filter(profile_id=doomed.pk).exists()


def test_rebuilding_from_events_written_by_sql_finds_every_pair(shop):
    # given events inserted without the writer (as the seed and benchmark fills do)
    ann = ProfileFactory(database=shop)
    Event.objects.bulk_create([
        Event(profile_id=ann.pk, database_id=shop.pk, type=type, channel="sms",
              ts=timezone.now())
        for type in ("send", "read", "reply")
    ])  # fmt: skip
    assert actions_of(ann) == set()
    # when / then: for all profiles, and again for one, keeping what is there
    services.note_message_actions_of()
    assert actions_of(ann) == {("sms", "send"), ("sms", "read"), ("sms", "reply")}
    services.note_message_actions_of(profile_ids=[ann.pk])
    assert MessageAction.objects.filter(profile_id=ann.pk).count() == 3
