"""H2 timeline, H3 summary and H5 export through the API."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.conftest import grant
from tests.history.factories import EventFactory
from tests.profiles.factories import ProfileFactory, UserFactory


@pytest.fixture
def analyst(db):
    user = grant(UserFactory(), "view_event", "add_event")
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def profile(shop):
    return ProfileFactory(database=shop)


def ago(**delta):
    return timezone.now() - timedelta(**delta)


def types_of(response):
    return [row["type"] for row in response.json()["results"]]


def test_history_defaults_to_the_last_7_days_newest_first(analyst, profile):
    # given
    EventFactory(profile=profile, type="send", ts=ago(days=2))
    EventFactory(profile=profile, type="open", ts=ago(days=1))
    EventFactory(profile=profile, type="click", ts=ago(days=8))
    # when
    response = analyst.get(f"/api/v1/profiles/{profile.id}/history/")
    # then
    assert response.status_code == 200
    assert types_of(response) == ["import", "open", "send"]
    item = response.json()["results"][1]
    assert {"id", "type", "ts", "channel", "resource", "data"} <= set(item)


def test_history_filters_by_types_and_period(analyst, profile):
    EventFactory(profile=profile, type="open", ts=ago(days=20))
    EventFactory(profile=profile, type="click", ts=ago(days=15))
    EventFactory(profile=profile, type="open", ts=ago(days=12))
    since, until = ago(days=21).isoformat(), ago(days=13).isoformat()
    response = analyst.get(
        f"/api/v1/profiles/{profile.id}/history/",
        {"types": "open,click", "since": since, "until": until},
    )
    assert types_of(response) == ["click", "open"]


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ({"types": "open,teleport"}, "types"),
        ({"since": "2026-01-01T00:00:00"}, "since"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}, "until"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_history_query_answers_400(analyst, profile, params, key):
    response = analyst.get(f"/api/v1/profiles/{profile.id}/history/", params)
    assert response.status_code == 400
    assert key in response.json()


def test_history_pages_with_a_cursor_and_a_fixed_query_count(
    analyst, profile, django_assert_max_num_queries
):
    # given
    for minutes in range(12):
        EventFactory(profile=profile, ts=ago(minutes=minutes + 1), data={"n": minutes})
    seen, url = [], f"/api/v1/profiles/{profile.id}/history/?limit=5"
    # when
    while url:
        # user perms, group perms, the profile, one page of events
        with django_assert_max_num_queries(4):
            page = analyst.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    # then
    assert len(seen) == len(set(seen)) == 13


def test_history_of_missing_profile_is_404(analyst):
    assert analyst.get("/api/v1/profiles/999999/history/").status_code == 404


def test_history_needs_the_view_permission(profile):
    client = APIClient()
    client.force_authenticate(UserFactory())
    assert client.get(f"/api/v1/profiles/{profile.id}/history/").status_code == 403
    assert client.get(f"/api/v1/profiles/{profile.id}/summary/").status_code == 403


def test_summary_marks_what_ever_happened_per_channel(analyst, profile, django_assert_num_queries):
    # given
    EventFactory(profile=profile, type="send", channel="email", ts=ago(days=400))
    EventFactory(profile=profile, type="open", channel="email")
    EventFactory(profile=profile, type="delivery", channel="sms")
    EventFactory(profile=ProfileFactory(database=profile.database), type="click", channel="email")
    # when: user perms, group perms, the profile, the summary
    with django_assert_num_queries(4):
        body = analyst.get(f"/api/v1/profiles/{profile.id}/summary/").json()
    # then
    assert body["email"] == {
        "sent": True,
        "delivered": False,
        "opened": True,
        "clicked": False,
        "seen": False,
        "replied": False,
    }
    assert body["sms"]["delivered"] and not body["sms"]["sent"]
    assert not any(body["push"].values())
    assert set(body) == {
        "email",
        "sms",
        "push",
        "telegram",
        "whatsapp",
        "viber",
        "notify",
        "max",
        "custom",
    }


def read_csv(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_profile_history_export_streams_csv(analyst, profile):
    EventFactory(profile=profile, type="click", data={"url": "https://example.com/?a=1,b"})
    response = analyst.get(f"/api/v1/profiles/{profile.id}/history/export/")
    rows = read_csv(response)
    assert response["Content-Type"] == "text/csv"
    assert [row["type"] for row in rows] == ["import", "click"]
    assert json.loads(rows[1]["data"]) == {"url": "https://example.com/?a=1,b"}


def test_database_history_export_covers_the_period_and_only_that_database(analyst, shop, profile):
    other = ProfileFactory()
    EventFactory(profile=profile, type="open", ts=ago(days=3))
    EventFactory(profile=profile, type="open", ts=ago(days=30))
    EventFactory(profile=other, type="open", ts=ago(days=3))
    response = analyst.get(
        f"/api/v1/databases/{shop.id}/history/export/", {"since": ago(days=5).isoformat()}
    )
    rows = read_csv(response)
    assert {row["profile_id"] for row in rows} == {str(profile.id)}
    assert [row["type"] for row in rows] == ["open", "import"]  # oldest first
