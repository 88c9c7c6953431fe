"""H4: POST /api/v1/events/ — batches, idempotency, per-event errors that lose nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from history.models import Event
from tests.conftest import grant
from tests.profiles.factories import ProfileFactory, UserFactory


@pytest.fixture
def client(db):
    client = APIClient()
    client.force_authenticate(grant(UserFactory(), "add_event"))
    return client


@pytest.fixture
def ann(shop):
    return ProfileFactory(database=shop, email="ann@example.com")


def post(client, *events):
    return client.post("/api/v1/events/", {"events": list(events)}, format="json")


def now() -> str:
    return timezone.now().isoformat()


def test_events_by_id_and_by_email_are_accepted(client, shop, ann):
    # when
    response = post(
        client,
        {
            "profile": ann.id,
            "type": "click",
            "ts": now(),
            "channel": "email",
            "resource": 3,
            "data": {"url": "https://example.com/"},
        },
        {"email": "ANN@example.com", "database": shop.id, "type": "open", "channel": "email"},
    )
    # then
    assert response.status_code == 202
    assert response.json() == {"accepted": 2, "duplicates": 0, "errors": []}
    click = Event.objects.get(profile_id=ann.id, type="click")
    assert (click.channel, click.resource_id, click.database_id) == ("email", 3, shop.id)
    assert click.data == {"url": "https://example.com/"}
    assert Event.objects.filter(profile_id=ann.id, type="open").exists()


def test_an_idempotency_key_is_recorded_once(client, ann):
    event = {"profile": ann.id, "type": "click", "ts": now(), "key": "campaign-7-click-1"}
    first, again = post(client, event, event), post(client, event)
    assert (first.json()["accepted"], first.json()["duplicates"]) == (1, 1)
    assert (again.json()["accepted"], again.json()["duplicates"]) == (0, 1)
    assert Event.objects.filter(key="campaign-7-click-1").count() == 1


def test_anonymous_visitor_event_is_kept_without_a_profile(client):
    response = post(client, {"visitor": "v-123", "type": "pixel", "data": {"goal": "cart"}})
    assert response.json()["accepted"] == 1
    assert Event.objects.get(visitor="v-123").profile_id is None


ANN = "<ann's id>"  # replaced by the fixture's profile id


@pytest.mark.parametrize(
    ("event", "key"),
    [
        ({"profile": ANN, "type": "teleport"}, "type"),
        ({"profile": ANN, "type": "status_changed"}, "type"),
        ({"profile": 424242, "type": "click"}, "profile"),
        ({"email": "ghost@example.com", "database": 1, "type": "click"}, "email"),
        ({"email": "ann@example.com", "type": "click"}, "database"),
        ({"type": "click"}, "profile"),
        ({"profile": ANN, "type": "click", "ts": "2026-01-01T10:00:00"}, "ts"),
        ({"profile": ANN, "type": "click", "ts": "next week"}, "ts"),
        ({"profile": ANN, "type": "click", "channel": "pigeon"}, "channel"),
        ({"profile": ANN, "type": "click", "data": "not an object"}, "data"),
        ({"profile": ANN, "type": "click", "data": {"blob": "x" * 70_000}}, "data"),
        ({"profile": ANN, "type": "click", "key": "k" * 201}, "key"),
        ({"profile": ANN, "type": "click", "colour": "red"}, "colour"),
        ("not an object", "non_field_errors"),
    ],
)
def test_a_bad_event_is_reported_and_the_good_ones_kept(client, ann, event, key):
    # given a good event on each side of the bad one
    good = {"profile": ann.id, "type": "open"}
    if isinstance(event, dict) and event.get("profile") == ANN:
        event = {**event, "profile": ann.id}
    # when
    response = post(client, good, event, good)
    # then
    body = response.json()
    assert response.status_code == 202
    assert body["accepted"] == 2
    assert [error["index"] for error in body["errors"]] == [1]
    assert key in body["errors"][0]["errors"]


def test_a_time_more_than_a_day_ahead_is_refused(client, ann):
    ahead = (timezone.now() + timedelta(days=2)).isoformat()
    body = post(client, {"profile": ann.id, "type": "click", "ts": ahead}).json()
    assert "future" in body["errors"][0]["errors"]["ts"][0]


def test_a_batch_over_1000_keeps_the_first_1000(client, ann):
    events = [{"profile": ann.id, "type": "open"} for _ in range(1002)]
    body = post(client, *events).json()
    assert body["accepted"] == 1000
    assert [error["index"] for error in body["errors"]] == [1000, 1001]
    assert Event.objects.filter(profile_id=ann.id, type="open").count() == 1000


@pytest.mark.parametrize("payload", [{}, {"events": []}, {"events": "x"}, [1, 2]])
def test_a_malformed_batch_answers_400(client, payload):
    assert client.post("/api/v1/events/", payload, format="json").status_code == 400


def test_ingestion_needs_the_add_event_permission(ann):
    client = APIClient()
    client.force_authenticate(grant(UserFactory(), "view_event"))
    assert post(client, {"profile": ann.id, "type": "open"}).status_code == 403


def test_a_batch_costs_a_fixed_number_of_queries(client, shop, django_assert_max_num_queries):
    people = [ProfileFactory(database=shop) for _ in range(20)]
    events = [{"profile": person.id, "type": "open", "key": f"k{person.id}"} for person in people]
    events += [{"email": person.email, "database": shop.id, "type": "click"} for person in people]
    # perms x2, savepoints, profiles by id, profiles by email, keys (read + write), events
    with django_assert_max_num_queries(10):
        body = post(client, *events).json()
    assert body["accepted"] == 40
