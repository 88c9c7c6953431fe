"""No input may cause a 500 on the staff pages (also run on PostgreSQL, which refuses NUL)."""

import pytest
from django.urls import reverse

from subscriptions.models import Subscription
from tests.profiles.factories import ProfileFactory
from tests.subscriptions.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def test_nul_characters_are_refused_with_a_message(client, desk_marketer, shop):
    profile = ProfileFactory(database=shop)
    resource = ResourceFactory(channels=["custom"])
    client.force_login(desk_marketer)
    added = client.post(
        reverse("profile-subscription-add", args=[profile.pk]),
        {"resource": resource.pk, "channel": "custom", "contact": "a\x00b"}, follow=True,
    )  # fmt: skip
    tab = client.post(
        reverse("profile-tabs", args=[profile.pk, "add"]),
        {"title": "x\x00", "fields": ["email"]}, follow=True,
    )  # fmt: skip
    assert "contact: Remove the NUL character" in added.content.decode()
    assert "title: Remove the NUL character" in tab.content.decode()
    assert not Subscription.objects.exists()


def test_odd_query_strings_never_500(client, desk_marketer, shop):
    profile = ProfileFactory(database=shop)
    client.force_login(desk_marketer)
    huge = "9" * 30
    pages = [
        client.get(reverse("quick-search"), {"q": "a\x00b"}),
        client.get(reverse("quick-search"), {"q": huge}),
        client.get(reverse("staff-profile-list", args=[shop.pk]), {"q": "\x00", "page": huge}),
        client.get(reverse("profile-page", args=[profile.pk]),
                   {"tab": "\x00", "h-types": "\x00", "h-before": f"2026-01-01T00:00:00_{huge}"}),
        client.post(
            reverse("profile-subscription-change", args=[profile.pk]), {"subscription": huge}
        ),
    ]  # fmt: skip
    assert [page.status_code for page in pages] == [200, 200, 200, 200, 404]
