"""Parallel writers on PostgreSQL (real threads, one connection each): imports and API upserts
of the same emails make no duplicates and lose no updates; parallel subscription adds through
the API keep the S5 limit (the services' own races: tests/subscriptions/test_concurrency.py)."""

import pytest
from django.db.models.functions import Lower

from history.models import Event, EventType
from imports.models import ImportRow, Result
from profiles.models import Profile
from subscriptions.models import Subscription
from subscriptions.services import CHANNEL_LIMIT
from tests.profiles.factories import ProfileFactory
from tests.subscriptions.factories import ResourceFactory, SubscriptionFactory

from .factories import at_once, database_with_fields, superuser_client

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WRITERS = 6
EMAILS = [f"person{n}@example.com" for n in range(30)]
FIELDS = [f"k{n}" for n in range(WRITERS)]


def import_call(client, database, profiles):
    url = f"/api/v1/databases/{database.pk}/profiles/import/"
    return client.post(url, {"matching": "email", "profiles": profiles}, format="json")


def test_parallel_imports_of_the_same_new_emails_create_each_profile_once():
    # given
    database, client = database_with_fields(FIELDS), superuser_client()
    # when every writer imports the same new emails, each setting its own field
    answers = at_once(
        lambda n: import_call(
            client, database, [{"email": e, "fields": {FIELDS[n]: n}} for e in EMAILS]
        ),
        WRITERS,
    )
    # then: one profile per email, no server error, every item accounted for
    assert [answer.status_code for answer in answers] == [200] * WRITERS
    emails = Profile.objects.filter(database=database).annotate(low=Lower("email"))
    assert sorted(emails.values_list("low", flat=True)) == sorted(EMAILS)
    for answer in answers:
        body = answer.json()
        assert body["created"] + body["updated"] + body["skipped"] + body["failed"] == len(EMAILS)
    # and no accepted write is lost: each item reported created or updated left its value
    for profile in Profile.objects.filter(database=database):
        accepted = {
            FIELDS[n]: n
            for n, answer in enumerate(answers)
            for item in answer.json()["results"]
            if item["id"] == profile.pk and item["result"] in ("created", "updated")
        }
        assert accepted.items() <= profile.fields.items()
    written = sum(answer.json()["created"] + answer.json()["updated"] for answer in answers)
    assert Event.objects.filter(type=EventType.IMPORT).count() == written  # one per write


def test_parallel_imports_updating_one_profile_lose_no_update():
    # given
    database, client = database_with_fields(FIELDS), superuser_client()
    for email in EMAILS:
        ProfileFactory(database=database, email=email)
    # when each writer sets its own field on every profile at the same moment
    answers = at_once(
        lambda n: import_call(
            client, database, [{"email": e, "fields": {FIELDS[n]: n}} for e in EMAILS]
        ),
        WRITERS,
    )
    # then every profile holds every writer's field
    assert [answer.json()["updated"] for answer in answers] == [len(EMAILS)] * WRITERS
    expected = {name: n for n, name in enumerate(FIELDS)}
    assert [p.fields for p in Profile.objects.filter(database=database)] == [expected] * len(EMAILS)
    assert ImportRow.objects.filter(result=Result.UPDATED).count() == WRITERS * len(EMAILS)


def test_parallel_api_patches_of_one_profile_lose_no_update():
    # given
    database, client = database_with_fields(FIELDS), superuser_client()
    ann = ProfileFactory(database=database, email="ann@example.com")
    # when each writer patches its own field of the same profile at the same moment
    answers = at_once(
        lambda n: client.patch(
            f"/api/v1/profiles/{ann.pk}/", {"fields": {FIELDS[n]: n}}, format="json"
        ),
        WRITERS,
    )
    # then
    assert [answer.status_code for answer in answers] == [200] * WRITERS
    ann.refresh_from_db()
    assert ann.fields == {name: n for n, name in enumerate(FIELDS)}


def test_parallel_api_creates_of_one_email_make_one_profile():
    # given
    database, client = database_with_fields(FIELDS), superuser_client()
    url = f"/api/v1/databases/{database.pk}/profiles/"
    # when
    answers = at_once(
        lambda n: client.post(url, {"email": "Ann@Example.com"}, format="json"), WRITERS
    )
    # then: one is created, the others are told why not, and no server error
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] + [400] * (WRITERS - 1)
    refused = [answer.json() for answer in answers if answer.status_code == 400]
    assert all("email" in body for body in refused)
    assert Profile.objects.filter(database=database).count() == 1


def test_parallel_api_subscriptions_past_the_channel_limit_keep_it():
    # given a profile two short of the limit of one resource and channel (S5)
    client = superuser_client()
    ann = ProfileFactory(email="ann@example.com")
    resource = ResourceFactory(channels=["email"])
    for number in range(CHANNEL_LIMIT - 2):
        SubscriptionFactory(profile=ann, resource=resource, contact=f"old{number}@example.com")
    url = f"/api/v1/profiles/{ann.pk}/subscriptions/"
    # when every writer adds one at the same moment
    answers = at_once(
        lambda n: client.post(
            url,
            {"resource": resource.pk, "channel": "email", "contact": f"new{n}@example.com"},
            format="json",
        ),
        WRITERS,
    )
    # then each is added (replacing the lowest-priority one past the limit), and it holds
    assert [answer.status_code for answer in answers] == [201] * WRITERS
    live = Subscription.objects.filter(profile=ann, deleted_at__isnull=True)
    assert live.count() == CHANNEL_LIMIT
    priorities = list(live.values_list("priority", flat=True))
    assert len(set(priorities)) == CHANNEL_LIMIT
