"""X5: one field set on every profile matching the list's filters, by API (and the service)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from history.models import Event, EventType
from profiles import bulk
from profiles.models import Profile
from tests.profiles.factories import CustomFieldFactory, ProfileDatabaseFactory, ProfileFactory
from tests.profiles.test_field_purge_worker import wait_until

pytestmark = pytest.mark.django_db


def bulk_url(database) -> str:
    return f"/api/v1/databases/{database.id}/profiles/bulk-update/"


def post(api, database, filter: dict, field: str, value):
    body = {"filter": filter, "field": field, "value": value}
    return api.post(bulk_url(database), body, format="json")


def events(type: EventType) -> list[tuple[int, dict, int | None]]:
    rows = Event.objects.filter(type=type).order_by("profile_id")
    return list(rows.values_list("profile_id", "data", "actor_id"))


@pytest.fixture
def people(shop):
    return {
        "ann": ProfileFactory(database=shop, first_name="Ann", fields={"tariff": "pro", "age": 30}),
        "bob": ProfileFactory(database=shop, first_name="Bob", fields={"tariff": "pro"}),
        "cat": ProfileFactory(database=shop, first_name="Cat", fields={"tariff": "basic"}),
        "dan": ProfileFactory(database=shop, first_name="Dan", status="unsubscribed",
                              fields={"tariff": "pro"}),
    }  # fmt: skip


def test_status_is_set_on_the_matching_profiles_only_with_their_events(api, marketer, shop, people):
    # given: another database's profile, which a database filter must never reach
    stranger = ProfileFactory(database=ProfileDatabaseFactory(), fields={})
    # when
    response = post(api, shop, {"status": "subscribed", "q": "tariff:pro"}, "status", "suspended")
    # then
    assert response.status_code == 200
    assert response.json() == {"matched": 2, "updated": 2}
    statuses = dict(Profile.objects.values_list("first_name", "status"))
    assert statuses["Ann"] == statuses["Bob"] == "suspended"
    assert statuses["Cat"] == "subscribed" and statuses["Dan"] == "unsubscribed"
    assert Profile.objects.get(pk=stranger.pk).status == "subscribed"
    assert events(EventType.STATUS_CHANGED) == [
        (people["ann"].id, {"old": "subscribed", "new": "suspended"}, marketer.id),
        (people["bob"].id, {"old": "subscribed", "new": "suspended"}, marketer.id),
    ]


def test_a_custom_field_is_set_with_old_and_new_in_profile_updated(api, marketer, shop, people):
    # when
    response = post(api, shop, {"q": "tariff:pro"}, "age", "41")
    # then
    assert response.json() == {"matched": 3, "updated": 3}
    ages = {p.first_name: p.fields.get("age") for p in Profile.objects.all()}
    assert ages == {"Ann": 41, "Bob": 41, "Cat": None, "Dan": 41}
    assert Profile.objects.get(pk=people["ann"].pk).fields["tariff"] == "pro"  # others kept
    recorded = events(EventType.PROFILE_UPDATED)
    assert recorded[0] == (
        people["ann"].id,
        {"changes": {"fields.age": {"old": 30, "new": 41}}},
        marketer.id,
    )
    assert recorded[1][1] == {"changes": {"fields.age": {"old": None, "new": 41}}}


def test_profiles_already_holding_the_value_are_matched_but_not_touched(api, shop, people):
    # when
    response = post(api, shop, {}, "tariff", "pro")
    # then
    assert response.json() == {"matched": 4, "updated": 1}
    assert [pk for pk, _, _ in events(EventType.PROFILE_UPDATED)] == [people["cat"].id]


def test_null_clears_a_custom_field_and_a_standard_column(api, shop, people):
    # given
    Profile.objects.filter(pk=people["ann"].pk).update(registration_city="London")
    # when
    cleared = post(api, shop, {}, "age", None)
    city = post(api, shop, {"q": "Ann"}, "registration_city", "")
    # then
    assert cleared.json() == {"matched": 4, "updated": 1}
    assert city.json() == {"matched": 1, "updated": 1}
    ann = Profile.objects.get(pk=people["ann"].pk)
    assert "age" not in ann.fields and ann.registration_city == ""


@pytest.mark.parametrize(
    ("field", "value", "stored"),
    [
        ("is_test", True, True),
        ("birthday", "1990-04-01", datetime.date(1990, 4, 1)),
        ("registration_country", "gb", "GB"),
        ("tracked_latitude", 51.5, 51.5),
        ("tracked_timezone", "Europe/London", "Europe/London"),
        ("registration_ip", "", None),
        ("phones", ["+44 7911 123456"], ["+447911123456"]),
        ("utm_source", "google", "google"),
        ("interests", "a|b;c", {"interests": ["a", "b", "c"]}),
    ],
)
def test_values_are_normalised_as_single_updates_do(api, shop, people, field, value, stored):
    # when
    response = post(api, shop, {"q": "Ann"}, field, value)
    # then
    assert response.status_code == 200, response.json()
    ann = Profile.objects.get(pk=people["ann"].pk)
    if field == "interests":
        assert ann.fields["interests"] == stored["interests"]
    else:
        assert getattr(ann, field) == stored


@pytest.mark.parametrize(
    ("field", "value", "errors"),
    [
        ("age", "old", {"fields": {"age": ["'old' is not a whole number."]}}),
        ("age", 1.5, {"fields": {"age": ["Expected a whole number, got the fraction 1.5."]}}),
        ("tariff", "gold",
         {"fields": {"tariff": ["'gold' is not one of the options: basic, pro."]}}),
        ("status", "gone", {"status": ['"gone" is not a valid choice.']}),
        ("birthday", "yesterday", {"birthday": ["Date has wrong format. Use one of these "
                                                "formats instead: YYYY-MM-DD."]}),
        ("registration_country", "Britain",
         {"registration_country": ["Use a two-letter ISO 3166 country code, e.g. GB."]}),
        ("tracked_latitude", 100, {"tracked_latitude": ["Ensure this value is less than or "
                                                        "equal to 90."]}),
        ("phones", ["12"], {"phones": ["'12' is not a phone number: Missing or invalid default "
                                       "region."]}),
        ("first_name", "x" * 151, {"first_name": ["Ensure this field has no more than 150 "
                                                  "characters."]}),
    ],
)  # fmt: skip
def test_bad_values_answer_400_naming_the_field(api, shop, people, field, value, errors):
    # when
    response = post(api, shop, {}, field, value)
    # then
    assert response.status_code == 400
    assert response.json() == errors
    assert not Event.objects.filter(type=EventType.PROFILE_UPDATED).exists()


def test_a_required_custom_field_cannot_be_cleared(api, shop, people):
    CustomFieldFactory(database=shop, name="region", type="line", required=True, default="EU")
    response = post(api, shop, {}, "region", None)
    assert response.status_code == 400
    assert response.json() == {"fields": {"region": ["This field is required."]}}


@pytest.mark.parametrize(
    ("field", "reason"),
    [
        ("email", "Email is unique in a database: one value cannot be set on many profiles."),
        ("code", "code is unique: one value cannot be set on many profiles."),
        ("md5", "'md5' is neither a standard column nor a custom field of this database."),
        ("nosuch", "'nosuch' is neither a standard column nor a custom field of this database."),
    ],
)
def test_fields_that_cannot_take_one_value_for_many_are_refused(api, shop, people, field, reason):
    # given
    CustomFieldFactory(database=shop, name="code", type="line", unique=True)
    # when
    response = post(api, shop, {}, field, "x@example.com")
    # then
    assert response.status_code == 400
    assert response.json() == {"field": [reason]}


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"filter": {"colour": "red"}, "field": "status", "value": "invalid"},
         {"filter": ["Unknown filters: colour; use status, is_test, email, phone, q."]}),
        ({"filter": {"status": "gone"}, "field": "status", "value": "invalid"},
         {"filter": {"status": ["Select a valid choice. gone is not one of the available "
                                "choices."]}}),
        ({"filter": {"q": "nosuch:1"}, "field": "status", "value": "invalid"},
         {"filter": {"q": ["No custom field is named 'nosuch'."]}}),
        ({"field": "status", "value": "invalid"}, {"filter": ["This field is required."]}),
        ({"filter": {}, "field": "status"}, {"value": ["This field is required."]}),
    ],
)  # fmt: skip
def test_bad_filters_and_bodies_answer_400(api, shop, people, body, errors):
    response = api.post(bulk_url(shop), body, format="json")
    assert response.status_code == 400
    assert response.json() == errors
    assert not Profile.objects.filter(status="invalid").exists()


def test_query_count_does_not_depend_on_how_many_profiles_match(api, shop):
    def queries_for_update(value: str) -> int:
        with CaptureQueriesContext(connection) as context:
            response = post(api, shop, {"status": "subscribed"}, "tariff", value)
        assert response.status_code == 200
        return len(context.captured_queries)

    # given
    post(api, shop, {}, "tariff", "pro")  # the user's permissions are read once, then cached
    ProfileFactory.create_batch(10, database=shop)
    ten = queries_for_update("basic")
    ProfileFactory.create_batch(20, database=shop)
    # when
    thirty = queries_for_update("pro")
    # then: the database, its fields, COUNT, then one batch: SAVEPOINT, its rows (locked on
    # PostgreSQL), one UPDATE, record_many's SAVEPOINT, one INSERT of events, two RELEASEs;
    # the audit entry
    assert thirty == ten <= 11


def test_batches_cover_every_matching_profile(api, shop, monkeypatch):
    # given
    monkeypatch.setattr(bulk, "BATCH", 2)
    created = ProfileFactory.create_batch(5, database=shop)
    # when
    response = post(api, shop, {}, "first_name", "Same")
    # then
    assert response.json() == {"matched": 5, "updated": 5}
    assert set(Profile.objects.values_list("first_name", flat=True)) == {"Same"}
    assert len(events(EventType.PROFILE_UPDATED)) == len(created)


def test_many_profiles_are_updated_by_a_task(
    api, marketer, shop, people, monkeypatch, django_capture_on_commit_callbacks
):
    # given
    monkeypatch.setattr(bulk, "ASYNC_THRESHOLD", 2)
    # when: the task is enqueued after commit and runs in-process (no broker in tests)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(api, shop, {"q": "tariff:pro"}, "is_test", True)
    # then
    assert response.status_code == 202
    assert response.json()["matched"] == 3 and response.json()["task_id"]
    assert Profile.objects.filter(is_test=True).count() == 3
    assert {actor for _, _, actor in events(EventType.PROFILE_UPDATED)} == {marketer.id}


def test_a_value_refused_for_many_profiles_is_refused_before_any_task(
    api, shop, people, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(bulk, "ASYNC_THRESHOLD", 0)
    with django_capture_on_commit_callbacks() as callbacks:
        response = post(api, shop, {}, "age", "old")
    assert response.status_code == 400 and callbacks == []


def test_bulk_update_needs_credentials_and_the_change_permission(shop, viewer_without_permission):
    assert APIClient().post(bulk_url(shop), {}, format="json").status_code == 401
    client = APIClient()
    client.force_authenticate(viewer_without_permission)
    response = client.post(bulk_url(shop), {"filter": {}, "field": "status", "value": "invalid"},
                           format="json")  # fmt: skip
    assert response.status_code == 403


def test_text_from_a_form_is_read_as_the_csv_import_reads_it(shop, people, marketer):
    # given
    change = bulk.prepare_change(database=shop, field="interests", value="a, b", from_text=True)
    # when
    result = bulk.update_profiles(
        profiles=Profile.objects.filter(pk=people["cat"].pk), change=change, actor=marketer
    )
    # then
    assert result == bulk.BulkResult(matched=1, updated=1)
    assert Profile.objects.get(pk=people["cat"].pk).fields["interests"] == ["a", "b"]


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_updates_many_profiles_after_the_answer(api, shop, celery_worker, monkeypatch):
    # given
    monkeypatch.setattr(bulk, "ASYNC_THRESHOLD", 2)
    ProfileFactory.create_batch(3, database=shop)
    # when: queued while no worker runs, then a worker takes it
    response = post(api, shop, {"status": "subscribed"}, "status", "suspended")
    queued = Profile.objects.filter(status="suspended").count()
    with celery_worker():
        done = wait_until(lambda: Profile.objects.filter(status="suspended").count() == 3)
    # then
    assert response.status_code == 202 and response.json()["matched"] == 3
    assert queued == 0
    assert done, "the worker did not update the profiles in time"
    assert len(events(EventType.STATUS_CHANGED)) == 3
