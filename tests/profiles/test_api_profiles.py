"""P2, P4-P6 profiles through the REST API (API.md "Profiles")."""

import pytest

from profiles.models import Profile
from profiles.services import profile_digests
from tests.conftest import grant
from tests.profiles.factories import ProfileDatabaseFactory, ProfileFactory

REPRESENTATION_KEYS = {
    "id",
    "database",
    "md5",
    "xxh",
    "status",
    "is_test",
    "email",
    "phones",
    "first_name",
    "last_name",
    "middle_name",
    "birthday",
    "gender",
    "registration",
    "tracked",
    "utm",
    "fields",
    "avatar",
    "created_at",
    "updated_at",
}


def profiles_url(database) -> str:
    return f"/api/v1/databases/{database.id}/profiles/"


def test_create_profile_returns_the_full_representation(api, shop):
    # when
    response = api.post(
        profiles_url(shop),
        {
            "email": "Ann@Example.COM",
            "phones": ["+7 912 345-67-89", "+79123456789", "+1 201-555-0123"],
            "first_name": "Ann",
            "birthday": "1990-04-01",
            "gender": "female",
            "registration": {
                "ip": "81.2.69.142",
                "country": "gb",
                "date": "2024-05-01T10:00:00+03:00",
            },
            "tracked": {"latitude": 51.5, "longitude": -0.09, "timezone": "Europe/London"},
            "utm": {"source": "google"},
            "fields": {"tariff": "pro", "age": 33, "interests": "a|b;c"},
        },
        format="json",
    )
    # then
    body = response.json()
    assert response.status_code == 201
    assert set(body) == REPRESENTATION_KEYS
    assert body["email"] == "Ann@example.com"
    assert body["phones"] == ["+79123456789", "+12015550123"]
    assert body["registration"] == {
        "date": "2024-05-01T07:00:00Z",
        "ip": "81.2.69.142",
        "city": "",
        "country": "GB",
        "link": "",
        "provider": "",
    }
    assert body["tracked"]["latitude"] == 51.5 and body["tracked"]["ip"] == ""
    assert body["utm"] == {
        "source": "google",
        "medium": "",
        "campaign": "",
        "term": "",
        "content": "",
    }
    assert body["fields"] == {"tariff": "pro", "age": 33, "interests": ["a", "b", "c"]}
    assert (body["md5"], body["xxh"]) == profile_digests(body["id"])


def test_profile_without_email_gets_the_localhost_placeholder(api, shop):
    response = api.post(profiles_url(shop), {"first_name": "Nobody"}, format="json")
    body = response.json()
    assert body["email"] == f"{body['id']}@localhost"


def test_identifiers_are_unique_hex_digests(api, shop):
    ids = [api.post(profiles_url(shop), {}, format="json").json() for _ in range(3)]
    assert len({row["md5"] for row in ids}) == 3 and len({row["xxh"] for row in ids}) == 3
    assert all(len(row["md5"]) == 32 and len(row["xxh"]) == 16 for row in ids)
    assert all(int(row["md5"], 16) >= 0 and int(row["xxh"], 16) >= 0 for row in ids)


def test_email_is_unique_per_database_whatever_the_case(api, shop):
    # given
    ProfileFactory(database=shop, email="ann@example.com")
    other = ProfileDatabaseFactory()
    # when
    same_db = api.post(profiles_url(shop), {"email": "ANN@example.com"}, format="json")
    other_db = api.post(profiles_url(other), {"email": "ANN@example.com"}, format="json")
    # then
    assert same_db.status_code == 400
    assert "already has this email" in same_db.json()["email"][0]
    assert other_db.status_code == 201


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "a@b"}, "email"),
        ({"phones": ["12345"]}, "phones"),
        ({"phones": ["+1 555 0000 000 000"]}, "phones"),
        ({"phones": "+79123456789"}, "phones"),
        ({"status": "active"}, "status"),
        ({"gender": "robot"}, "gender"),
        ({"birthday": "01/04/1990"}, "birthday"),
        ({"is_test": "maybe"}, "is_test"),
        ({"registration": {"ip": "999.1.1.1"}}, "registration"),
        ({"registration": {"country": "GBR"}}, "registration"),
        ({"registration": {"link": "not a url"}}, "registration"),
        ({"registration": {"planet": "Mars"}}, "registration"),
        ({"tracked": {"latitude": 91}}, "tracked"),
        ({"tracked": {"timezone": "Mars/Olympus"}}, "tracked"),
        ({"utm": "google"}, "utm"),
        ({"fields": ["tariff"]}, "fields"),
        ({"nickname": "x"}, "nickname"),
    ],
)
def test_invalid_standard_value_answers_400_naming_the_field(api, shop, body, key):
    response = api.post(profiles_url(shop), body, format="json")
    assert response.status_code == 400
    assert key in response.json()
    assert not Profile.objects.exists()


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"age": 2**63}, "64-bit"),
        ({"age": -(2**63) - 1}, "64-bit"),
        ({"age": 3.5}, "whole number"),
        ({"age": True}, "boolean"),
        ({"tariff": "gold"}, "not one of the options"),
        ({"interests": ["a,b"]}, "separator"),
        ({"colour": "red"}, "Unknown field"),
    ],
)
def test_invalid_custom_value_answers_400_under_fields(api, shop, fields, reason):
    # when
    response = api.post(profiles_url(shop), {"fields": fields}, format="json")
    # then
    (name,) = fields
    assert response.status_code == 400
    assert reason in response.json()["fields"][name][0]


