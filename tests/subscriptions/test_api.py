"""API.md "Resources and subscriptions": paths, names and answers."""

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from history.models import Event
from profiles import services as profiles
from subscriptions.models import Subscription, Suppression
from tests.conftest import grant
from tests.profiles.factories import ProfileFactory, UserFactory
from tests.subscriptions.factories import ResourceFactory, SubscriptionFactory

ALL = [f"{action}_{model}" for action in ("view", "add", "change", "delete")
       for model in ("resource", "subscription", "suppression", "subscriptionfield")]  # fmt: skip


@pytest.fixture
def client(db):
    client = APIClient()
    client.force_authenticate(grant(UserFactory(), *ALL, "add_event"))
    return client


@pytest.fixture
def ann(shop):
    return ProfileFactory(database=shop, email="ann@example.com")


@pytest.fixture
def site(db):
    return ResourceFactory(name="Website", channels=["email", "sms"], categories=["news", "sales"])


def test_create_a_resource_as_api_md_shows(client):
    body = {"name": "Website", "channels": ["email", "sms"], "categories": ["news", "sales"],
            "auto_priority": True, "double_opt_in": False}  # fmt: skip
    response = client.post("/api/v1/resources/", body, format="json")
    assert response.status_code == 201
    assert {key: response.json()[key] for key in body} == body


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ({"name": "X", "channels": ["fax"]}, "channels"),
        ({"name": "X", "channels": ["email", "email"]}, "channels"),
        ({"name": "X", "channels": ["email"], "categories": ["Big News"]}, "categories"),
    ],
)
def test_bad_resource_answers_400(client, body, key):
    response = client.post("/api/v1/resources/", body, format="json")
    assert response.status_code == 400
    assert key in response.json()


def test_subscribe_and_read_the_representation(client, ann, site):
    # when
    response = client.post(
        f"/api/v1/profiles/{ann.id}/subscriptions/",
        {"resource": site.id, "channel": "email", "contact": "Ann@Example.com",
         "categories": {"news": True, "sales": False},
         "user_agent": "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 "
                       "(KHTML, like Gecko) Chrome/116.0.0.0 Mobile Safari/537.36"},
        format="json",
    )  # fmt: skip
    # then
    body = response.json()
    assert response.status_code == 201
    assert set(body) == {
        "id",
        "profile",
        "resource",
        "channel",
        "contact",
        "status",
        "priority",
        "categories",
        "device",
        "fields",
        "created_at",
        "updated_at",
    }
    assert (body["profile"], body["resource"], body["contact"]) == (
        ann.id,
        site.id,
        "Ann@example.com",
    )
    assert (body["status"], body["priority"]) == ("subscribed", 0)
    assert body["device"]["platform"] == "Android" and body["device"]["browser"]


def test_listing_is_ordered_by_resource_channel_priority_id(client, ann, site):
    other = ResourceFactory(channels=["email"])
    made = [
        SubscriptionFactory(profile=ann, resource=other, contact="z@example.com"),
        SubscriptionFactory(profile=ann, resource=site, channel="sms", contact="+447911123456"),
        SubscriptionFactory(profile=ann, resource=site, contact="b@example.com", priority=2),
        SubscriptionFactory(profile=ann, resource=site, contact="a@example.com", priority=1),
    ]
    listed = client.get(f"/api/v1/profiles/{ann.id}/subscriptions/").json()["results"]
    assert [row["id"] for row in listed] == [made[3].id, made[2].id, made[1].id, made[0].id]


def test_patch_changes_status_priority_and_categories(client, ann, site):
    subscription = SubscriptionFactory(profile=ann, resource=site, categories={"news": True})
    response = client.patch(
        f"/api/v1/subscriptions/{subscription.id}/",
        {"status": "unsubscribed", "priority": 4, "categories": {"sales": True}},
        format="json",
    )
    body = response.json()
    assert (body["status"], body["priority"]) == ("unsubscribed", 4)
    assert body["categories"] == {"news": True, "sales": True}
    assert Event.objects.filter(subscription_id=subscription.id, type="unsubscribe").exists()


def test_patch_cannot_move_a_subscription_to_another_contact(client, ann, site):
    subscription = SubscriptionFactory(profile=ann, resource=site, contact="a@example.com")
    client.patch(f"/api/v1/subscriptions/{subscription.id}/", {"contact": "b@example.com"},
                 format="json")  # fmt: skip
    subscription.refresh_from_db()
    assert subscription.contact == "a@example.com"


def test_delete_marks_deleted_and_hides_it(client, ann, site):
    subscription = SubscriptionFactory(profile=ann, resource=site)
    assert client.delete(f"/api/v1/subscriptions/{subscription.id}/").status_code == 204
    assert client.get(f"/api/v1/subscriptions/{subscription.id}/").status_code == 404
    assert Subscription.objects.get(pk=subscription.id).deleted_at is not None


def test_confirm_by_api(client, ann):
    resource = ResourceFactory(double_opt_in=True)
    subscription = SubscriptionFactory(profile=ann, resource=resource)
    response = client.post(f"/api/v1/subscriptions/{subscription.id}/confirm/")
    assert response.json()["status"] == "subscribed"


