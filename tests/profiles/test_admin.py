"""The Django admin for databases, custom fields and profiles (P1-P6), as a marketer uses it."""

import pytest
from django.forms import MultiWidget
from django.urls import reverse

from history.models import Event, EventType
from profiles.models import CustomField, Profile, ProfileDatabase
from tests.profiles.factories import (
    CustomFieldFactory,
    ProfileDatabaseFactory,
    ProfileFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


def form_data(response) -> dict:
    """What the browser posts back for the form as rendered: every field's current value."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field.widget, MultiWidget):
            for index, part in enumerate(field.widget.decompress(value)):
                data[f"{name}_{index}"] = "" if part is None else part
        elif value is True:
            data[name] = "on"
        elif value not in (None, False):
            data[name] = value
    return data


def post_change(client, obj, admin_name: str, **changes):
    url = reverse(f"admin:profiles_{admin_name}_change", args=[obj.pk])
    return client.post(url, {**form_data(client.get(url)), **changes})


def errors_of(response) -> dict:
    return response.context["adminform"].form.errors


# Profile databases


def test_database_list_counts_profiles_without_a_query_per_row(
    staff, django_assert_max_num_queries
):
    # given
    for index in range(3):
        database = ProfileDatabaseFactory(name=f"Base {index}")
        ProfileFactory.create_batch(index, database=database)
    # when: session, user, COUNT of the page's rows, COUNT without filters, the rows with
    # their profile counts (one GROUP BY)
    with django_assert_max_num_queries(5):
        response = staff.get(reverse("admin:profiles_profiledatabase_changelist"))
    # then
    counts = {row.name: row.profile_count for row in response.context["cl"].result_list}
    assert counts == {"Base 0": 0, "Base 1": 1, "Base 2": 2}


def test_database_name_already_taken_shows_the_error_on_name(staff):
    # given
    ProfileDatabaseFactory(name="Shop")
    # when
    response = staff.post(
        reverse("admin:profiles_profiledatabase_add"), {"name": "Shop", "description": ""}
    )
    # then
    assert errors_of(response)["name"] == ["A profile database with this name already exists."]
    assert ProfileDatabase.objects.filter(name="Shop").count() == 1


def test_database_holding_profiles_is_not_deleted_and_says_why(staff, shop):
    # given
    ProfileFactory(database=shop)
    url = reverse("admin:profiles_profiledatabase_delete", args=[shop.pk])
    # when
    response = staff.post(url, {"post": "yes"}, follow=True)
    # then
    assert ProfileDatabase.objects.filter(pk=shop.pk).exists()
    shown = [str(message) for message in response.context["messages"]]
    assert shown == [
        "“Shop” was not deleted: it still holds 1 profile(s); delete or move them first."
    ]


def test_bulk_delete_refuses_databases_holding_profiles(staff, shop):
    # given
    empty = ProfileDatabaseFactory(name="Empty")
    ProfileFactory(database=shop)
    # when
    response = staff.post(
        reverse("admin:profiles_profiledatabase_changelist"),
        {"action": "delete_selected", "_selected_action": [shop.pk, empty.pk], "post": "yes"},
        follow=True,
    )
    # then
    assert set(ProfileDatabase.objects.values_list("name", flat=True)) == {"Shop", "Empty"}
    assert "“Shop” was not deleted" in response.content.decode()


def test_empty_database_is_deleted(staff):
    # given
    database = ProfileDatabaseFactory(name="Old")
    CustomFieldFactory(database=database, name="score", type="number")
    # when
    staff.post(
        reverse("admin:profiles_profiledatabase_delete", args=[database.pk]), {"post": "yes"}
    )
    # then
    assert not ProfileDatabase.objects.filter(pk=database.pk).exists()


# Custom fields


def test_enum_options_are_read_one_per_line_or_comma_separated(staff, shop):
    # given
    url = reverse("admin:profiles_customfield_add")
    base = {"database": shop.pk, "type": "enum", "title": ""}
    # when
    staff.post(url, {**base, "name": "size", "options": "small\r\nmedium, large\r\n\r\n"})
    staff.post(url, {**base, "name": "colour", "options": "red, green ,blue"})
    # then
    assert CustomField.objects.get(name="size").options == ["small", "medium, large"]
    assert CustomField.objects.get(name="colour").options == ["red", "green", "blue"]


def test_enum_without_options_shows_the_error_on_options(staff, shop):
    # when
    response = staff.post(
        reverse("admin:profiles_customfield_add"),
        {"database": shop.pk, "name": "size", "type": "enum", "options": ""},
    )
    # then
    assert errors_of(response)["options"] == ["An enum needs a list of non-empty text options."]
    assert not CustomField.objects.filter(name="size").exists()


def test_field_named_like_a_standard_field_shows_the_error_on_name(staff, shop):
    # when
    response = staff.post(
        reverse("admin:profiles_customfield_add"),
        {"database": shop.pk, "name": "email", "type": "line"},
    )
    # then
    assert errors_of(response)["name"] == ["'email' is a standard profile field name."]


def test_default_is_read_as_text_by_the_registry(staff, shop):
    # when
    staff.post(
        reverse("admin:profiles_customfield_add"),
        {"database": shop.pk, "name": "vip", "type": "boolean", "default": "yes"},
    )
    staff.post(
        reverse("admin:profiles_customfield_add"),
        {"database": shop.pk, "name": "labels", "type": "tags", "default": "a; b, a"},
    )
    # then
    assert CustomField.objects.get(name="vip").default is True
    assert CustomField.objects.get(name="labels").default == ["a", "b"]


def test_default_outside_the_options_shows_the_error_on_default(staff, shop):
    # when
    response = staff.post(
        reverse("admin:profiles_customfield_add"),
        {"database": shop.pk, "name": "size", "type": "enum", "options": "s, m", "default": "xl"},
    )
    # then
    assert errors_of(response)["default"] == ["'xl' is not one of the options: s, m."]


def test_making_a_field_unique_over_duplicates_shows_the_error_on_unique(staff, shop):
    # given
    ProfileFactory.create_batch(2, database=shop, fields={"age": 30})
    age = CustomField.objects.get(database=shop, name="age")
    # when
    response = post_change(staff, age, "customfield", unique="on")
    # then
    assert errors_of(response)["unique"] == ["Profiles already share values of this field: 30."]
    age.refresh_from_db()
    assert age.unique is False


def test_dropping_an_option_in_use_shows_the_error_on_options(staff, shop):
    # given
    ProfileFactory(database=shop, fields={"tariff": "pro"})
    tariff = CustomField.objects.get(database=shop, name="tariff")
    # when
    response = post_change(staff, tariff, "customfield", options="basic")
    # then
    assert errors_of(response)["options"] == ["Options still used by profiles: pro."]


def test_name_and_type_are_read_only_once_the_field_exists(staff, shop):
    # given
    age = CustomField.objects.get(database=shop, name="age")
    # when
    response = post_change(staff, age, "customfield", name="years", type="line", title="Age")
    # then
    age.refresh_from_db()
    assert (age.name, age.type, age.title) == ("age", "number", "Age")
    assert response.status_code == 302


def test_deleting_a_field_hides_it_at_once(staff, shop, django_capture_on_commit_callbacks):
    # given
    ProfileFactory(database=shop, fields={"age": 30})
    age = CustomField.objects.get(database=shop, name="age")
    # when
    with django_capture_on_commit_callbacks(execute=False):
        staff.post(reverse("admin:profiles_customfield_delete", args=[age.pk]), {"post": "yes"})
    # then
    assert not CustomField.objects.filter(pk=age.pk).exists()
    assert CustomField.all_objects.get(pk=age.pk).deleted_at is not None


# Profiles: list and search


def test_profile_list_of_30_profiles_runs_a_fixed_number_of_queries(
    staff, shop, django_assert_max_num_queries
):
    # given
    ProfileFactory.create_batch(30, database=shop)
    # when: session, user, COUNT of the rows, the page of rows joined to their database,
    # the databases for the filter (no full COUNT: show_full_result_count is off)
    with django_assert_max_num_queries(5):
        response = staff.get(reverse("admin:profiles_profile_changelist"))
    # then
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 30


@pytest.mark.parametrize(
    ("search", "expected"),
    [("ANN@example.com", "ann"), ("+44 7911 123456", "bob"), ("tariff:pro", "bob")],
)
def test_search_finds_profiles_by_email_phone_and_custom_field(staff, shop, search, expected):
    # given
    ann = ProfileFactory(database=shop, email="ann@example.com", fields={"tariff": "basic"})
    bob = ProfileFactory(database=shop, phones=["+447911123456"], fields={"tariff": "pro"})
    # when
    response = staff.get(reverse("admin:profiles_profile_changelist"), {"q": search})
    # then
    found = list(response.context["cl"].result_list)
    assert found == [{"ann": ann, "bob": bob}[expected]]


def test_search_with_a_bad_field_value_shows_why_and_no_rows(staff, shop):
    # given
    ProfileFactory(database=shop, fields={"age": 30})
    # when
    response = staff.get(reverse("admin:profiles_profile_changelist"), {"q": "age:abc"})
    # then
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
    assert "&#x27;abc&#x27; is not a whole number." in response.content.decode()


# Profiles: the change form


def test_change_form_saves_a_valid_custom_value(staff, shop):
    # given
    profile = ProfileFactory(database=shop, fields={"tariff": "basic"})
    # when
    response = post_change(
        staff, profile, "profile", fields__age="42", fields__interests="a, b", last_name="Lee"
    )
    # then
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.fields == {"tariff": "basic", "age": 42, "interests": ["a", "b"]}
    assert profile.last_name == "Lee"


def test_change_form_shows_errors_on_the_custom_fields_and_keeps_the_profile(staff, shop):
    # given
    profile = ProfileFactory(database=shop, first_name="Ann", fields={"tariff": "basic"})
    # when
    response = post_change(
        staff, profile, "profile", fields__age="abc", fields__tariff="gold", first_name="Eve"
    )
    # then
    assert errors_of(response) == {
        "fields__age": ["'abc' is not a whole number."],
        "fields__tariff": ["'gold' is not one of the options: basic, pro."],
    }
    profile.refresh_from_db()
    assert (profile.first_name, profile.fields) == ("Ann", {"tariff": "basic"})


def test_duplicate_email_shows_the_error_on_email(staff, shop):
    # given
    ProfileFactory(database=shop, email="ann@example.com")
    profile = ProfileFactory(database=shop, email="bob@example.com")
    # when
    response = post_change(staff, profile, "profile", email="ANN@example.com")
    # then
    assert errors_of(response)["email"] == [
        "Another profile of this database already has this email."
    ]
    profile.refresh_from_db()
    assert profile.email == "bob@example.com"


def test_phones_are_entered_one_per_line_and_stored_in_e164(staff, shop):
    # given
    profile = ProfileFactory(database=shop)
    # when
    post_change(staff, profile, "profile", phones="+44 7911 123456\r\n\r\n+1 202-555-0143")
    # then
    profile.refresh_from_db()
    assert profile.phones == ["+447911123456", "+12025550143"]


def test_saving_a_placeholder_email_profile_unchanged_keeps_it(staff, shop):
    # given: a profile without email holds "<id>@localhost", which is no valid address
    profile = ProfileFactory(database=shop, email=None)
    # when
    response = post_change(staff, profile, "profile", status="unsubscribed")
    # then
    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.email, profile.status) == (f"{profile.pk}@localhost", "unsubscribed")


def test_change_page_escapes_what_customers_typed(staff, shop):
    # given
    CustomFieldFactory(database=shop, name="note", title="<b>Note</b>", type="line")
    profile = ProfileFactory(database=shop, first_name="<script>x</script>", fields={"note": "<i>"})
    # when
    response = staff.get(reverse("admin:profiles_profile_change", args=[profile.pk]))
    # then
    html = response.content.decode()
    assert "<script>x</script>" not in html and "<b>Note</b>" not in html
    assert "&lt;b&gt;Note&lt;/b&gt;" in html
    assert 'value="&lt;i&gt;"' in html


# Profiles: adding and deleting


def test_add_page_asks_for_the_database_first(staff, shop):
    # when
    response = staff.get(reverse("admin:profiles_profile_add"))
    # then
    assert response.templates[0].name == "admin/profiles/profile/choose_database.html"
    assert f'<option value="{shop.pk}">Shop</option>' in response.content.decode()


def test_adding_a_profile_gives_it_identifiers_and_the_defaults(staff, shop):
    # given
    CustomFieldFactory(database=shop, name="points", type="number", default=10)
    url = reverse("admin:profiles_profile_add") + f"?database={shop.pk}"
    data = {**form_data(staff.get(url)), "email": "new@example.com", "fields__tariff": "pro"}
    # when
    response = staff.post(url, data)
    # then
    assert response.status_code == 302
    profile = Profile.objects.get(email="new@example.com")
    assert profile.database == shop
    assert len(profile.md5) == 32 and len(profile.xxh) == 16
    assert profile.fields == {"tariff": "pro", "points": 10}


def test_add_form_shows_service_errors_and_creates_nothing(staff, shop):
    # given
    CustomFieldFactory(database=shop, name="code", type="line", required=True)
    url = reverse("admin:profiles_profile_add") + f"?database={shop.pk}"
    # when
    response = staff.post(url, {**form_data(staff.get(url)), "fields__age": "1.5"})
    # then
    assert errors_of(response) == {
        "fields__age": ["'1.5' is not a whole number."],
        "fields__code": ["This field is required."],
    }
    assert not Profile.objects.exists()


def test_delete_requires_the_delete_profile_permission(client, marketer, shop):
    # given
    profile = ProfileFactory(database=shop)
    client.force_login(marketer)
    # when
    response = client.post(
        reverse("admin:profiles_profile_delete", args=[profile.pk]), {"post": "yes"}
    )
    # then
    assert response.status_code == 403
    assert Profile.objects.filter(pk=profile.pk).exists()


def test_bulk_delete_removes_the_selected_profiles(staff, shop):
    # given
    kept, *gone = ProfileFactory.create_batch(3, database=shop)
    # when
    staff.post(
        reverse("admin:profiles_profile_changelist"),
        {"action": "delete_selected", "_selected_action": [p.pk for p in gone], "post": "yes"},
    )
    # then
    assert list(Profile.objects.all()) == [kept]


def test_status_change_by_a_marketer_is_recorded_with_them_as_actor(client, marketer, shop):
    # given
    profile = ProfileFactory(database=shop)
    client.force_login(marketer)
    # when
    post_change(client, profile, "profile", status="suspended")
    # then
    event = Event.objects.get(profile_id=profile.pk, type=EventType.STATUS_CHANGED)
    assert (event.actor, event.data) == (marketer, {"old": "subscribed", "new": "suspended"})
