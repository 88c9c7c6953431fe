"""The Django admin for resources, subscriptions and suppression lists (S1-S7), as staff use it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from history.models import Event
from profiles.models import Status
from subscriptions import services
from subscriptions.models import Resource, Subscription, SubscriptionField, Suppression
from tests.conftest import grant
from tests.profiles.factories import ProfileFactory
from tests.subscriptions.factories import (
    ResourceFactory,
    SubscriptionFactory,
    SuppressionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ann(shop):
    return ProfileFactory(database=shop, email="ann@example.com")


def errors_of(response) -> dict:
    return response.context["adminform"].form.errors


def new_subscription(profile, resource, **values) -> dict:
    """What the add page posts for a subscription with no categories, fields or device."""
    return {
        "profile": profile.pk, "resource": resource.pk, "channel": "email",
        "contact": "ann@example.com", "status": "subscribed", "priority": "",
        "categories": "{}", "fields": "{}", **values,
    }  # fmt: skip


def field_inline(*rows: dict, existing: int = 0) -> dict:
    data = {
        "fields-TOTAL_FORMS": str(len(rows)),
        "fields-INITIAL_FORMS": str(existing),
        "fields-MIN_NUM_FORMS": "0",
        "fields-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"fields-{index}-{key}": value for key, value in row.items()})
    return data


# Changelists


def test_resource_list_loads_with_bounded_queries(admin_client, django_assert_max_num_queries):
    # given
    for index in range(3):
        ResourceFactory(name=f"Site {index}", channels=["email", "sms"])
    # when: session, user, COUNT of the filtered rows, COUNT of all, the page's rows
    with django_assert_max_num_queries(5):
        response = admin_client.get(reverse("admin:subscriptions_resource_changelist"))
    # then
    assert response.status_code == 200
    assert "email, sms" in response.content.decode()


def test_subscription_list_has_no_query_per_row(admin_client, ann, django_assert_max_num_queries):
    # given
    for index in range(3):
        resource = ResourceFactory()
        SubscriptionFactory(profile=ann, resource=resource, contact=f"ann{index}@example.com")
    # when: session, user, COUNT, the rows with their resource (one join), the resources of
    # the resource filter
    with django_assert_max_num_queries(5):
        response = admin_client.get(reverse("admin:subscriptions_subscription_changelist"))
    # then
    assert len(response.context["cl"].result_list) == 3
    assert f"#{ann.pk}</a>" in response.content.decode()


def test_suppression_list_loads_with_bounded_queries(admin_client, django_assert_max_num_queries):
    # given
    SuppressionFactory.create_batch(3)
    # when: session, user, COUNT, COUNT without filters, the rows
    with django_assert_max_num_queries(5):
        response = admin_client.get(reverse("admin:subscriptions_suppression_changelist"))
    # then
    assert len(response.context["cl"].result_list) == 3
    assert "Import CSV" in response.content.decode()


def test_subscription_search_finds_a_contact_in_any_case_and_a_profile_id(admin_client, ann):
    # given
    resource = ResourceFactory()
    mine = SubscriptionFactory(profile=ann, resource=resource, contact="ann@example.com")
    other = SubscriptionFactory(resource=resource, contact="bob@example.com")
    url = reverse("admin:subscriptions_subscription_changelist")
    # when
    by_contact = admin_client.get(url, {"q": "ANN@example.com"})
    by_profile = admin_client.get(url, {"q": str(other.profile_id)})
    # then
    assert list(by_contact.context["cl"].result_list) == [mine]
    assert list(by_profile.context["cl"].result_list) == [other]


# Resources and their fields


def test_adding_a_resource_stores_channels_and_categories(admin_client):
    # when
    admin_client.post(
        reverse("admin:subscriptions_resource_add"),
        {"name": "Website", "channels": ["email", "push"], "categories": "news\nsales",
         "auto_priority": "on"},
    )  # fmt: skip
    # then
    resource = Resource.objects.get(name="Website")
    assert (resource.channels, resource.categories) == (["email", "push"], ["news", "sales"])
    assert resource.auto_priority and not resource.double_opt_in


def test_resource_name_already_taken_shows_the_error_on_name(admin_client):
    # given
    ResourceFactory(name="Website")
    # when
    response = admin_client.post(
        reverse("admin:subscriptions_resource_add"), {"name": "Website", "channels": ["email"]}
    )
    # then
    assert errors_of(response)["name"] == ["A resource with this name already exists."]


def test_field_row_adds_a_subscription_field_through_the_service(admin_client):
    # given
    resource = ResourceFactory(name="App", channels=["push"])
    row = {"name": "size", "title": "Size", "type": "enum", "options": "s, m, l", "default": "m"}
    # when
    response = admin_client.post(
        reverse("admin:subscriptions_resource_change", args=[resource.pk]),
        {"name": "App", "channels": ["push"], "categories": "", **field_inline(row)},
    )
    # then
    assert response.status_code == 302
    field = SubscriptionField.objects.get(resource=resource)
    assert (field.name, field.options, field.default) == ("size", ["s", "m", "l"], "m")


def test_refused_field_row_shows_its_error_and_keeps_nothing_of_the_page(admin_client):
    # given
    resource = ResourceFactory(name="App", channels=["push"])
    rows = ({"name": "size", "type": "number"}, {"name": "tier", "type": "enum", "options": ""})
    # when
    response = admin_client.post(
        reverse("admin:subscriptions_resource_change", args=[resource.pk]),
        {"name": "Renamed", "channels": ["push"], "categories": "", **field_inline(*rows)},
    )
    # then
    forms = response.context["inline_admin_formsets"][0].formset.forms
    assert forms[1].errors["options"] == ["An enum needs a list of non-empty text options."]
    resource.refresh_from_db()
    assert resource.name == "App"
    assert not SubscriptionField.objects.exists()


def test_deleting_a_field_row_deletes_the_field(admin_client):
    # given
    resource = ResourceFactory(name="App", channels=["push"])
    field = services.create_subscription_field(resource=resource, name="size", type="number")
    row = {"id": field.pk, "resource": resource.pk, "name": "size", "type": "number",
           "DELETE": "on"}  # fmt: skip
    # when
    admin_client.post(
        reverse("admin:subscriptions_resource_change", args=[resource.pk]),
        {"name": "App", "channels": ["push"], "categories": "", **field_inline(row, existing=1)},
    )
    # then
    assert not SubscriptionField.objects.exists()


def test_resource_with_subscriptions_is_not_deleted_and_says_why(admin_client, ann):
    # given
    resource = ResourceFactory(name="Website")
    SubscriptionFactory(profile=ann, resource=resource)
    # when
    response = admin_client.post(
        reverse("admin:subscriptions_resource_delete", args=[resource.pk]),
        {"post": "yes"},
        follow=True,
    )
    # then
    assert Resource.objects.filter(pk=resource.pk).exists()
    shown = [str(message) for message in response.context["messages"]]
    assert shown == ["“Website” still has subscriptions; it was not deleted."]


# Subscriptions


def test_adding_a_subscription_applies_auto_priority_and_records_it(admin_client, ann):
    # given
    resource = ResourceFactory(auto_priority=True)
    older = SubscriptionFactory(profile=ann, resource=resource, contact="old@example.com")
    # when
    response = admin_client.post(
        reverse("admin:subscriptions_subscription_add"), new_subscription(ann, resource)
    )
    # then
    assert response.status_code == 302
    added = Subscription.objects.get(contact="ann@example.com")
    older.refresh_from_db()
    assert (added.priority, older.priority) == (0, 1)
    assert Event.objects.filter(subscription_id=added.pk, type="subscribe").count() == 1


def test_adding_to_a_double_opt_in_resource_leaves_it_unconfirmed_with_a_link(admin_client, ann):
    # given
    resource = ResourceFactory(double_opt_in=True)
    # when
    response = admin_client.post(
        reverse("admin:subscriptions_subscription_add"),
        {**new_subscription(ann, resource), "_continue": "Save and continue editing"},
        follow=True,
    )
    # then
    added = Subscription.objects.get(contact="ann@example.com")
    assert added.status == Status.UNCONFIRMED
    assert "/s/confirm/" in response.content.decode()


def test_invalid_contact_shows_the_error_on_contact(admin_client, ann):
    # given
    resource = ResourceFactory()
    # when
    response = admin_client.post(
        reverse("admin:subscriptions_subscription_add"),
        new_subscription(ann, resource, contact="not an address"),
    )
    # then
    assert "not a valid email address" in errors_of(response)["contact"][0]
    assert not Subscription.objects.exists()


def test_custom_field_errors_show_on_the_fields_input(admin_client, ann):
    # given
    resource = ResourceFactory()
    services.create_subscription_field(resource=resource, name="size", type="number")
    # when
    response = admin_client.post(
        reverse("admin:subscriptions_subscription_add"),
        new_subscription(ann, resource, fields='{"size": "big"}'),
    )
    # then
    [message] = errors_of(response)["fields"]
    assert message.startswith("size: ")


def test_changing_the_status_goes_through_the_service_and_is_recorded(admin_client, ann):
    # given
    subscription = SubscriptionFactory(profile=ann, contact="ann@example.com")
    url = reverse("admin:subscriptions_subscription_change", args=[subscription.pk])
    # when
    response = admin_client.post(
        url, {"status": "unsubscribed", "priority": "0", "categories": "{}", "fields": "{}"}
    )
    # then
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.status == Status.UNSUBSCRIBED
    recorded = Event.objects.filter(subscription_id=subscription.pk, type="unsubscribe")
    assert recorded.get().data == {
        "old": "subscribed", "new": "unsubscribed", "contact": "ann@example.com"
    }  # fmt: skip


def test_deleting_a_subscription_marks_it_deleted(admin_client, ann):
    # given
    subscription = SubscriptionFactory(profile=ann)
    # when
    admin_client.post(
        reverse("admin:subscriptions_subscription_delete", args=[subscription.pk]),
        {"post": "yes"},
    )
    # then
    subscription.refresh_from_db()
    assert subscription.deleted_at is not None


# Suppressions


def test_adding_a_suppression_stores_the_normalised_contact(admin_client):
    # when
    admin_client.post(
        reverse("admin:subscriptions_suppression_add"),
        {"channel": "email", "contact": " Ann@EXAMPLE.com ", "reason": "manual"},
    )
    # then
    assert list(Suppression.objects.values_list("contact", flat=True)) == ["ann@example.com"]


def test_deleting_a_suppression_removes_it(admin_client):
    # given
    suppression = SuppressionFactory()
    # when
    admin_client.post(
        reverse("admin:subscriptions_suppression_delete", args=[suppression.pk]), {"post": "yes"}
    )
    # then
    assert not Suppression.objects.exists()


def test_csv_upload_reports_counts_and_refused_lines(admin_client):
    # given
    SuppressionFactory(channel="email", contact="known@example.com")
    content = b"channel,contact\nemail,ann@example.com\nemail,known@example.com\nemail,<b>x\n"
    # when
    response = admin_client.post(
        reverse("admin:subscriptions_suppression_import"),
        {"file": SimpleUploadedFile("list.csv", content)},
    )
    # then
    page = response.content.decode()
    assert "Added 1, already suppressed 1, failed 1." in page
    assert "<td>4</td><td>&lt;b&gt;x</td>" in page
    assert Suppression.objects.count() == 2


def test_csv_upload_that_is_not_utf8_shows_the_error_on_the_file(admin_client):
    # when
    response = admin_client.post(
        reverse("admin:subscriptions_suppression_import"),
        {"file": SimpleUploadedFile("list.csv", "contact\nrené@example.com\n".encode("latin-1"))},
    )
    # then
    assert "not UTF-8" in response.context["form"].errors["file"][0]
    assert not Suppression.objects.exists()


def test_csv_upload_page_requires_add_permission(client, marketer):
    # given
    client.force_login(grant(marketer, "view_suppression"))
    # when
    response = client.get(reverse("admin:subscriptions_suppression_import"))
    # then
    assert response.status_code == 403


def test_export_link_downloads_the_list(admin_client):
    # given
    SuppressionFactory(channel="email", contact="ann@example.com")
    # when
    response = admin_client.get(reverse("admin:subscriptions_suppression_export"))
    # then
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[1].startswith("email,ann@example.com,manual,")
