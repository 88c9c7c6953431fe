"""The History (H2) and Subscriptions (S2) blocks of the profile page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from history.models import EventType
from history.services import EventDraft, record_many
from subscriptions.models import Subscription
from tests.conftest import grant
from tests.profiles.factories import ProfileFactory
from tests.subscriptions.factories import ResourceFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


def record(profile, type, *, days_ago=0, count=1, **fields):
    now = timezone.now()
    record_many([
        EventDraft(type=type, ts=now - timedelta(days=days_ago, seconds=n), profile_id=profile.pk,
                   database_id=profile.database_id, **fields)
        for n in range(count)
    ])  # fmt: skip


def history_types(client, profile, **query) -> list[str]:
    response = client.get(reverse("profile-page", args=[profile.pk]), query)
    html = response.content.decode()
    return [part.split('"')[0] for part in html.split('<tr data-type="')[1:]]


def test_history_defaults_to_the_last_7_days(client, desk_marketer, shop):
    # given
    profile = ProfileFactory(database=shop)
    record(profile, EventType.CLICK, days_ago=3)
    record(profile, EventType.REPLY, days_ago=10)
    client.force_login(desk_marketer)
    # when / then
    assert "reply" not in history_types(client, profile)
    assert "click" in history_types(client, profile)


def test_history_type_filter_and_period(client, desk_marketer, shop):
    profile = ProfileFactory(database=shop)
    record(profile, EventType.CLICK, days_ago=3)
    record(profile, EventType.REPLY, days_ago=10)
    client.force_login(desk_marketer)
    since = (timezone.localdate() - timedelta(days=30)).isoformat()
    assert history_types(client, profile, **{"h-types": "reply", "h-since": since}) == ["reply"]


def test_history_bad_period_is_explained_and_falls_back(client, desk_marketer, shop):
    profile = ProfileFactory(database=shop)
    client.force_login(desk_marketer)
    query = {"h-since": "2026-02-10", "h-until": "2026-02-01", "h-before": "x"}
    response = client.get(reverse("profile-page", args=[profile.pk]), query)
    assert response.status_code == 200
    assert "The period ends before it starts." in response.content.decode()


def test_history_field_changes_show_old_and_new(client, desk_marketer, shop):
    profile = ProfileFactory(database=shop, first_name="Ann")
    client.force_login(desk_marketer)
    client.post(reverse("profile-status", args=[profile.pk]), {"status": "suspended"})
    html = client.get(reverse("profile-page", args=[profile.pk])).content.decode()
    assert "status: subscribed → suspended" in html


def test_history_load_more_pages_by_keyset_without_repeats(client, desk_marketer, shop):
    # given 120 events in the period
    profile = ProfileFactory(database=shop)
    record(profile, EventType.OPEN, days_ago=1, count=120)
    client.force_login(desk_marketer)
    # when the rows view follows the "load more" link to the end
    page = client.get(reverse("profile-page", args=[profile.pk]))
    seen, more = page.content.decode().count('<tr data-type="'), page.context["more_query"]
    while more:
        rows = client.get(reverse("profile-history-rows", args=[profile.pk]) + "?" + more)
        seen += rows.content.decode().count('<tr data-type="')
        more = rows.context["more_query"]
    # then: 120 opens and the import event, each once
    assert seen == 121


def test_subscriptions_grouped_by_resource(client, desk_marketer, shop):
    profile = ProfileFactory(database=shop)
    web, app = ResourceFactory(name="Website"), ResourceFactory(name="App")
    SubscriptionFactory(profile=profile, resource=web, contact="a@example.com")
    SubscriptionFactory(profile=profile, resource=app, contact="b@example.com")
    client.force_login(desk_marketer)
    html = client.get(reverse("profile-page", args=[profile.pk])).content.decode()
    assert "<h3>Website</h3>" in html and "<h3>App</h3>" in html


def test_add_subscription_from_the_page(client, desk_marketer, shop):
    # given
    profile = ProfileFactory(database=shop)
    resource = ResourceFactory()
    client.force_login(desk_marketer)
    # when
    response = client.post(
        reverse("profile-subscription-add", args=[profile.pk]),
        {"resource": resource.pk, "channel": "email", "contact": "new@example.com", "priority": ""},
    )
    # then
    assert response["Location"].endswith("#block-subscriptions")
    assert Subscription.objects.get(profile=profile).contact == "new@example.com"


def test_add_subscription_errors_name_the_field(client, desk_marketer, shop):
    profile = ProfileFactory(database=shop)
    resource = ResourceFactory(channels=["email"])
    client.force_login(desk_marketer)
    url = reverse("profile-subscription-add", args=[profile.pk])
    bad_channel = client.post(
        url, {"resource": resource.pk, "channel": "sms", "contact": "+447700900123"}, follow=True
    )
    no_resource = client.post(
        url, {"resource": "x", "channel": "email", "contact": "a@b.co"}, follow=True
    )
    bad_priority = client.post(
        url,
        {"resource": resource.pk, "channel": "email", "contact": "a@b.co", "priority": "-1"},
        follow=True,
    )
    assert "channel:" in bad_channel.content.decode()
    assert "resource: Choose a resource." in no_resource.content.decode()
    assert "priority: Enter a whole number" in bad_priority.content.decode()
    assert not Subscription.objects.exists()


def test_change_subscription_status_priority_and_categories_inline(client, desk_marketer, shop):
    # given
    resource = ResourceFactory(categories=["news", "sales"])
    subscription = SubscriptionFactory(resource=resource, profile=ProfileFactory(database=shop))
    client.force_login(desk_marketer)
    # when
    client.post(
        reverse("profile-subscription-change", args=[subscription.profile_id]),
        {"subscription": subscription.pk, "status": "unsubscribed", "priority": "3",
         "categories": ["sales"]},
    )  # fmt: skip
    # then
    subscription.refresh_from_db()
    assert subscription.status == "unsubscribed" and subscription.priority == 3
    assert subscription.categories == {"news": False, "sales": True}


def test_subscription_forms_need_subscription_permissions(client, exporter, shop):
    subscription = SubscriptionFactory(profile=ProfileFactory(database=shop))
    client.force_login(exporter)
    url = reverse("profile-subscription-change", args=[subscription.profile_id])
    assert client.post(url, {"subscription": subscription.pk}).status_code == 403


def test_change_subscription_of_another_profile_is_404(client, desk_marketer, shop):
    subscription = SubscriptionFactory(profile=ProfileFactory(database=shop))
    other = ProfileFactory(database=shop)
    client.force_login(desk_marketer)
    url = reverse("profile-subscription-change", args=[other.pk])
    assert (
        client.post(url, {"subscription": subscription.pk, "status": "invalid"}).status_code == 404
    )
    assert client.post(url, {"subscription": "x"}).status_code == 404


def test_subscriptions_read_only_without_change_permission(client, exporter, shop):
    # given a viewer of subscriptions who may not change them
    grant(exporter, "view_subscription")
    resource = ResourceFactory(categories=["news", "sales"])
    SubscriptionFactory(
        profile=(profile := ProfileFactory(database=shop)), resource=resource,
        contact="ro@example.com", categories={"news": True},
    )  # fmt: skip
    client.force_login(exporter)
    # when
    html = client.get(reverse("profile-page", args=[profile.pk])).content.decode()
    # then
    assert "ro@example.com" in html and '<span class="badge">news</span>' in html
    assert "profile-subscription-change" not in html and 'name="subscription"' not in html
    assert "Add subscription" not in html


def test_load_more_rows_query_budget(client, desk_marketer, shop, django_assert_max_num_queries):
    profile = ProfileFactory(database=shop)
    record(profile, EventType.OPEN, days_ago=1, count=300, resource_id=1)
    client.force_login(desk_marketer)
    url = reverse("profile-history-rows", args=[profile.pk])
    # session, user, user permissions, group permissions, profile, history page, resource names
    with django_assert_max_num_queries(7):
        response = client.get(url)
    assert response.content.decode().count("<tr data-type=") == 50  # one page
