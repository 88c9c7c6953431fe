"""P7: everything held about one person, as JSON or CSV, by API; other apps add sections."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from profiles import personal_data
from subscriptions import services as subscriptions
from tests.history.factories import EventFactory
from tests.profiles.factories import ProfileFactory
from tests.subscriptions.factories import (
    ResourceFactory,
    SubscriptionFactory,
    SuppressionFactory,
)

pytestmark = pytest.mark.django_db


def export_url(profile, query: str = "") -> str:
    return f"/api/v1/profiles/{profile.id}/export/?{query}"


def body(response) -> str:
    assert response.status_code == 200
    assert response.streaming
    return b"".join(response.streaming_content).decode()


@pytest.fixture
def ann(shop):
    return ProfileFactory(
        database=shop,
        email="Ann@Example.com",
        phones=["+447911123456"],
        middle_name="=1+1",
        registration_city="London",
        fields={"tariff": "pro", "interests": ["sale"]},
    )


@pytest.fixture
def ann_held(ann):
    """Ann's subscriptions (live, unsubscribed, deleted), suppressions and old history, and
    what belongs to others."""
    site = ResourceFactory(name="Website")
    live = SubscriptionFactory(profile=ann, resource=site, contact="ann@example.com")
    unsubscribed = SubscriptionFactory(profile=ann, resource=site, channel="sms",
                                       contact="+447911123456", status="unsubscribed")  # fmt: skip
    deleted = SubscriptionFactory(profile=ann, resource=site, channel="push", contact="tok-1")
    subscriptions.delete_subscription(subscription=deleted)
    EventFactory(profile=ann, type="click", ts=timezone.now() - timedelta(days=400),
                 data={"url": "https://shop.example/"})  # fmt: skip
    other = ProfileFactory(database=ann.database)
    EventFactory(profile=other, type="open")
    SubscriptionFactory(profile=other, resource=site, contact="other@example.com")
    return {
        "subscriptions": [live, unsubscribed, deleted],
        "suppressions": [
            SuppressionFactory(channel="email", contact="ann@example.com"),
            SuppressionFactory(channel="sms", contact="+447911123456"),
            SuppressionFactory(channel="push", contact="tok-1"),
        ],
        "not_hers": [
            SuppressionFactory(channel="email", contact="other@example.com"),
            SuppressionFactory(channel="push", contact="+447911123456"),  # her phone, not sms
        ],
    }


def test_json_holds_profile_subscriptions_suppressions_and_whole_history(
    api, exporter, ann, ann_held
):
    # when
    response = api.get(export_url(ann))
    # then
    document = json.loads(body(response))
    assert response["Content-Type"] == "application/json"
    assert list(document) == ["profile", "exported_at", "subscriptions", "suppressions",
                              "history", "promo_codes", "loyalty", "orders"]  # fmt: skip
    assert document["profile"] == api.get(f"/api/v1/profiles/{ann.id}/").json()
    held = document["subscriptions"]  # by resource, channel, priority: email, push, sms
    live, unsubscribed, deleted = ann_held["subscriptions"]
    assert [item["id"] for item in held] == [live.id, deleted.id, unsubscribed.id]
    assert [item["status"] for item in held] == ["subscribed", "subscribed", "unsubscribed"]
    assert [item["deleted_at"] is not None for item in held] == [False, True, False]
    assert held[0]["resource_name"] == "Website" and held[0]["contact"] == "ann@example.com"
    assert {(item["channel"], item["contact"]) for item in document["suppressions"]} == {
        ("email", "ann@example.com"), ("sms", "+447911123456"), ("push", "tok-1")
    }  # fmt: skip
    types = [event["type"] for event in document["history"]]
    assert types[0] == "click"  # 400 days old: the whole history, oldest first
    assert document["history"][0]["data"] == {"url": "https://shop.example/"}
    assert "import" in types and "subscribe" in types and "open" not in types


def test_csv_is_one_row_per_value_with_a_section_column(api, exporter, ann, ann_held):
    # when
    response = api.get(export_url(ann, "format=csv"))
    # then
    rows = list(csv.reader(io.StringIO(body(response))))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert rows[0] == ["section", "item", "field", "value"]
    assert ["profile", "1", "email", "Ann@example.com"] in rows
    assert ["profile", "1", "registration.city", "London"] in rows
    assert ["profile", "1", "fields.interests", '["sale"]'] in rows
    assert ["profile", "1", "phones", '["+447911123456"]'] in rows
    assert ["subscriptions", "2", "channel", "push"] in rows
    assert ["suppressions", "2", "contact", "+447911123456"] in rows
    assert ["profile", "1", "middle_name", "'=1+1"] in rows  # guarded for spreadsheets
    assert ["history", "1", "data.url", "https://shop.example/"] in rows
    assert {row[0] for row in rows[1:]} == {"profile", "subscriptions", "suppressions", "history"}


def test_a_profile_with_nothing_else_gives_empty_sections(api, exporter, shop):
    # given: a profile whose history was cleared
    bare = ProfileFactory(database=shop)
    from history.models import Event

    Event.objects.filter(profile_id=bare.id).delete()
    # when
    document = json.loads(body(api.get(export_url(bare))))
    # then
    assert document["subscriptions"] == document["suppressions"] == document["history"] == []
    assert document["promo_codes"] == document["loyalty"] == document["orders"] == []


def test_promo_codes_loyalty_and_orders_are_in_the_export(api, exporter, shop):
    from loyalty import services as loyalty
    from tests.loyalty.factories import MemberFactory, PromoCodeFactory
    from tests.market.factories import OrderFactory, OrderLineFactory

    # given a profile with a code, points and an order
    ann = ProfileFactory(database=shop)
    PromoCodeFactory(profile=ann, code="WELCOME-1", attached_at=timezone.now())
    member = MemberFactory(profile=ann)
    loyalty.accrue(member=member, points=40)
    order = OrderFactory(profile=ann, external_id="ORD-7")
    OrderLineFactory(order=order, quantity=2, price="9.50")
    # when
    document = json.loads(body(api.get(export_url(ann))))
    # then
    assert [code["code"] for code in document["promo_codes"]] == ["WELCOME-1"]
    assert document["loyalty"][0]["balance"] == 40
    assert [t["points"] for t in document["loyalty"][0]["transactions"]] == [40]
    assert document["orders"][0]["external_id"] == "ORD-7"
    assert document["orders"][0]["lines"][0]["quantity"] == 2


def test_history_is_read_lazily_with_a_query_count_independent_of_its_size(api, exporter, ann):
    def queries_for_export() -> int:
        with CaptureQueriesContext(connection) as context:
            body(api.get(export_url(ann)))
        return len(context.captured_queries)

    # given
    queries_for_export()  # the user's permissions are read once, then cached
    EventFactory.create_batch(20, profile=ann)
    twenty = queries_for_export()
    EventFactory.create_batch(40, profile=ann)
    # when
    sixty = queries_for_export()
    events = personal_data.sections()["history"](ann)
    # then: the profile, subscriptions, suppression contacts, suppressions, history, promo
    # codes, loyalty memberships, orders, the audit entry; and the history section is an
    # iterator over chunks of rows, not a list of them all
    assert sixty == twenty <= 9
    assert iter(events) is events and not isinstance(events, list)
    assert len(list(events)) == 61  # with the import event


def test_other_apps_add_sections_through_the_registry(api, exporter, ann, monkeypatch):
    # given an app holding orders of the person
    def orders(profile):
        return [{"number": f"A-{profile.id}", "total": 12.5}]

    monkeypatch.setitem(personal_data._SECTIONS, "orders", orders)
    # when
    document = json.loads(body(api.get(export_url(ann))))
    rows = list(csv.reader(io.StringIO(body(api.get(export_url(ann, "format=csv"))))))
    # then
    assert document["orders"] == [{"number": f"A-{ann.id}", "total": 12.5}]
    assert ["orders", "1", "total", "12.5"] in rows


def test_a_section_name_is_taken_once(monkeypatch):
    monkeypatch.setattr(personal_data, "_SECTIONS", dict(personal_data._SECTIONS))
    with pytest.raises(ValueError, match="history"):
        personal_data.register("history", lambda profile: [])
    with pytest.raises(ValueError, match="profile"):
        personal_data.register("profile", lambda profile: [])


def test_personal_data_needs_credentials_and_the_export_permission(api, ann):
    assert APIClient().get(export_url(ann)).status_code == 401
    assert api.get(export_url(ann)).status_code == 403  # the marketer may not export


def test_personal_data_of_a_missing_profile_is_404(api, exporter):
    assert api.get("/api/v1/profiles/999/export/").status_code == 404
