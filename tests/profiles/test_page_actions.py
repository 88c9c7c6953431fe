"""The profile page header's actions (P5-P8): status, test flag, avatar, export, delete."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from history.models import Event, EventType
from profiles import avatars
from profiles.models import Profile
from tests.conftest import grant
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db


def png(size=(4, 4)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, "PNG")
    return SimpleUploadedFile("face.png", buffer.getvalue(), content_type="image/png")


def post(client, name, profile, data=None, **kwargs):
    return client.post(reverse(name, args=[profile.pk]), data or {}, **kwargs)


def test_status_change_is_saved_and_recorded(client, desk_marketer, shop):
    # given
    profile = ProfileFactory(database=shop)
    client.force_login(desk_marketer)
    # when
    response = post(client, "profile-status", profile, {"status": "suspended"})
    # then
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.status == "suspended"
    event = Event.objects.get(profile_id=profile.pk, type=EventType.STATUS_CHANGED)
    assert (
        event.data == {"old": "subscribed", "new": "suspended"}
        and event.actor_id == desk_marketer.pk
    )


def test_unknown_status_is_refused_with_a_message(client, desk_marketer, shop):
    profile = ProfileFactory(database=shop)
    client.force_login(desk_marketer)
    response = post(client, "profile-status", profile, {"status": "gone"}, follow=True)
    assert "is not one of the statuses" in response.content.decode()
    profile.refresh_from_db()
    assert profile.status == "subscribed"


def test_status_change_needs_change_permission(client, shop, viewer_without_permission):
    grant(viewer_without_permission, "view_profile")
    profile = ProfileFactory(database=shop)
    client.force_login(viewer_without_permission)
    assert post(client, "profile-status", profile, {"status": "invalid"}).status_code == 403


def test_actions_refuse_a_post_without_csrf_token(desk_marketer, shop):
    profile = ProfileFactory(database=shop)
    client = Client(enforce_csrf_checks=True)
    client.force_login(desk_marketer)
    assert post(client, "profile-status", profile, {"status": "invalid"}).status_code == 403
    assert post(client, "profile-test-flag", profile, {"is_test": "on"}).status_code == 403


def test_test_flag_toggles(client, desk_marketer, shop):
    profile = ProfileFactory(database=shop)
    client.force_login(desk_marketer)
    post(client, "profile-test-flag", profile, {"is_test": "on"})
    profile.refresh_from_db()
    assert profile.is_test
    post(client, "profile-test-flag", profile, {"is_test": "off"})
    profile.refresh_from_db()
    assert not profile.is_test


def test_avatar_upload_and_replace(client, desk_marketer, shop):
    # given
    profile = ProfileFactory(database=shop)
    client.force_login(desk_marketer)
    # when
    post(client, "profile-avatar", profile, {"avatar": png()})
    profile.refresh_from_db()
    first = profile.avatar.name
    post(client, "profile-avatar", profile, {"avatar": png()})
    profile.refresh_from_db()
    # then
    assert first.startswith("avatars/") and profile.avatar.name != first
    assert profile.avatar.storage.exists(profile.avatar.name)
    assert (
        f'src="{profile.avatar.url}"'
        in client.get(reverse("profile-page", args=[profile.pk])).content.decode()
    )


def test_avatar_that_is_not_an_image_is_refused(client, desk_marketer, shop):
    profile = ProfileFactory(database=shop)
    client.force_login(desk_marketer)
    fake = SimpleUploadedFile("face.png", b"<svg onload=alert(1)>", content_type="image/png")
    response = post(client, "profile-avatar", profile, {"avatar": fake}, follow=True)
    assert "avatar: Upload a valid image" in response.content.decode()
    profile.refresh_from_db()
    assert not profile.avatar


def test_avatar_over_the_size_limit_is_refused(client, desk_marketer, shop, monkeypatch):
    monkeypatch.setattr(avatars, "AVATAR_MAX_BYTES", 10)
    profile = ProfileFactory(database=shop)
    client.force_login(desk_marketer)
    response = post(client, "profile-avatar", profile, {"avatar": png()}, follow=True)
    assert "the limit is 10\xa0bytes" in response.content.decode()
    profile.refresh_from_db()
    assert not profile.avatar


def test_personal_data_export_as_json_and_csv(client, desk_marketer, shop):
    profile = ProfileFactory(database=shop, email="ann@example.com")
    client.force_login(desk_marketer)
    as_json = client.get(reverse("profile-export", args=[profile.pk, "json"]))
    as_csv = client.get(reverse("profile-export", args=[profile.pk, "csv"]))
    document = json.loads(b"".join(as_json.streaming_content))
    assert document["profile"]["email"] == "ann@example.com"
    assert b"section,item,field,value" in b"".join(as_csv.streaming_content)
    assert client.get(reverse("profile-export", args=[profile.pk, "xml"])).status_code == 404


def test_export_needs_export_permission(client, marketer, shop):
    profile = ProfileFactory(database=shop)
    client.force_login(marketer)
    assert client.get(reverse("profile-export", args=[profile.pk, "json"])).status_code == 403
    assert (
        "Export personal data"
        not in client.get(reverse("profile-page", args=[profile.pk])).content.decode()
    )


def test_delete_requires_delete_permission(client, desk_marketer, shop):
    profile = ProfileFactory(database=shop)
    client.force_login(desk_marketer)
    assert post(client, "profile-delete", profile).status_code == 403
    assert Profile.objects.filter(pk=profile.pk).exists()


def test_delete_asks_for_confirmation_then_deletes_with_history(client, desk_marketer, shop):
    # given
    grant(desk_marketer, "delete_profile")
    profile = ProfileFactory(database=shop)
    client.force_login(desk_marketer)
    # when
    confirm = client.get(reverse("profile-delete", args=[profile.pk]))
    response = post(client, "profile-delete", profile)
    # then
    assert "Yes, delete profile" in confirm.content.decode()
    assert Profile.objects.filter(pk=profile.pk).exists() is False
    assert not Event.objects.filter(profile_id=profile.pk).exists()
    assert response["Location"] == reverse("staff-profile-list", args=[shop.pk])
