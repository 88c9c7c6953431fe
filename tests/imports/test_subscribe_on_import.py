"""X1/X2: subscribe on import, through subscriptions.services.subscribe_many."""

import pytest
from django.core.files.base import ContentFile
from rest_framework.test import APIClient

from config.exceptions import InvalidInput
from imports import services
from subscriptions.models import Subscription
from tests.subscriptions.factories import ResourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def importer(marketer):
    client = APIClient()
    client.force_authenticate(marketer)
    return client


def test_api_items_subscribe_and_a_refused_subscription_keeps_the_profile(importer, shop):
    website = ResourceFactory(channels=["email", "sms"])
    body = importer.post(f"/api/v1/databases/{shop.pk}/profiles/import/", {"profiles": [
        {"email": "ann@example.com", "subscriptions": [
            {"resource": website.pk, "channel": "email", "categories": {"news": True}}]},
        {"email": "bob@example.com", "subscriptions": [
            {"resource": website.pk, "channel": "email", "categories": {"nope": True}}]},
    ]}, format="json").json()  # fmt: skip
    ann, bob = body["results"]
    assert ann["result"] == "created" and ann["errors"] == {}
    subscription = Subscription.objects.get(profile_id=ann["id"])
    assert (subscription.contact, subscription.categories["news"]) == ("ann@example.com", True)
    assert bob["result"] == "created"
    assert "categories" in bob["errors"]["subscriptions"]["0"]
    assert not Subscription.objects.filter(profile_id=bob["id"]).exists()


def test_file_option_subscribes_every_profile_once_even_when_imported_twice(shop):
    website = ResourceFactory(channels=["email"])
    text = "Email\nann@example.com\nbob@example.com\n"
    for _ in range(2):
        job = services.upload_file(database=shop, file=ContentFile(text.encode(), name="a.csv"))
        services.configure_import(job=job, mapping=["email"], subscribe_resource=website,
                                  subscribe_channel="email")  # fmt: skip
        job = services.run_import(job_id=job.pk)
    contacts = sorted(Subscription.objects.values_list("contact", flat=True))
    assert contacts == ["ann@example.com", "bob@example.com"]


def test_file_option_refuses_a_channel_without_a_profile_contact(shop):
    website = ResourceFactory(channels=["email", "push"])
    job = services.upload_file(
        database=shop, file=ContentFile(b"Email\na@example.com\n", name="a.csv")
    )
    with pytest.raises(InvalidInput, match="contact from the profile"):
        services.configure_import(job=job, mapping=["email"], subscribe_resource=website,
                                  subscribe_channel="push")  # fmt: skip
