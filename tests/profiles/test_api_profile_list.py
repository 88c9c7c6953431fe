"""Listing, filtering and paginating a database's profiles; auth and permissions (A1, A2)."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.conftest import grant
from tests.profiles.factories import (
    CustomFieldFactory,
    ProfileDatabaseFactory,
    ProfileFactory,
    UserFactory,
)


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def people(shop):
    return {
        "ann": ProfileFactory(
            database=shop,
            email="ann@example.com",
            first_name="Ann",
            last_name="Lee",
            phones=["+79123456789"],
            fields={"tariff": "pro"},
        ),
        "bob": ProfileFactory(
            database=shop,
            email="bob@example.com",
            first_name="Bob",
            status="unsubscribed",
            is_test=True,
            fields={"age": 33},
        ),
        "cat": ProfileFactory(
            database=shop,
            email="cat@example.com",
            first_name="Cat",
            fields={"interests": ["sale", "kids"]},
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=unsubscribed", ["bob"]),
        ("is_test=true", ["bob"]),
        ("email=ANN@example.com", ["ann"]),
        ("phone=%2B7 912 345 67 89", ["ann"]),
        ("q=ann@example.com", ["ann"]),
        ("q=Ann Lee", ["ann"]),
        ("q=tariff:pro", ["ann"]),
        ("q=age:33", ["bob"]),
        ("q=interests:sale", ["cat"]),
        ("q=%2B79123456789", ["ann"]),
    ],
)
def test_filters_find_the_right_profiles(api, shop, people, query, expected):
    response = api.get(f"/api/v1/databases/{shop.id}/profiles/?{query}")
    assert response.status_code == 200
    assert ids(response) == [people[name].id for name in expected]


def test_search_by_identifiers(api, shop, people):
    ann = people["ann"]
    for text in (str(ann.id), ann.md5, ann.xxh.upper()):
        assert ids(api.get(f"/api/v1/databases/{shop.id}/profiles/", {"q": text})) == [ann.id]


@pytest.mark.parametrize(
    ("query", "key"),
    [("phone=abc", "phone"), ("q=nosuch:1", "q"), ("q=age:old", "q"), ("status=gone", "status")],
)
def test_bad_filter_answers_400_naming_it(api, shop, people, query, key):
    response = api.get(f"/api/v1/databases/{shop.id}/profiles/?{query}")
    assert response.status_code == 400
    assert key in response.json()


def test_list_shows_only_the_databases_profiles(api, shop, people):
    ProfileFactory(database=ProfileDatabaseFactory())
    assert ids(api.get(f"/api/v1/databases/{shop.id}/profiles/")) == sorted(
        person.id for person in people.values()
    )


def test_keyset_pagination_walks_every_profile_once(api, shop, django_assert_max_num_queries):
    # given
    created = [ProfileFactory(database=shop).id for _ in range(7)]
    seen, url = [], f"/api/v1/databases/{shop.id}/profiles/?limit=3"
    # when
    while url:
        # database lookup, session/permission checks, one page of profiles
        with django_assert_max_num_queries(5):
            page = api.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    # then
    assert seen == created


def test_list_query_count_does_not_grow_with_profiles(api, shop, django_assert_num_queries):
    for _ in range(30):
        ProfileFactory(database=shop, phones=["+79123456789"], fields={"tariff": "pro"})
    # 1 database, 1 user permissions, 1 group permissions, 1 page of profiles
    with django_assert_num_queries(4):
        response = api.get(f"/api/v1/databases/{shop.id}/profiles/?limit=30")
    assert len(response.json()["results"]) == 30


def test_no_credentials_answer_401(shop):
    response = APIClient().get(f"/api/v1/databases/{shop.id}/profiles/")
    assert response.status_code == 401


def test_token_auth_works(shop, marketer):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=marketer).key}")
    assert client.get(f"/api/v1/databases/{shop.id}/profiles/").status_code == 200


def test_session_auth_works(client, shop, marketer):
    client.force_login(marketer)
    assert client.get(f"/api/v1/databases/{shop.id}/profiles/").status_code == 200


def test_reading_needs_the_view_permission(shop, viewer_without_permission):
    client = APIClient()
    client.force_authenticate(viewer_without_permission)
    assert client.get(f"/api/v1/databases/{shop.id}/profiles/").status_code == 403
    assert client.get("/api/v1/databases/").status_code == 403


def test_writing_needs_the_add_permission(shop):
    # given a user who may only look
    reader = grant(UserFactory(), "view_profile", "view_profiledatabase")
    client = APIClient()
    client.force_authenticate(reader)
    # when
    response = client.post(f"/api/v1/databases/{shop.id}/profiles/", {}, format="json")
    # then
    assert response.status_code == 403


def test_field_search_in_an_empty_database_finds_nothing(api, shop):
    response = api.get(f"/api/v1/databases/{shop.id}/profiles/", {"q": "tariff:pro"})
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_field_search_names_only_this_databases_fields(api, shop, people):
    other = ProfileDatabaseFactory()
    CustomFieldFactory(database=other, name="nickname")
    response = api.get(f"/api/v1/databases/{shop.id}/profiles/", {"q": "nickname:x"})
    assert response.status_code == 400
    assert "nickname" in response.json()["q"][0]
