"""A2 with issue 10's permission cache (`roles.auth_cache`): a user's permission set is
read from the database once and then from the cache, and every change to who holds what
counts from the next request, whether made to the user, to a group or by deleting one.

Requests authenticate by token, so each loads its user afresh as in production."""

import pickle

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from roles import auth_cache
from tests.profiles.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

VIEW_PROFILE = "view_profile"


@pytest.fixture
def profile():
    return ProfileFactory()


@pytest.fixture
def user():
    return UserFactory(username="api-user")


def get_profile(user, profile) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0]}")
    return client.get(f"/api/v1/profiles/{profile.pk}/").status_code


def permission(codename: str = VIEW_PROFILE) -> Permission:
    return Permission.objects.get(content_type__app_label="profiles", codename=codename)


def test_the_second_request_reads_no_permission_table(user, profile):
    user.user_permissions.add(permission())
    assert get_profile(user, profile) == 200
    with CaptureQueriesContext(connection) as queries:
        assert get_profile(user, profile) == 200
    read = [query["sql"] for query in queries if "auth_permission" in query["sql"]]
    assert read == []


def test_a_right_taken_from_the_user_counts_from_the_next_request(user, profile):
    user.user_permissions.add(permission())
    assert get_profile(user, profile) == 200
    user.user_permissions.remove(permission())
    assert get_profile(user, profile) == 403
    user.user_permissions.add(permission())
    assert get_profile(user, profile) == 200


def test_a_right_taken_from_the_group_counts_from_the_next_request(user, profile):
    group = Group.objects.create(name="Readers")
    group.permissions.add(permission())
    user.groups.add(group)
    assert get_profile(user, profile) == 200
    group.permissions.clear()
    assert get_profile(user, profile) == 403


def test_leaving_or_deleting_the_group_counts_from_the_next_request(user, profile):
    group = Group.objects.create(name="Readers")
    group.permissions.add(permission())
    user.groups.add(group)
    assert get_profile(user, profile) == 200
    group.user_set.remove(user)  # the reverse side of the same relation
    assert get_profile(user, profile) == 403
    user.groups.add(group)
    assert get_profile(user, profile) == 200
    group.delete()  # removes the memberships without an m2m signal
    assert get_profile(user, profile) == 403


def test_superuser_and_active_flags_are_never_served_from_an_old_entry(user, profile):
    assert get_profile(user, profile) == 403
    user.is_superuser = True
    user.save()
    assert get_profile(user, profile) == 200
    user.is_active = False
    user.save()
    assert get_profile(user, profile) == 401  # token auth refuses an inactive user


def test_a_user_deleted_and_recreated_under_the_same_id_gets_no_old_rights(user, profile):
    user.user_permissions.add(permission())
    assert get_profile(user, profile) == 200
    pk = user.pk
    user.delete()
    again = UserFactory(pk=pk, username="someone-else")
    assert get_profile(again, profile) == 403


def test_with_the_cache_down_permissions_are_read_from_the_database(settings, user, profile):
    """REDIS_URL pointing at nothing: every request still gets its right answer, no 500."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # discard port: nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
    }
    assert get_profile(user, profile) == 403
    user.user_permissions.add(permission())  # the generation bump fails quietly too
    assert get_profile(user, profile) == 200


def test_the_second_request_reads_no_token(user, profile):
    user.user_permissions.add(permission())
    assert get_profile(user, profile) == 200
    with CaptureQueriesContext(connection) as queries:
        assert get_profile(user, profile) == 200
    read = [query["sql"] for query in queries if "authtoken_token" in query["sql"]]
    # get_or_create in get_profile reads the token once; authentication does not read it
    assert len(read) == 1 and "LIMIT" in read[0], read


def test_a_deleted_token_is_refused_from_the_next_request(user, profile):
    user.user_permissions.add(permission())
    client = APIClient()
    token = Token.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(f"/api/v1/profiles/{profile.pk}/").status_code == 200
    token.delete()
    assert client.get(f"/api/v1/profiles/{profile.pk}/").status_code == 401


def test_a_deactivated_user_is_refused_from_the_next_request(user, profile):
    user.user_permissions.add(permission())
    assert get_profile(user, profile) == 200
    user.is_active = False
    user.save()  # as the admin does
    assert get_profile(user, profile) == 401


def test_the_cache_never_holds_a_token_key(user, profile):
    user.user_permissions.add(permission())
    token = Token.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(f"/api/v1/profiles/{profile.pk}/").status_code == 200
    response = client.get(f"/api/v1/profiles/{profile.pk}/")  # served from the cache
    assert response.status_code == 200
    assert response.wsgi_request.auth.key == token.key
    stored = cache.get(auth_cache.token_key(token.key))
    assert stored is not None and token.key not in pickle.dumps(stored).decode("latin-1")


def test_a_token_request_makes_one_cache_read(user, profile, monkeypatch):
    """The token's entry carries the user's permission set: one get_many (entry and
    generation), no permission read of its own, once the entry is there."""
    user.user_permissions.add(permission())
    assert get_profile(user, profile) == 200  # fills the entry
    default, calls, depth = caches["default"], [], [0]

    def counted(name):
        original = getattr(default, name)

        def call(*args, **kwargs):
            if not depth[0]:  # the local-memory cache's get_many calls get for each key
                calls.append(name)
            depth[0] += 1
            try:
                return original(*args, **kwargs)
            finally:
                depth[0] -= 1

        return call

    for name in ("get", "get_many"):
        monkeypatch.setattr(default, name, counted(name))
    assert get_profile(user, profile) == 200
    assert calls == ["get_many"]


def test_a_right_given_after_the_token_was_cached_counts_from_the_next_request(user, profile):
    assert get_profile(user, profile) == 403  # the entry holds an empty permission set
    user.user_permissions.add(permission())
    assert get_profile(user, profile) == 200
    user.user_permissions.remove(permission())
    assert get_profile(user, profile) == 403


def test_an_entry_holds_no_permission_set_on_its_user(user, profile):
    """The user's own permission caches stay out of the entry: unpickled with them, it would
    answer from them after the generation moved on."""
    user.user_permissions.add(permission())
    token = Token.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(f"/api/v1/profiles/{profile.pk}/").status_code == 200
    assert client.get(f"/api/v1/profiles/{profile.pk}/").status_code == 200
    cached_user, _, _, permissions = cache.get(auth_cache.token_key(token.key))
    assert "profiles.view_profile" in permissions
    assert not {"_perm_cache", "_user_perm_cache", "_group_perm_cache"} & vars(cached_user).keys()
