"""The profile page (issue 6): header, six tabs, side panels, blocks and its query budget."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from history.models import EventType
from history.services import EventDraft, record_many
from profiles import blocks
from tests.profiles.factories import ProfileFactory
from tests.subscriptions.factories import ResourceFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


def page(client, profile, **query):
    return client.get(reverse("profile-page", args=[profile.pk]), query)


def events(profile, count, *, type="open", days_ago=1):
    now = timezone.now()
    drafts = [
        EventDraft(
            type=type, ts=now - timedelta(days=days_ago, seconds=i), profile_id=profile.pk,
            database_id=profile.database_id, channel="email",
        )
        for i in range(count)
    ]  # fmt: skip
    record_many(drafts)


def test_anonymous_visitor_is_sent_to_the_login_page(client, shop):
    # given
    profile = ProfileFactory(database=shop)
    # when
    response = page(client, profile)
    # then
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/profiles/")


def test_user_without_view_permission_gets_403(client, viewer_without_permission, shop):
    client.force_login(viewer_without_permission)
    assert page(client, ProfileFactory(database=shop)).status_code == 403


def test_unknown_profile_is_404(client, desk_marketer):
    client.force_login(desk_marketer)
    assert client.get(reverse("profile-page", args=[999999])).status_code == 404


def test_header_shows_identifiers_status_and_marks(client, desk_marketer, shop):
    # given
    profile = ProfileFactory(database=shop, first_name="Ann", last_name="Lee", is_test=True)
    client.force_login(desk_marketer)
    # when
    html = page(client, profile).content.decode()
    # then
    for expected in ("Ann Lee", str(profile.pk), profile.md5, profile.xxh, "test subscriber"):
        assert expected in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_six_standard_tabs_then_the_default_tab_is_open(client, desk_marketer, shop):
    client.force_login(desk_marketer)
    profile = ProfileFactory(database=shop, fields={"tariff": "pro"})
    html = page(client, profile).content.decode()
    for title in ("Main", "Personal", "Contact", "Registration", "Tracked", "Additional fields"):
        assert f">{title}" in html
    assert 'id="panel-main" aria-labelledby="tab-main" tabindex="0">' in html  # not hidden
    assert 'id="panel-personal" aria-labelledby="tab-personal" tabindex="0" hidden>' in html
    assert "pro" in html  # the Additional fields tab shows the custom field


def test_tab_query_opens_that_tab(client, desk_marketer, shop):
    client.force_login(desk_marketer)
    html = page(client, ProfileFactory(database=shop), tab="tracked").content.decode()
    assert 'id="panel-tracked" aria-labelledby="tab-tracked" tabindex="0">' in html


def test_map_pin_is_placed_from_latitude_and_longitude(client, desk_marketer, shop):
    client.force_login(desk_marketer)
    profile = ProfileFactory(database=shop, tracked_latitude=0.0, tracked_longitude=90.0)
    html = page(client, profile).content.decode()
    assert "left: 75.0%; top: 50.0%;" in html


def test_no_pin_without_coordinates(client, desk_marketer, shop):
    client.force_login(desk_marketer)
    html = page(client, ProfileFactory(database=shop)).content.decode()
    assert 'data-testid="map-pin"' not in html


def test_utm_and_latest_activity_with_its_device(client, desk_marketer, shop):
    # given
    profile = ProfileFactory(database=shop, utm_source="newsletter", utm_campaign="spring")
    ua = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36"  # noqa: E501
    record_many([EventDraft(type="pixel", ts=timezone.now(), profile_id=profile.pk,
                            database_id=profile.database_id, data={"user_agent": ua})])  # fmt: skip
    client.force_login(desk_marketer)
    # when
    html = page(client, profile).content.decode()
    # then
    assert "newsletter" in html and "spring" in html
    assert "Android" in html and "Chrome" in html and "mobile" in html


def test_message_summary_highlights_actions_that_happened(client, desk_marketer, shop):
    profile = ProfileFactory(database=shop)
    events(profile, 1, type=EventType.OPEN)
    client.force_login(desk_marketer)
    html = page(client, profile).content.decode()
    assert 'class="icon on" data-testid="summary-email-opened"' in html
    assert 'class="icon" data-testid="summary-email-clicked"' in html


def test_a_missing_block_shows_an_honest_empty_state(client, admin_user, shop, monkeypatch):
    # given every app's block but the Data block (as when its app is not installed)
    without_data = {key: block for key, block in blocks._BLOCKS.items() if key != "data"}
    monkeypatch.setattr(blocks, "_BLOCKS", without_data)
    client.force_login(admin_user)  # sees every block
    # when
    html = page(client, ProfileFactory(database=shop)).content.decode()
    # then every expected block has its place, and only the Data block says it is missing
    for expected in blocks.EXPECTED_BLOCKS:
        assert f'id="block-{expected.key}"' in html
        assert (expected.empty_text in html) == (expected.key == "data")


def test_blocks_need_their_permission(client, marketer, shop):
    client.force_login(marketer)
    html = page(client, ProfileFactory(database=shop)).content.decode()
    assert 'id="block-history"' not in html
    assert 'id="block-subscriptions"' not in html


def test_page_query_count_does_not_grow_with_history_or_subscriptions(
    client, desk_marketer, shop, django_assert_max_num_queries
):
    # given a profile with a long history and many subscriptions
    profile = ProfileFactory(database=shop)
    events(profile, 300)
    events(profile, 20, type=EventType.PROFILE_UPDATED)
    resource = ResourceFactory()
    for n in range(25):
        SubscriptionFactory(profile=profile, resource=resource, contact=f"c{n}@example.com")
    client.force_login(desk_marketer)
    # when / then: session, user, user permissions, group permissions, profile + database,
    # custom fields, tab layout, latest event, message summary, history page, resource names,
    # subscriptions + resources, every resource (add form); the Data block: filled forms,
    # promo codes, pixel events (no orders without market.view_order)
    with django_assert_max_num_queries(16):
        response = page(client, profile)
    assert response.status_code == 200
    assert response.content.decode().count("<tr data-type=") == 50  # one page of 50
