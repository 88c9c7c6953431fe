"""P14: identify attaches an anonymous visitor's events to a profile (idempotently); merging
two profiles keeps everything of both on the winner and records the loser."""

import pytest

from config.exceptions import InvalidInput
from history import services as history
from history.models import Event
from interactions.models import Relation, SegmentMembership
from interactions.services import identify, segments
from profiles.merge import merge_profiles
from profiles.models import Profile
from subscriptions.models import Subscription
from tests.conftest import grant
from tests.interactions.factories import RelationFactory, SegmentFactory
from tests.profiles.factories import ProfileDatabaseFactory, ProfileFactory
from tests.subscriptions.factories import ResourceFactory, SubscriptionFactory


def visit(visitor: str, n: int = 2) -> None:
    for _ in range(n):
        history.record(type="pixel", profile=None, visitor=visitor, data={"goal": "view"})


def test_identify_attaches_the_visitors_events_once(shop):
    # given
    ann = ProfileFactory(database=shop, email="ann@example.com")
    visit("cookie-1")
    visit("cookie-2", 1)
    # when
    first = identify.identify(visitor="cookie-1", database=shop, email="ANN@example.com")
    again = identify.identify(visitor="cookie-1", database=shop, email="ann@example.com")
    # then
    assert (first.profile, first.attached, again.attached) == (ann, 2, 0)
    pixels = Event.objects.filter(type="pixel")
    assert pixels.filter(profile_id=ann.pk, database_id=shop.pk).count() == 2
    assert pixels.filter(profile__isnull=True).count() == 1


def test_identify_by_phone_and_by_profile_id(shop):
    ann = ProfileFactory(database=shop, phones=["+447911123456"])
    visit("a")
    visit("b")
    assert identify.identify(visitor="a", database=shop, phone="+44 7911 123456").attached == 2
    assert identify.identify(visitor="b", database=shop, profile_id=ann.pk).profile == ann


@pytest.mark.parametrize(
    ("given", "field"),
    [({"email": "nobody@example.com"}, "email"), ({}, "email"), ({"phone": "12"}, "phone"),
     ({"profile_id": 10**9}, "profile")],
)  # fmt: skip
def test_identify_explains_what_it_cannot_find(shop, given, field):
    with pytest.raises(InvalidInput) as error:
        identify.identify(visitor="v", database=shop, **given)
    assert field in error.value.errors


def test_identify_merges_a_contactless_profile_of_the_same_visitor(shop):
    # given the visitor was first seen as a contactless profile, and still has that history
    earlier = ProfileFactory(database=shop, email=None, first_name="", last_name="")
    history.record(type="form_filled", profile=earlier, visitor="cookie")
    ann = ProfileFactory(database=shop, email="ann@example.com", first_name="Ann")
    # when
    found = identify.identify(visitor="cookie", database=shop, email="ann@example.com")
    # then
    assert found.merged == [earlier.pk]
    assert not Profile.objects.filter(pk=earlier.pk).exists()
    assert Event.objects.filter(type="form_filled").get().profile_id == ann.pk


def test_identify_never_merges_a_profile_with_contacts(shop):
    bob = ProfileFactory(database=shop, email="bob@example.com")
    history.record(type="pixel", profile=bob, visitor="shared-computer")
    ProfileFactory(database=shop, email="ann@example.com")
    found = identify.identify(visitor="shared-computer", database=shop, email="ann@example.com")
    assert found.merged == [] and Profile.objects.filter(pk=bob.pk).exists()


def test_api_identify(api, marketer, shop):
    ann = ProfileFactory(database=shop, email="ann@example.com")
    visit("cookie")
    body = {"visitor": "cookie", "email": "ann@example.com", "database": shop.pk}
    answer = api.post("/api/v1/identify/", body)
    assert answer.status_code == 200, answer.json()
    assert answer.json() == {"profile": ann.pk, "attached": 2, "merged": []}
    assert api.post("/api/v1/identify/", {"visitor": "cookie"}).status_code == 400


def test_merge_keeps_the_winners_values_and_fills_the_rest(shop):
    # given
    winner = ProfileFactory(database=shop, email=None, first_name="Ann", last_name="",
                            phones=["+447911123456"], fields={"tariff": "pro"})  # fmt: skip
    loser = ProfileFactory(database=shop, email="ann@example.com", first_name="Anna",
                           last_name="Lee", phones=["+442071838750", "+447911123456"],
                           fields={"tariff": "basic", "age": 33})  # fmt: skip
    # when
    merged = merge_profiles(winner=winner, loser=loser)
    # then
    merged.refresh_from_db()
    assert (merged.email, merged.first_name, merged.last_name) == ("ann@example.com", "Ann", "Lee")
    assert merged.phones == ["+447911123456", "+442071838750"]
    assert merged.fields == {"tariff": "pro", "age": 33}
    record = Event.objects.filter(profile_id=winner.pk, data__has_key="merged").get()
    assert record.data["merged"]["profile"] == loser.pk
    assert record.data["merged"]["email"] == "ann@example.com"