def test_all_bad_custom_values_are_reported_at_once(api, shop):
    response = api.post(
        profiles_url(shop),
        {"email": "x", "fields": {"age": "old", "tariff": "gold"}},
        format="json",
    )
    assert set(response.json()) == {"email", "fields"}
    assert set(response.json()["fields"]) == {"age", "tariff"}


def test_int64_bounds_are_accepted(api, shop):
    response = api.post(profiles_url(shop), {"fields": {"age": 2**63 - 1}}, format="json")
    assert response.json()["fields"]["age"] == 2**63 - 1


def test_malformed_json_answers_400(api, shop):
    response = api.post(profiles_url(shop), "{bad json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_patch_merges_fields_key_by_key_and_null_clears(api, shop):
    # given
    profile = ProfileFactory(database=shop, fields={"tariff": "pro", "age": 30, "interests": ["a"]})
    # when
    response = api.patch(
        f"/api/v1/profiles/{profile.id}/", {"fields": {"age": 31, "interests": None}}, format="json"
    )
    # then
    assert response.status_code == 200
    assert response.json()["fields"] == {"tariff": "pro", "age": 31}
    profile.refresh_from_db()
    assert profile.fields == {"tariff": "pro", "age": 31}


def test_patch_changes_only_given_keys(api, shop):
    profile = ProfileFactory(database=shop, first_name="Ann", last_name="Lee", utm_source="google")
    response = api.patch(
        f"/api/v1/profiles/{profile.id}/",
        {"status": "unsubscribed", "is_test": True, "utm": {"medium": "cpc"}},
        format="json",
    )
    body = response.json()
    assert (body["status"], body["is_test"], body["first_name"]) == ("unsubscribed", True, "Ann")
    assert body["utm"]["source"] == "google" and body["utm"]["medium"] == "cpc"


def test_patch_with_bad_value_changes_nothing(api, shop):
    profile = ProfileFactory(database=shop, first_name="Ann", fields={"age": 30})
    response = api.patch(
        f"/api/v1/profiles/{profile.id}/",
        {"first_name": "Bob", "fields": {"age": "thirty"}},
        format="json",
    )
    assert response.status_code == 400
    profile.refresh_from_db()
    assert (profile.first_name, profile.fields) == ("Ann", {"age": 30})


def test_patch_echoing_read_only_keys_is_accepted(api, shop):
    profile = ProfileFactory(database=shop)
    body = api.get(f"/api/v1/profiles/{profile.id}/").json()
    body["first_name"] = "Changed"
    response = api.patch(f"/api/v1/profiles/{profile.id}/", body, format="json")
    assert response.status_code == 200
    assert response.json()["first_name"] == "Changed"


def test_clearing_email_restores_the_placeholder(api, shop):
    profile = ProfileFactory(database=shop, email="ann@example.com")
    response = api.patch(f"/api/v1/profiles/{profile.id}/", {"email": ""}, format="json")
    assert response.json()["email"] == f"{profile.id}@localhost"


def test_required_field_is_enforced_on_create(api, shop):
    api.patch(f"/api/v1/databases/{shop.id}/fields/tariff/", {"required": True}, format="json")
    response = api.post(profiles_url(shop), {"email": "a@example.com"}, format="json")
    assert response.json()["fields"]["tariff"] == ["This field is required."]


def test_default_is_stored_on_new_profiles(api, shop):
    api.patch(f"/api/v1/databases/{shop.id}/fields/tariff/", {"default": "basic"}, format="json")
    response = api.post(profiles_url(shop), {}, format="json")
    assert response.json()["fields"] == {"tariff": "basic"}


def test_put_is_not_offered(api, shop):
    profile = ProfileFactory(database=shop)
    assert api.put(f"/api/v1/profiles/{profile.id}/", {}, format="json").status_code == 405


def test_delete_profile_needs_the_delete_permission(api, marketer, shop):
    # given
    profile = ProfileFactory(database=shop)
    # when / then
    assert api.delete(f"/api/v1/profiles/{profile.id}/").status_code == 403
    api.force_authenticate(type(marketer).objects.get(pk=grant(marketer, "delete_profile").pk))
    assert api.delete(f"/api/v1/profiles/{profile.id}/").status_code == 204
    assert not Profile.objects.filter(pk=profile.pk).exists()


def test_missing_profile_answers_404(api):
    assert api.get("/api/v1/profiles/424242/").status_code == 404


def test_patch_echoing_the_placeholder_email_keeps_it(api, shop):
    # given a profile created without an email
    created = api.post(profiles_url(shop), {"first_name": "Nobody"}, format="json").json()
    # when the client sends back what it read
    created["first_name"] = "Somebody"
    response = api.patch(f"/api/v1/profiles/{created['id']}/", created, format="json")
    # then
    assert response.status_code == 200
    assert response.json()["email"] == f"{created['id']}@localhost"


def test_a_field_made_required_later_does_not_block_unrelated_changes(api, shop):
    # given a profile without a tariff, then tariff becomes required
    profile = ProfileFactory(database=shop, fields={"age": 30})
    api.patch(f"/api/v1/databases/{shop.id}/fields/tariff/", {"required": True}, format="json")
    # when
    unrelated = api.patch(f"/api/v1/profiles/{profile.id}/", {"fields": {"age": 31}}, format="json")
    # then
    assert unrelated.status_code == 200
    assert unrelated.json()["fields"] == {"age": 31}


def test_duplicate_in_a_unique_field_named_like_email_blames_that_field(api, shop):
    # given a unique custom field whose name contains "email"
    api.post(f"/api/v1/databases/{shop.id}/fields/",
             {"name": "work_email", "type": "line", "unique": True}, format="json")  # fmt: skip
    api.post(profiles_url(shop), {"fields": {"work_email": "a@corp.example"}}, format="json")
    # when
    response = api.post(profiles_url(shop), {"fields": {"work_email": "a@corp.example"}},
                        format="json")  # fmt: skip
    # then
    assert response.status_code == 400
    assert set(response.json()) == {"fields"}
    assert "work_email" in response.json()["fields"]


# G2: "detect_geo" on create


def test_create_with_detect_geo_fills_registration_city_and_country(api, shop):
    # when
    response = api.post(
        profiles_url(shop),
        {"email": "ann@example.com", "registration": {"ip": "81.2.69.142"}, "detect_geo": True},
        format="json",
    )
    # then
    assert response.status_code == 201
    assert response.json()["registration"]["city"] == "London"
    assert response.json()["registration"]["country"] == "GB"
    stored = Profile.objects.get(pk=response.json()["id"])
    assert (stored.registration_city, stored.registration_country) == ("London", "GB")


@pytest.mark.parametrize(
    ("registration", "city", "country"),
    [
        ({"ip": "2.125.160.216", "city": "Newbury"}, "Newbury", "GB"),
        ({"ip": "2.125.160.216", "country": "ie"}, "Boxford", "IE"),
        ({"ip": "2001:218::1"}, "", "JP"),
        ({"ip": "10.0.0.1"}, "", ""),
        ({"ip": ""}, "", ""),
        ({}, "", ""),
    ],
)
def test_detect_geo_fills_only_what_the_client_left_empty(api, shop, registration, city, country):
    body = {"registration": registration, "detect_geo": True}
    response = api.post(profiles_url(shop), body, format="json")
    registered = response.json()["registration"]
    assert response.status_code == 201
    assert (registered["city"], registered["country"]) == (city, country)


@pytest.mark.parametrize("extra", [{"detect_geo": False}, {}])
def test_create_without_detect_geo_leaves_city_and_country_as_given(api, shop, extra):
    body = {"registration": {"ip": "81.2.69.142"}, **extra}
    response = api.post(profiles_url(shop), body, format="json")
    registered = response.json()["registration"]
    assert response.status_code == 201
    assert (registered["city"], registered["country"]) == ("", "")


def test_detect_geo_must_be_a_boolean(api, shop):
    body = {"registration": {"ip": "81.2.69.142"}, "detect_geo": "perhaps"}
    response = api.post(profiles_url(shop), body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["detect_geo"]


def test_detect_geo_is_for_create_only(api, shop):
    profile = ProfileFactory(database=shop)
    body = {"registration": {"ip": "81.2.69.142"}, "detect_geo": True}
    response = api.patch(f"/api/v1/profiles/{profile.id}/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"detect_geo": ["Unknown field."]}
