"""H4: POST /api/v1/events/ — batches, idempotency, per-event errors that lose nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from history.models import Event
from profiles.models import Profile
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


# G2: events with data.ip move the profile's tracked location


def ago(minutes: int) -> str:
    return (timezone.now() - timedelta(minutes=minutes)).isoformat()


def test_the_latest_event_with_an_ip_sets_the_tracked_location(client, ann):
    # when: listed newest first, and a later event without an IP
    body = post(
        client,
        {"profile": ann.id, "type": "click", "ts": ago(5), "data": {"ip": "89.160.20.112"}},
        {"profile": ann.id, "type": "open", "ts": ago(30), "data": {"ip": "81.2.69.142"}},
        {"profile": ann.id, "type": "open", "ts": ago(1)},
    ).json()
    # then
    assert body["accepted"] == 3
    ann.refresh_from_db()
    assert (ann.tracked_ip, ann.tracked_city, ann.tracked_country) == (
        "89.160.20.112",
        "Linköping",
        "SE",
    )
    assert (ann.tracked_region, ann.tracked_postcode, ann.tracked_timezone) == (
        "Östergötland County",
        "",
        "Europe/Stockholm",
    )
    assert (ann.tracked_latitude, ann.tracked_longitude) == (58.4167, 15.6167)


def test_an_ip_profile_by_email_and_ipv6_are_tracked(client, shop, ann):
    event = {"email": ann.email, "database": shop.id, "type": "click"}
    post(client, {**event, "data": {"ip": "2001:218::1"}})
    ann.refresh_from_db()
    assert (ann.tracked_ip, ann.tracked_country, ann.tracked_timezone) == (
        "2001:218::1",
        "JP",
        "Asia/Tokyo",
    )


def test_a_duplicate_event_does_not_move_the_tracked_location(client, ann):
    # given
    old = {"profile": ann.id, "type": "click", "key": "k1", "data": {"ip": "81.2.69.142"}}
    post(client, old)
    post(client, {"profile": ann.id, "type": "click", "data": {"ip": "89.160.20.112"}})
    # when
    assert post(client, old).json()["duplicates"] == 1
    # then
    ann.refresh_from_db()
    assert ann.tracked_city == "Linköping"


@pytest.mark.parametrize("ip", ["999.1.1.1", "localhost", "81.2.69.142 ", 81, ["81.2.69.142"]])
def test_an_invalid_ip_is_reported_and_the_others_kept(client, ann, ip):
    # when
    body = post(
        client,
        {"profile": ann.id, "type": "open", "data": {"ip": "81.2.69.142"}},
        {"profile": ann.id, "type": "click", "data": {"ip": ip}},
    ).json()
    # then
    assert body["accepted"] == 1
    assert body["errors"] == [
        {"index": 1, "errors": {"data": {"ip": ["Enter a valid IPv4 or IPv6 address."]}}}
    ]
    ann.refresh_from_db()
    assert (ann.tracked_ip, ann.tracked_city) == ("81.2.69.142", "London")


@pytest.mark.parametrize("ip", ["", None])
def test_an_empty_ip_changes_nothing(client, ann, ip):
    body = post(client, {"profile": ann.id, "type": "click", "data": {"ip": ip}}).json()
    ann.refresh_from_db()
    assert (body["accepted"], ann.tracked_ip) == (1, None)


def test_a_visitor_event_with_an_ip_is_kept(client):
    body = post(client, {"visitor": "v-9", "type": "pixel", "data": {"ip": "81.2.69.142"}}).json()
    assert body == {"accepted": 1, "duplicates": 0, "errors": []}


@pytest.mark.parametrize("per_profile", [1, 3])
def test_tracked_locations_cost_one_query_per_batch(
    client, shop, django_assert_max_num_queries, per_profile
):
    # given
    people = [ProfileFactory(database=shop) for _ in range(20)]
    ips = ["81.2.69.142", "89.160.20.112", "2.125.160.216", "10.0.0.1"]
    events = [
        {"profile": person.id, "type": "open", "ts": ago(n), "data": {"ip": ips[(i + n) % 4]}}
        for i, person in enumerate(people)
        for n in range(per_profile)
    ]
    # perms x2, profiles by id, savepoint, events, H3 summary rows, release, tracked
    # locations: the same for 20 or 60 events
    with django_assert_max_num_queries(8) as captured:
        body = post(client, *events).json()
    updates = [q for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    # then the latest event (n = 0) of each profile wins
    assert body["accepted"] == 20 * per_profile
    tracked = dict(Profile.objects.values_list("id", "tracked_ip"))
    assert [tracked[person.id] for person in people] == [ips[i % 4] for i in range(20)]