def test_merge_moves_subscriptions_history_relations_and_segments(shop):
    # given
    winner, loser, other = (ProfileFactory(database=shop) for _ in range(3))
    resource = ResourceFactory()
    SubscriptionFactory(profile=winner, resource=resource, contact="same@example.com")
    SubscriptionFactory(profile=loser, resource=resource, contact="Same@example.com")
    moved = SubscriptionFactory(profile=loser, resource=resource, contact="new@example.com")
    RelationFactory(from_profile=loser, to_profile=winner)  # would relate winner to itself
    RelationFactory(from_profile=other, to_profile=loser, type="referrer")
    both, only_loser = SegmentFactory(database=shop), SegmentFactory(database=shop)
    segments.add_to_segment(segment=both, profile_ids=[winner.pk, loser.pk])
    segments.add_to_segment(segment=only_loser, profile_ids=[loser.pk])
    history.record(type="open", profile=loser)
    # when
    merge_profiles(winner=winner, loser=loser)
    # then
    live = Subscription.objects.filter(profile=winner).order_by("priority")
    assert [item.contact for item in live] == ["same@example.com", "new@example.com"]
    assert live.get(pk=moved.pk).priority == 1
    assert list(Relation.objects.values_list("from_profile", "type", "to_profile")) == [
        (other.pk, "referrer", winner.pk)
    ]
    assert set(SegmentMembership.objects.values_list("segment", "profile")) == {
        (both.pk, winner.pk), (only_loser.pk, winner.pk)
    }  # fmt: skip
    assert Event.objects.filter(type="open", profile_id=winner.pk).exists()
    assert not Event.objects.filter(profile_id=loser.pk).exists()


def test_merge_keeps_the_limit_of_twenty_per_resource_and_channel(shop):
    # given a winner at the S5 limit of 20 email subscriptions to one resource
    from subscriptions.services import CHANNEL_LIMIT

    winner, loser = ProfileFactory(database=shop), ProfileFactory(database=shop)
    resource = ResourceFactory()
    for n in range(CHANNEL_LIMIT):
        SubscriptionFactory(profile=winner, resource=resource, contact=f"w{n}@example.com")
    moved = SubscriptionFactory(profile=loser, resource=resource, contact="l@example.com")
    # when
    merge_profiles(winner=winner, loser=loser)
    # then one old subscription made room for the loser's, as adding one would have
    live = Subscription.objects.filter(profile=winner, resource=resource, channel="email")
    assert live.count() == CHANNEL_LIMIT
    assert live.filter(pk=moved.pk).exists()


def test_merge_refuses_other_databases_and_itself(shop):
    ann = ProfileFactory(database=shop)
    with pytest.raises(InvalidInput):
        merge_profiles(winner=ann, loser=ann)
    with pytest.raises(InvalidInput):
        merge_profiles(winner=ann, loser=ProfileFactory(database=ProfileDatabaseFactory()))


def test_api_merge_needs_change_and_delete_rights(api, marketer, shop):
    winner, loser = ProfileFactory(database=shop), ProfileFactory(database=shop)
    body = {"winner": winner.pk, "loser": loser.pk}
    assert api.post("/api/v1/profiles/merge/", body).status_code == 403
    api.force_authenticate(grant(type(marketer).objects.get(pk=marketer.pk), "delete_profile"))
    answer = api.post("/api/v1/profiles/merge/", body)
    assert answer.status_code == 200, answer.json()
    assert not Profile.objects.filter(pk=loser.pk).exists()


def test_an_anonymous_visit_ingested_then_identified_shows_in_the_profile_history(
    api, marketer, shop
):
    # given a visitor's pixel event arrives through ingestion (H4), with no profile
    grant(marketer, "add_event", "view_event")
    api.force_authenticate(type(marketer).objects.get(pk=marketer.pk))
    ann = ProfileFactory(database=shop, email="ann@example.com")
    event = {"visitor": "c-42", "type": "pixel", "data": {"goal": "pricing"}, "key": "px-1"}
    assert api.post("/api/v1/events/", {"events": [event]}, format="json").status_code == 202
    # when the visitor registers, twice (a retried call)
    for _ in range(2):
        body = {"visitor": "c-42", "email": "ann@example.com", "database": shop.pk}
        assert api.post("/api/v1/identify/", body).status_code == 200
    # then the profile's history holds the visit once
    history_items = api.get(f"/api/v1/profiles/{ann.pk}/history/", {"types": "pixel"}).json()
    assert [item["data"] for item in history_items["results"]] == [{"goal": "pricing"}]
