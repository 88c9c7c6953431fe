"""P1 databases and P3 field definitions through the REST API (API.md "Databases and fields")."""

import pytest
from django.db import connection

from profiles.models import CustomField, ProfileDatabase
from tests.conftest import grant
from tests.profiles.factories import CustomFieldFactory, ProfileDatabaseFactory, ProfileFactory


def test_create_and_list_databases(api):
    # when
    created = api.post(
        "/api/v1/databases/", {"name": "Shop", "description": "Buyers"}, format="json"
    )
    listed = api.get("/api/v1/databases/")
    # then
    assert created.status_code == 201
    assert created.json()["name"] == "Shop"
    assert [row["name"] for row in listed.json()["results"]] == ["Shop"]
    assert set(listed.json()) >= {"results", "next", "previous"}


def test_database_name_must_be_unique(api):
    # given
    ProfileDatabaseFactory(name="Shop")
    # when
    response = api.post("/api/v1/databases/", {"name": "Shop"}, format="json")
    # then
    assert response.status_code == 400
    assert "already exists" in response.json()["name"][0]


def test_rename_database_with_patch(api, shop):
    response = api.patch(f"/api/v1/databases/{shop.id}/", {"name": "Store"}, format="json")
    assert response.status_code == 200
    assert ProfileDatabase.objects.get(pk=shop.pk).name == "Store"


def test_delete_database_holding_profiles_is_refused(api, marketer, shop):
    # given
    grant(marketer, "delete_profiledatabase")
    ProfileFactory(database=shop)
    # when
    response = api.delete(f"/api/v1/databases/{shop.id}/")
    # then
    assert response.status_code == 400
    assert "still holds profiles" in response.json()["database"][0]
    assert ProfileDatabase.objects.filter(pk=shop.pk).exists()


def test_delete_empty_database(api, marketer):
    grant(marketer, "delete_profiledatabase")
    database = ProfileDatabaseFactory()
    assert api.delete(f"/api/v1/databases/{database.id}/").status_code == 204
    assert not ProfileDatabase.objects.filter(pk=database.pk).exists()


def test_create_enum_field_and_read_it_by_name(api, shop):
    # when
    body = {
        "name": "plan",
        "title": "Plan",
        "type": "enum",
        "options": ["a", "b"],
        "required": False,
        "unique": False,
    }
    created = api.post(f"/api/v1/databases/{shop.id}/fields/", body, format="json")
    fetched = api.get(f"/api/v1/databases/{shop.id}/fields/plan/")
    # then
    assert created.status_code == 201
    assert {key: fetched.json()[key] for key in body} == body


@pytest.mark.parametrize(
    ("body", "key", "reason"),
    [
        ({"name": "Tariff", "type": "line"}, "name", "lower-case"),
        ({"name": "9lives", "type": "line"}, "name", "lower-case"),
        ({"name": "email", "type": "line"}, "name", "standard profile field"),
        ({"name": "first_name", "type": "line"}, "name", "standard profile field"),
        ({"name": "registration", "type": "line"}, "name", "standard profile field"),
        ({"name": "tariff", "type": "line"}, "name", "already has a field"),
        ({"name": "x", "type": "money"}, "type", "not a valid choice"),
        ({"name": "x", "type": "enum"}, "options", "enum needs"),
        ({"name": "x", "type": "enum", "options": ["a", "a"]}, "options", "repeat"),
        ({"name": "x", "type": "line", "options": ["a"]}, "options", "Only enum"),
        ({"name": "x", "type": "tags", "unique": True}, "unique", "cannot be unique"),
        ({"name": "x", "type": "boolean", "unique": True}, "unique", "cannot be unique"),
        ({"name": "x", "type": "number", "default": "ten"}, "default", "not a whole number"),
        ({"name": "x", "type": "line", "unique": True, "default": "a"}, "default", "unique"),
    ],
)
def test_invalid_field_definition_names_the_key(api, shop, body, key, reason):
    response = api.post(f"/api/v1/databases/{shop.id}/fields/", body, format="json")
    assert response.status_code == 400
    assert reason in " ".join(response.json()[key])


def test_field_name_and_type_cannot_change(api, shop):
    response = api.patch(
        f"/api/v1/databases/{shop.id}/fields/age/",
        {"type": "float", "name": "years"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"name", "type"}


def test_enum_option_in_use_cannot_be_removed(api, shop):
    # given
    ProfileFactory(database=shop, fields={"tariff": "pro"})
    # when
    response = api.patch(
        f"/api/v1/databases/{shop.id}/fields/tariff/", {"options": ["basic"]}, format="json"
    )
    # then
    assert response.status_code == 400
    assert "pro" in response.json()["options"][0]
    assert CustomField.objects.get(database=shop, name="tariff").options == ["basic", "pro"]


def test_unused_enum_option_can_be_removed(api, shop):
    ProfileFactory(database=shop, fields={"tariff": "basic"})
    response = api.patch(
        f"/api/v1/databases/{shop.id}/fields/tariff/", {"options": ["basic"]}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["options"] == ["basic"]


def test_fields_of_another_database_are_not_visible(api, shop):
    other = ProfileDatabaseFactory()
    CustomFieldFactory(database=other, name="secret")
    assert api.get(f"/api/v1/databases/{shop.id}/fields/secret/").status_code == 404
    names = [
        row["name"] for row in api.get(f"/api/v1/databases/{shop.id}/fields/").json()["results"]
    ]
    assert names == ["tariff", "age", "interests"]


def test_fields_of_missing_database_answer_404(api):
    assert api.get("/api/v1/databases/999/fields/").status_code == 404


def test_deleted_field_disappears_and_its_values_are_purged(
    api, marketer, shop, django_capture_on_commit_callbacks
):
    # given
    grant(marketer, "delete_customfield")
    profile = ProfileFactory(database=shop, fields={"age": 40, "tariff": "pro"})
    # when (eager Celery: the purge task runs when the transaction commits)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.delete(f"/api/v1/databases/{shop.id}/fields/age/")
    # then
    assert response.status_code == 204
    assert api.get(f"/api/v1/databases/{shop.id}/fields/age/").status_code == 404
    profile.refresh_from_db()
    assert profile.fields == {"tariff": "pro"}
    assert not CustomField.all_objects.filter(database=shop, name="age").exists()


def test_deleting_a_database_drops_its_unique_field_indexes(api, marketer):
    # given
    grant(marketer, "delete_profiledatabase")
    database = ProfileDatabaseFactory()
    field = CustomFieldFactory(database=database, name="code", unique=True)
    index = field.unique_index_name

    def indexes():
        with connection.cursor() as cursor:
            return connection.introspection.get_constraints(cursor, "profiles_profile")

    assert index in indexes()
    # when
    response = api.delete(f"/api/v1/databases/{database.id}/")
    # then
    assert response.status_code == 204
    assert index not in indexes()


def test_a_refused_field_change_leaves_the_object_as_stored(shop):
    # given
    from config.exceptions import InvalidInput
    from profiles import services

    field = CustomField.objects.get(database=shop, name="tariff")
    # when
    with pytest.raises(InvalidInput):
        services.update_field(field=field, options=["a", "a"], title="Changed")
    # then
    assert (field.options, field.title) == (["basic", "pro"], "Tariff")
    assert CustomField.objects.get(pk=field.pk).title == "Tariff"
