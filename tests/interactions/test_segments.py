"""I1 static segments: by hand (service), API and import; their events; deletion with the
profile; the members list's query budget."""

import pytest

from history.models import Event
from interactions.models import SegmentMembership
from interactions.services import segments
from profiles import services as profile_services
from tests.conftest import grant
from tests.interactions.factories import SegmentFactory
from tests.profiles.factories import ProfileDatabaseFactory, ProfileFactory


def events(type, **filters):
    return Event.objects.filter(type=type, **filters)


def test_adding_profiles_records_entered_once_per_new_member(shop):
    # given
    segment = SegmentFactory(database=shop, name="VIP")
    ann, bob = ProfileFactory(database=shop), ProfileFactory(database=shop)
    segments.add_to_segment(segment=segment, profile_ids=[ann.pk])
    # when ann is added again with bob
    entered = segments.add_to_segment(segment=segment, profile_ids=[ann.pk, bob.pk, bob.pk])
    # then
    assert entered == 1
    assert set(segment.memberships.values_list("profile_id", flat=True)) == {ann.pk, bob.pk}
    entries = events("segment_entered", object_id=segment.pk)
    assert sorted(entries.values_list("profile_id", flat=True)) == sorted([ann.pk, bob.pk])
    assert entries.first().data == {"segment": "VIP", "source": "manual"}


def test_removing_records_exited_for_members_only(shop):
    segment = SegmentFactory(database=shop)
    ann, bob = ProfileFactory(database=shop), ProfileFactory(database=shop)
    segments.add_to_segment(segment=segment, profile_ids=[ann.pk])
    exited = segments.remove_from_segment(segment=segment, profile_ids=[ann.pk, bob.pk])
    assert exited == 1
    assert not segment.memberships.exists()
    assert list(events("segment_exited").values_list("profile_id", flat=True)) == [ann.pk]


def test_a_profile_of_another_database_is_refused(shop):
    segment = SegmentFactory(database=shop)
    stranger = ProfileFactory(database=ProfileDatabaseFactory())
    with pytest.raises(segments.InvalidInput) as error:
        segments.add_to_segment(segment=segment, profile_ids=[stranger.pk])
    assert str(stranger.pk) in error.value.errors["profiles"][0]
    assert not SegmentMembership.objects.exists()


def test_segment_names_are_unique_per_database(shop):
    SegmentFactory(database=shop, name="VIP")
    with pytest.raises(segments.InvalidInput) as error:
        segments.create_segment(database=shop, name=" VIP ")
    assert "name" in error.value.errors
    assert segments.create_segment(database=ProfileDatabaseFactory(), name="VIP")


def test_memberships_go_with_the_profile(shop):
    segment = SegmentFactory(database=shop)
    ann, bob = ProfileFactory(database=shop), ProfileFactory(database=shop)
    segments.add_to_segment(segment=segment, profile_ids=[ann.pk, bob.pk])
    profile_services.delete_profile(profile=ann)
    profile_services.delete_profiles(ids=[bob.pk])
    assert not SegmentMembership.objects.exists()


@pytest.fixture
def segment_keeper(marketer):
    return grant(marketer, "view_segment", "add_segment", "change_segment", "delete_segment")


def test_api_creates_a_segment_and_adds_and_removes_members(api, shop, segment_keeper):
    # given
    ann, bob = ProfileFactory(database=shop), ProfileFactory(database=shop)
    # when
    created = api.post("/api/v1/segments/", {"database": shop.pk, "name": "Newsletter"})
    url = f"/api/v1/segments/{created.json()['id']}/members/"
    added = api.post(url, {"profiles": [ann.pk, bob.pk]}, format="json")
    removed = api.delete(url, {"profiles": [bob.pk]}, format="json")
    listed = api.get(url)
    # then
    assert created.status_code == 201, created.json()
    assert added.json() == {"entered": 2}
    assert removed.json() == {"exited": 1}
    assert [item["profile"] for item in listed.json()["results"]] == [ann.pk]
    assert api.get(f"/api/v1/segments/{created.json()['id']}/").json()["members"] == 1


def test_api_answers_400_for_bad_members_and_taken_names(api, shop, segment_keeper):
    segment = SegmentFactory(database=shop, name="VIP")
    url = f"/api/v1/segments/{segment.pk}/members/"
    assert api.post(url, {"profiles": [999999]}, format="json").status_code == 400
    assert api.post(url, {"profiles": "x"}, format="json").status_code == 400
    taken = api.post("/api/v1/segments/", {"database": shop.pk, "name": "VIP"})
    assert taken.status_code == 400
    assert "name" in taken.json()


def test_members_need_change_permission(api, shop, marketer):
    grant(marketer, "view_segment")
    segment = SegmentFactory(database=shop)
    profile = ProfileFactory(database=shop)
    url = f"/api/v1/segments/{segment.pk}/members/"
    assert api.get(url).status_code == 200
    assert api.post(url, {"profiles": [profile.pk]}, format="json").status_code == 403


def test_member_list_runs_a_fixed_number_of_queries(
    api, shop, segment_keeper, django_assert_max_num_queries
):
    segment = SegmentFactory(database=shop)
    profiles = [ProfileFactory(database=shop) for _ in range(5)]
    segments.add_to_segment(segment=segment, profile_ids=[p.pk for p in profiles])
    # session user + permissions (2), segment, page of members with their profiles
    with django_assert_max_num_queries(5):
        response = api.get(f"/api/v1/segments/{segment.pk}/members/")
    assert len(response.json()["results"]) == 5


def test_a_segment_stays_in_its_database(api, shop, segment_keeper):
    segment = SegmentFactory(database=shop, name="VIP")
    other = ProfileDatabaseFactory()
    answer = api.patch(f"/api/v1/segments/{segment.pk}/", {"database": other.pk, "name": "Gold"})
    assert answer.status_code == 200
    segment.refresh_from_db()
    assert (segment.database, segment.name) == (shop, "Gold")