def test_delivery_target_answers_subscription_and_contact(client, ann, site):
    subscription = SubscriptionFactory(profile=ann, resource=site, contact="ann@example.com")
    response = client.get(f"/api/v1/profiles/{ann.id}/delivery-target/",
                          {"resource": site.id, "channel": "email"})  # fmt: skip
    assert response.json() == {"subscription": subscription.id, "contact": "ann@example.com"}


def test_delivery_target_explains_a_miss(client, ann, site):
    SubscriptionFactory(profile=ann, resource=site)
    profiles.update_profile(profile=ann, values={"status": "unsubscribed"})
    response = client.get(f"/api/v1/profiles/{ann.id}/delivery-target/",
                          {"resource": site.id, "channel": "email"})  # fmt: skip
    assert response.json() == {
        "subscription": None,
        "contact": None,
        "reason": "global status is unsubscribed",
    }


@pytest.mark.parametrize("query", [{}, {"resource": 999, "channel": "email"},
                                   {"resource": 1, "channel": "fax"}])  # fmt: skip
def test_delivery_target_needs_a_real_resource_and_channel(client, ann, query):
    response = client.get(f"/api/v1/profiles/{ann.id}/delivery-target/", query)
    assert response.status_code == 400


def test_suppressions_api_adds_lists_and_removes(client):
    created = client.post(
        "/api/v1/suppressions/",
        {"channel": "email", "contact": "Bad@Example.com", "reason": "hard_bounced"},
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["contact"] == "bad@example.com"
    assert [row["contact"] for row in client.get("/api/v1/suppressions/").json()["results"]] == [
        "bad@example.com"
    ]
    assert client.delete(f"/api/v1/suppressions/{created.json()['id']}/").status_code == 204
    assert not Suppression.objects.exists()


def test_an_ingested_hard_bounce_suppresses_the_email(client, ann):
    response = client.post("/api/v1/events/", {"events": [
        {"profile": ann.id, "type": "hard_bounce", "channel": "email"},
        {"profile": ann.id, "type": "hard_bounce", "channel": "email",
         "data": {"contact": "Other@Example.com"}},
    ]}, format="json")  # fmt: skip
    assert response.json()["accepted"] == 2
    assert set(Suppression.objects.values_list("contact", "reason")) == {
        ("ann@example.com", "hard_bounced"),
        ("other@example.com", "hard_bounced"),
    }


def test_subscriptions_need_permissions(ann, site):
    client = APIClient()
    client.force_authenticate(UserFactory())
    assert client.get(f"/api/v1/profiles/{ann.id}/subscriptions/").status_code == 403
    assert client.get("/api/v1/resources/").status_code == 403
    subscription = SubscriptionFactory(profile=ann, resource=site)
    assert client.post(f"/api/v1/subscriptions/{subscription.id}/confirm/").status_code == 403


def test_subscription_custom_fields_are_validated_by_the_registry(client, ann, site):
    client.post(f"/api/v1/resources/{site.id}/fields/", {"name": "source", "type": "enum",
                "options": ["web", "app"]}, format="json")  # fmt: skip
    bad = client.post(f"/api/v1/profiles/{ann.id}/subscriptions/",
                      {"resource": site.id, "channel": "email", "contact": "a@example.com",
                       "fields": {"source": "fax"}}, format="json")  # fmt: skip
    assert bad.status_code == 400
    assert "source" in bad.json()["fields"]


def test_listing_runs_a_fixed_number_of_queries(client, ann, site, django_assert_num_queries):
    for n in range(20):
        SubscriptionFactory(profile=ann, resource=site, contact=f"c{n}@example.com")
    # user perms, group perms, the profile, the count, one page of subscriptions
    with django_assert_num_queries(5):
        response = client.get(f"/api/v1/profiles/{ann.id}/subscriptions/")
    assert len(response.json()["results"]) == 20


def test_an_unconfirmed_subscription_gives_its_confirmation_link(client, ann):
    # given
    subscription = SubscriptionFactory(profile=ann, resource=ResourceFactory(double_opt_in=True))
    # when
    body = client.get(f"/api/v1/subscriptions/{subscription.id}/confirmation-link/").json()
    # then: the link opens the public page, which confirms on POST
    page = Client().get(body["url"])
    assert page.status_code == 200
    assert body["expires_at"] > timezone.now().isoformat()


def test_a_confirmation_link_needs_the_change_permission_and_an_unconfirmed_subscription(
    client, ann, site
):
    subscribed = SubscriptionFactory(profile=ann, resource=site)
    assert (
        client.get(f"/api/v1/subscriptions/{subscribed.id}/confirmation-link/").status_code == 400
    )
    viewer = APIClient()
    viewer.force_authenticate(grant(UserFactory(), "view_subscription"))
    response = viewer.get(f"/api/v1/subscriptions/{subscribed.id}/confirmation-link/")
    assert response.status_code == 403
