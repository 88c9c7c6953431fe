"""S6: the public double opt-in page, reached from a message without signing in."""

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core import signing
from django.test import Client, RequestFactory

from history.models import Event
from profiles.models import Status
from subscriptions import services
from subscriptions.confirmation import confirmation_url, subscription_for_token
from tests.profiles.factories import ProfileFactory
from tests.subscriptions.factories import ResourceFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(shop):
    """Ann's new subscription to a resource with double opt-in: unconfirmed."""
    resource = ResourceFactory(name="Newsletter", double_opt_in=True)
    profile = ProfileFactory(database=shop, email="ann@example.com")
    return SubscriptionFactory(profile=profile, resource=resource, contact="ann@example.com")


def events_since(subscription, last_id: int) -> list[str]:
    events = Event.objects.filter(subscription_id=subscription.pk, id__gt=last_id)
    return sorted(events.values_list("type", flat=True))


def last_event_id() -> int:
    return Event.objects.order_by("-id").values_list("id", flat=True).first() or 0


def link_made_ago(subscription, age: timedelta) -> str:
    then = signing.b62_encode(int(time.time() - age.total_seconds()))
    with mock.patch.object(signing.TimestampSigner, "timestamp", return_value=then):
        return confirmation_url(subscription)


def test_confirming_subscribes_and_records_one_confirm_and_one_subscribe(client, pending):
    # given
    before = last_event_id()
    # when
    response = client.post(confirmation_url(pending))
    # then
    assert response.status_code == 200
    assert "Your subscription is confirmed" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Status.SUBSCRIBED
    assert events_since(pending, before) == ["confirm", "subscribe"]


def test_opening_the_link_shows_a_button_and_changes_nothing(client, pending):
    # given: mail scanners open every link of a message
    before = last_event_id()
    # when
    response = client.get(confirmation_url(pending))
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert '<form method="post">' in page
    assert "Your subscription is confirmed" not in page
    pending.refresh_from_db()
    assert pending.status == Status.UNCONFIRMED
    assert events_since(pending, before) == []


def test_confirming_twice_shows_the_same_page_and_records_one_confirm(client, pending):
    # given
    before = last_event_id()
    url = confirmation_url(pending)
    first = client.post(url)
    # when
    second = client.post(url)
    # then
    assert second.status_code == 200
    assert "Your subscription is confirmed" in second.content.decode()
    assert second.content == first.content
    assert events_since(pending, before) == ["confirm", "subscribe"]


def test_opening_the_link_after_confirming_says_it_is_confirmed(client, pending):
    # given
    url = confirmation_url(pending)
    client.post(url)
    # when
    response = client.get(url)
    # then
    assert "Your subscription is confirmed" in response.content.decode()


def test_confirming_needs_the_pages_csrf_token(pending):
    # given
    browser = Client(enforce_csrf_checks=True)
    # when
    response = browser.post(confirmation_url(pending))
    # then
    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == Status.UNCONFIRMED


def test_link_older_than_seven_days_shows_a_400_page_and_changes_nothing(client, pending):
    # given
    url = link_made_ago(pending, timedelta(days=7, minutes=1))
    # when
    response = client.post(url)
    # then
    assert response.status_code == 400
    assert "This confirmation link has expired." in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Status.UNCONFIRMED


def test_link_six_days_old_still_confirms(client, pending):
    # given
    url = link_made_ago(pending, timedelta(days=6))
    # when
    client.post(url)
    # then
    pending.refresh_from_db()
    assert pending.status == Status.SUBSCRIBED


def test_link_lifetime_comes_from_the_setting(client, pending, settings):
    # given
    settings.SUBSCRIPTION_CONFIRM_MAX_AGE = 60
    url = link_made_ago(pending, timedelta(minutes=2))
    # when
    response = client.get(url)
    # then
    assert response.status_code == 400


def test_link_pointed_at_another_subscription_shows_a_400_page(client, pending):
    # given: the id part of the token changed by hand
    other = SubscriptionFactory(resource=pending.resource, contact="bob@example.com")
    token = confirmation_url(pending).rstrip("/").rsplit("/", 1)[1]
    forged = token.replace(f"{pending.pk}:", f"{other.pk}:", 1)
    # when
    response = client.post(f"/s/confirm/{forged}/")
    # then
    assert response.status_code == 400
    assert "This confirmation link is not valid." in response.content.decode()
    other.refresh_from_db()
    assert other.status == Status.UNCONFIRMED


@pytest.mark.parametrize("token", ["nonsense", "1:2:3", "%3Cscript%3E"])
def test_malformed_link_shows_a_400_page(client, db, token):
    # when
    response = client.get(f"/s/confirm/{token}/")
    # then
    assert response.status_code == 400
    assert "<script>" not in response.content.decode()


def test_link_of_a_deleted_subscription_shows_a_404_page(client, pending):
    # given
    url = confirmation_url(pending)
    services.delete_subscription(subscription=pending)
    # when
    response = client.post(url)
    # then
    assert response.status_code == 404
    assert "This subscription no longer exists." in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Status.UNCONFIRMED


def test_link_of_an_unsubscribed_subscription_does_not_subscribe_it(client, pending):
    # given: the person unsubscribed before opening the link
    url = confirmation_url(pending)
    services.change_subscription(subscription=pending, status=Status.UNSUBSCRIBED)
    # when
    response = client.post(url)
    # then
    assert "cannot be confirmed" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Status.UNSUBSCRIBED


def test_page_escapes_the_resource_name(client, shop):
    # given
    resource = ResourceFactory(name="<script>alert(1)</script>", double_opt_in=True)
    subscription = SubscriptionFactory(profile=ProfileFactory(database=shop), resource=resource)
    # when
    response = client.get(confirmation_url(subscription))
    # then
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_confirmation_url_is_absolute_with_a_request_and_names_the_subscription(pending, settings):
    # given
    settings.ALLOWED_HOSTS = ["shop.example.com"]
    request = RequestFactory().get("/", secure=True, HTTP_HOST="shop.example.com")
    # when
    url = confirmation_url(pending, request)
    # then
    assert url.startswith("https://shop.example.com/s/confirm/")
    token = url.removeprefix("https://shop.example.com/s/confirm/").rstrip("/")
    assert subscription_for_token(token) == pending
