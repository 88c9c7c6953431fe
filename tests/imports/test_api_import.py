"""X2: `POST /api/v1/databases/{id}/profiles/import/` — the import pipeline through the API."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from history.models import Event, EventType
from imports.models import ImportJob, ImportRow
from profiles.models import Profile
from tests.conftest import grant
from tests.profiles.factories import CustomFieldFactory, ProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def importer(marketer):
    client = APIClient()
    client.force_authenticate(marketer)
    return client


def post(client, database, profiles, **options):
    url = f"/api/v1/databases/{database.pk}/profiles/import/"
    return client.post(url, {"profiles": profiles, **options}, format="json")


def test_created_updated_skipped_and_failed_items_are_reported_in_order(importer, shop):
    # given one existing profile
    ann = ProfileFactory(database=shop, email="ann@example.com", first_name="Ann")
    # when a batch creates one, updates Ann, repeats Ann's values and sends a bad item
    answer = post(importer, shop, [
        {"email": "bob@example.com", "fields": {"tariff": "pro", "age": 40}},
        {"email": "ANN@example.com", "last_name": "Lee"},
        {"email": "bob@example.com", "fields": {"age": "forty"}},
        {"email": "carl@example.com", "fields": {"tariff": "gold"}},
    ])  # fmt: skip
    # then
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert (body["created"], body["updated"], body["skipped"], body["failed"]) == (1, 1, 0, 2)
    results = body["results"]
    assert [item["result"] for item in results] == ["created", "updated", "error", "error"]
    assert results[1]["id"] == ann.pk
    assert results[2]["errors"] == {"fields": {"age": ["'forty' is not a whole number."]}}
    assert "gold" in results[3]["errors"]["fields"]["tariff"][0]
    assert results[3]["id"] is None
    bob = Profile.objects.get(pk=results[0]["id"])
    assert bob.fields == {"tariff": "pro", "age": 40}
    ann.refresh_from_db()
    assert ann.last_name == "Lee" and ann.first_name == "Ann"
    assert ImportJob.objects.get(pk=body["job"]).rows.count() == 4


def test_repeated_values_are_skipped_as_unchanged(importer, shop):
    ProfileFactory(database=shop, email="ann@example.com", first_name="Ann")
    body = post(importer, shop, [{"email": "ann@example.com", "first_name": "Ann"}]).json()
    assert body["results"][0]["result"] == "skipped"
    assert "Nothing to change" in body["results"][0]["errors"]["row"][0]


def test_items_with_the_same_key_merge_and_the_later_wins(importer, shop):
    body = post(importer, shop, [
        {"email": "ann@example.com", "first_name": "Ann", "fields": {"age": 30}},
        {"email": "Ann@Example.com", "first_name": "Anna"},
    ]).json()  # fmt: skip
    first, second = body["results"]
    assert second["result"] == "created"
    assert first["result"] == "skipped" and first["id"] == second["id"]
    assert first["errors"] == {"row": ["Merged into item 1, which has the same matching value."]}
    profile = Profile.objects.get(pk=second["id"])
    assert (profile.first_name, profile.fields) == ("Anna", {"age": 30})
    assert body["created"] + body["skipped"] == 2


def test_skip_existing_leaves_profiles_as_they_are(importer, shop):
    ann = ProfileFactory(database=shop, email="ann@example.com", first_name="Ann")
    body = post(importer, shop, [{"email": "ann@example.com", "first_name": "X"}],
                skip_existing=True).json()  # fmt: skip
    assert body["results"][0]["result"] == "skipped"
    ann.refresh_from_db()
    assert ann.first_name == "Ann"


def test_matching_by_phone_id_and_unique_field(importer, shop):
    CustomFieldFactory(database=shop, name="card", type="line", unique=True)
    by_phone = ProfileFactory(database=shop, phones=["+442079460123"])
    by_id = ProfileFactory(database=shop)
    by_card = ProfileFactory(database=shop, fields={"card": "C-1"})
    assert post(importer, shop, [{"phones": ["+44 20 7946 0123"], "first_name": "P"}],
                matching="phone").json()["results"][0]["id"] == by_phone.pk  # fmt: skip
    assert post(importer, shop, [{"id": by_id.pk, "first_name": "I"}],
                matching="id").json()["results"][0]["id"] == by_id.pk  # fmt: skip
    assert post(importer, shop, [{"fields": {"card": "C-1"}, "first_name": "C"}],
                matching="field:card").json()["results"][0]["id"] == by_card.pk  # fmt: skip
    names = dict(Profile.objects.values_list("id", "first_name"))
    assert (names[by_phone.pk], names[by_id.pk], names[by_card.pk]) == ("P", "I", "C")


def test_an_unknown_id_is_an_error_not_a_new_profile(importer, shop):
    body = post(importer, shop, [{"id": 999999, "first_name": "X"}], matching="id").json()
    assert body["results"][0]["errors"] == {"id": ["No profile of this database has this id."]}
    assert not Profile.objects.exists()


def test_a_phone_two_profiles_hold_cannot_identify_one(importer, shop):
    ProfileFactory.create_batch(2, database=shop, phones=["+442079460123"])
    body = post(importer, shop, [{"phones": ["+442079460123"]}], matching="phone").json()
    assert body["failed"] == 1
    assert "2 profiles hold this value" in body["results"][0]["errors"]["phones"][0]


def test_matching_must_be_a_unique_field(importer, shop):
    answer = post(importer, shop, [{"email": "a@example.com"}], matching="field:tariff")
    assert answer.status_code == 400
    assert "not unique" in answer.json()["matching"][0]


def test_email_and_unique_values_of_other_profiles_are_refused(importer, shop):
    CustomFieldFactory(database=shop, name="card", type="line", unique=True)
    ProfileFactory(database=shop, email="taken@example.com", fields={"card": "C-1"})
    mine = ProfileFactory(database=shop, phones=["+442079460123"])
    body = post(importer, shop, [
        {"phones": ["+442079460123"], "email": "taken@example.com"},
        {"email": "new@example.com", "fields": {"card": "C-1"}},
        {"email": "new2@example.com", "fields": {"card": "C-2"}},
        {"email": "new3@example.com", "fields": {"card": "C-2"}},
    ], matching="phone").json()  # fmt: skip
    errors = [item["errors"] for item in body["results"]]
    assert errors[0] == {"email": ["Another profile of this database already has this email."]}
    # rows without a phone cannot match, so they create; their card values are checked
    assert errors[1] == {
        "fields": {"card": ["Another profile of this database already has this value."]}
    }  # noqa: E501
    assert body["results"][2]["result"] == "created"
    assert errors[3] == {"fields": {"card": ["Row 2 already has this value."]}}
    mine.refresh_from_db()
    assert mine.email != "taken@example.com"


def test_required_fields_and_defaults_apply_to_new_profiles_only(importer, shop):
    CustomFieldFactory(database=shop, name="plan", type="enum", options=["a", "b"], default="a")
    CustomFieldFactory(database=shop, name="code", type="line", required=True)
    old = ProfileFactory.build(database=shop)
    old.email = "old@example.com"
    existing = Profile.objects.create(database=shop, email="old@example.com")
    body = post(importer, shop, [
        {"email": "new@example.com"},
        {"email": "newer@example.com", "fields": {"code": "X"}},
        {"email": "old@example.com", "first_name": "Old"},
    ]).json()  # fmt: skip
    assert body["results"][0]["errors"] == {"fields": {"code": ["This field is required."]}}
    assert Profile.objects.get(pk=body["results"][1]["id"]).fields == {"plan": "a", "code": "X"}
    assert body["results"][2]["result"] == "updated"
    existing.refresh_from_db()
    assert existing.fields == {}
    # the refused item wrote nothing: no profile, no event without a profile
    assert not Profile.objects.filter(email="new@example.com").exists()
    assert not Event.objects.filter(type=EventType.IMPORT, profile__isnull=True).exists()


def test_detect_geo_fills_registration_city_and_country(importer, shop):
    body = post(importer, shop, [
        {"email": "geo@example.com", "registration": {"ip": "81.2.69.142"}},
        {"email": "nogeo@example.com", "registration": {"ip": "81.2.69.142", "city": "Leeds"}},
    ]).json()  # fmt: skip
    located = Profile.objects.get(pk=body["results"][0]["id"])
    assert (located.registration_city, located.registration_country) == ("London", "GB")
    given = Profile.objects.get(pk=body["results"][1]["id"])
    assert (given.registration_city, given.registration_country) == ("Leeds", "GB")
    item = {"email": "off@example.com", "registration": {"ip": "81.2.69.142"}}
    off = post(importer, shop, [item],
               detect_geo=False).json()  # fmt: skip
    assert Profile.objects.get(pk=off["results"][0]["id"]).registration_city == ""


def test_import_events_record_the_source_and_the_changes(importer, shop, marketer):
    ann = ProfileFactory(database=shop, email="ann@example.com", first_name="Ann")
    body = post(importer, shop, [
        {"email": "ann@example.com", "first_name": "Anna", "fields": {"age": 5}},
        {"email": "bob@example.com"},
    ]).json()  # fmt: skip
    events = Event.objects.filter(type=EventType.IMPORT, data__import=body["job"])
    by_profile = {event.profile_id: event for event in events}
    assert by_profile[ann.pk].data["changes"] == {
        "first_name": {"old": "Ann", "new": "Anna"}, "fields.age": {"old": None, "new": 5},
    }  # fmt: skip
    created = by_profile[body["results"][1]["id"]]
    assert created.data == {"source": "api", "import": body["job"]}
    assert created.actor_id == marketer.pk


def test_a_batch_holds_at_most_a_thousand_profiles(importer, shop):
    answer = post(importer, shop, [{"email": f"u{n}@example.com"} for n in range(1001)])
    assert answer.status_code == 400
    assert "profiles" in answer.json()
    assert not Profile.objects.exists()


def test_unknown_keys_and_wrong_shapes_fail_only_their_item(importer, shop):
    body = post(importer, shop, ["not an object", {"email": "a@example.com", "colour": "red"},
                                 {"email": "ok@example.com"}]).json()  # fmt: skip
    assert [item["result"] for item in body["results"]] == ["error", "error", "created"]
    assert body["results"][1]["errors"] == {"colour": ["Unknown field."]}


def test_import_needs_add_and_change_permissions(shop, viewer_without_permission):
    client = APIClient()
    assert post(client, shop, [{"email": "a@example.com"}]).status_code == 401
    client.force_authenticate(viewer_without_permission)
    assert post(client, shop, [{"email": "a@example.com"}]).status_code == 403
    grant(viewer_without_permission, "add_profile")
    assert post(client, shop, [{"email": "a@example.com"}]).status_code == 403
    assert not ImportRow.objects.exists()


def test_query_count_does_not_grow_with_the_batch(importer, shop, django_assert_max_num_queries):
    # SQLite's bulk statements take at most 999 parameters (27 profiles); PostgreSQL's COPY
    # takes any number, so there the large batch is 300.
    large_size = 300 if connection.vendor == "postgresql" else 25
    ProfileFactory.create_batch(5, database=shop)
    small = [{"email": f"s{n}@example.com", "fields": {"age": n}} for n in range(5)]
    large = [{"email": f"l{n}@example.com", "fields": {"age": n}} for n in range(large_size)]
    # savepoints, job, matching, uniqueness checks, ids, insert, events, row log, counters:
    # the same statements for 5 profiles as for many
    with django_assert_max_num_queries(30) as small_queries:
        assert post(importer, shop, small).json()["created"] == 5
    with django_assert_max_num_queries(len(small_queries)):
        assert post(importer, shop, large).json()["created"] == large_size
