"""The profile admin's exports (X3, P7) and bulk change (X5), as staff use them."""

import csv
import io
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from history.models import Event, EventType
from profiles.models import Profile
from tests.conftest import grant
from tests.profiles.factories import ProfileDatabaseFactory, ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:profiles_profile_changelist")


def logged_in(user, *, enforce_csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf)
    client.force_login(user)
    return client


def csv_ids(response) -> list[int]:
    text = b"".join(response.streaming_content).decode()
    return [int(row["id"]) for row in csv.DictReader(io.StringIO(text))]


def action_choices(response) -> list[str]:
    return [name for name, _ in response.context["action_form"].fields["action"].choices]


@pytest.fixture
def people(shop):
    return [
        ProfileFactory(database=shop, first_name="Ann", fields={"tariff": "pro"}),
        ProfileFactory(database=shop, first_name="Bob", status="unsubscribed"),
        ProfileFactory(database=shop, first_name="Cat"),
    ]


# Exports (X3)


def test_export_action_downloads_the_selected_profiles(exporter, people):
    # when
    response = logged_in(exporter).post(
        CHANGELIST,
        {"action": "export_selected", "_selected_action": [people[0].pk, people[2].pk]},
    )
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_ids(response) == [people[0].pk, people[2].pk]


def test_export_action_is_offered_with_the_export_permission(exporter, people):
    assert "export_selected" in action_choices(logged_in(exporter).get(CHANGELIST))


def test_export_action_is_hidden_without_the_export_permission(marketer, people):
    assert "export_selected" not in action_choices(logged_in(marketer).get(CHANGELIST))


def test_export_action_refuses_profiles_of_several_databases(exporter, people):
    # given
    stranger = ProfileFactory(database=ProfileDatabaseFactory())
    # when
    response = logged_in(exporter).post(
        CHANGELIST,
        {"action": "export_selected", "_selected_action": [people[0].pk, stranger.pk]},
        follow=True,
    )
    # then
    assert "Select profiles of one database" in response.content.decode()


def test_the_filtered_list_links_to_its_export(exporter, shop, people):
    # given
    query = f"database__id__exact={shop.pk}&status__exact=subscribed&q=Ann"
    client = logged_in(exporter)
    # when
    page = client.get(f"{CHANGELIST}?{query}")
    export_url = page.context["export_url"]
    download = client.get(export_url)
    # then
    assert export_url == f"{reverse('admin:profiles_profile_export')}?{query}"
    assert export_url.replace("&", "&amp;") in page.content.decode()
    assert csv_ids(download) == [people[0].pk]


def test_the_list_offers_its_export_once_filtered_by_database(exporter, shop):
    assert "export_url" not in logged_in(exporter).get(CHANGELIST).context
    response = logged_in(exporter).get(reverse("admin:profiles_profile_export"), follow=True)
    assert "Filter the list by one database" in response.content.decode()


def test_the_list_export_needs_the_export_permission(marketer, shop):
    filtered = f"?database__id__exact={shop.pk}"
    assert "export_url" not in logged_in(marketer).get(CHANGELIST + filtered).context
    export_url = reverse("admin:profiles_profile_export") + filtered
    assert logged_in(marketer).get(export_url).status_code == 403


# Personal data (P7)


def test_the_change_page_links_to_the_personal_data(exporter, people):
    # given
    client = logged_in(exporter)
    url = reverse("admin:profiles_profile_personal_data", args=[people[0].pk])
    # when
    page = client.get(reverse("admin:profiles_profile_change", args=[people[0].pk]))
    as_json = client.get(f"{url}?format=json")
    as_csv = client.get(f"{url}?format=csv")
    # then
    assert f"{url}?format=json" in page.content.decode()
    assert json.loads(b"".join(as_json.streaming_content))["profile"]["id"] == people[0].pk
    assert b"".join(as_csv.streaming_content).startswith(b"section,item,field,value")


def test_personal_data_needs_the_export_permission(marketer, people):
    client = logged_in(marketer)
    page = client.get(reverse("admin:profiles_profile_change", args=[people[0].pk]))
    url = reverse("admin:profiles_profile_personal_data", args=[people[0].pk])
    assert url not in page.content.decode()
    assert client.get(url).status_code == 403


# Bulk change (X5)


def csrf_token(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())[1]


def test_set_field_asks_for_the_value_then_applies_it_through_the_service(marketer, people):
    # given
    client = logged_in(marketer, enforce_csrf=True)
    page = client.get(CHANGELIST)
    selected = {"action": "set_field", "_selected_action": [people[0].pk, people[1].pk]}
    # when: the action opens its page
    form_page = client.post(CHANGELIST, {**selected, "csrfmiddlewaretoken": csrf_token(page)})
    # and the value is applied
    done = client.post(
        CHANGELIST,
        {**selected, "csrfmiddlewaretoken": csrf_token(form_page), "apply": "1",
         "field": "interests", "value": "sale, kids"},
        follow=True,
    )  # fmt: skip
    # then
    assert form_page.status_code == 200
    assert "2 selected profiles" in form_page.content.decode()
    assert "interests set on 2 of 2 profiles" in done.content.decode()
    fields = dict(Profile.objects.values_list("first_name", "fields"))
    assert fields["Ann"]["interests"] == fields["Bob"]["interests"] == ["sale", "kids"]
    assert "interests" not in fields["Cat"]
    recorded = Event.objects.filter(type=EventType.PROFILE_UPDATED)
    assert set(recorded.values_list("actor_id", flat=True)) == {marketer.pk}
    assert recorded.count() == 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("age", "old", "&#x27;old&#x27; is not a whole number."),
        ("status", "gone", "&quot;gone&quot; is not a valid choice."),
        ("birthday", "1 April", "Date has wrong format."),
        ("", "x", "This field is required."),
    ],
)
def test_set_field_shows_a_refused_value_on_its_page(marketer, people, field, value, message):
    # when
    response = logged_in(marketer).post(
        CHANGELIST,
        {"action": "set_field", "_selected_action": [people[0].pk], "apply": "1",
         "field": field, "value": value},
    )  # fmt: skip
    # then
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Event.objects.filter(type=EventType.PROFILE_UPDATED).exists()


def test_set_field_offers_standard_columns_and_the_databases_custom_fields(marketer, people):
    response = logged_in(marketer).post(
        CHANGELIST, {"action": "set_field", "_selected_action": [people[0].pk]}
    )
    choices = dict(response.context["form"].fields["field"].choices)
    assert [name for name, _ in choices["Custom fields"]] == ["tariff", "age", "interests"]
    assert "status" in dict(choices["Standard"]) and "email" not in dict(choices["Standard"])


def test_set_field_without_a_csrf_token_is_refused(marketer, people):
    response = logged_in(marketer, enforce_csrf=True).post(
        CHANGELIST,
        {"action": "set_field", "_selected_action": [people[0].pk], "apply": "1",
         "field": "status", "value": "invalid"},
    )  # fmt: skip
    assert response.status_code == 403
    assert not Profile.objects.filter(status="invalid").exists()


def test_set_field_needs_the_change_permission(people):
    reader = grant(UserFactory(is_staff=True), "view_profile", "export_profile")
    assert action_choices(logged_in(reader).get(CHANGELIST)) == ["", "export_selected"]
