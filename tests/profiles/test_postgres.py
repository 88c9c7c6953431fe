"""What only PostgreSQL proves: the GIN indexes serve custom-field and phone search, and the
unique rules hold in the database itself, not only in the services' checks."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from config.exceptions import InvalidInput
from profiles import fields as registry
from profiles import selectors, services
from profiles.models import CustomField, Profile
from tests.profiles.factories import CustomFieldFactory, ProfileDatabaseFactory, ProfileFactory

pytestmark = pytest.mark.postgres

PHONE = "+442071838750"


def profile_indexes() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'profiles_profile'"
        )
        return dict(cursor.fetchall())


def plan(queryset) -> str:
    """The plan with sequential scans priced out, so any index that can serve it shows.
    Callers drop the default ordering: with it, a scan of the primary key (ordered by id)
    may win on a table the statistics think tiny."""
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            return queryset.explain()
        finally:
            cursor.execute("RESET enable_seqscan")


def test_migrations_create_gin_indexes_on_fields_and_phones(db):
    # given the migrated test database

    # when
    indexes = profile_indexes()

    # then
    assert "USING gin (fields jsonb_path_ops)" in indexes["profiles_profile_fields_gin"]
    assert "USING gin (phones jsonb_path_ops)" in indexes["profiles_profile_phones_gin"]


def test_custom_field_search_uses_containment_served_by_the_gin_index(shop):
    # given
    ann = ProfileFactory(database=shop, fields={"tariff": "pro"})
    ProfileFactory(database=shop, fields={"tariff": "basic"})

    # when
    found = selectors.search_profiles(selectors.database_profiles(shop), "tariff:pro")

    # then: the database filter narrows the query; the containment test is what the index serves
    assert list(found) == [ann]
    assert '"profiles_profile"."fields" @>' in str(found.query)
    tariff = CustomField.objects.get(database=shop, name="tariff")
    by_tariff = Profile.objects.filter(registry.search_query(tariff, "pro"))
    assert "profiles_profile_fields_gin" in plan(by_tariff.order_by())


def test_phone_filter_uses_containment_served_by_the_gin_index(shop, api):
    # given
    ann = ProfileFactory(database=shop, phones=[PHONE])
    ProfileFactory(database=shop, phones=["+442071838751"])

    # when
    with CaptureQueriesContext(connection) as queries:
        response = api.get(f"/api/v1/databases/{shop.pk}/profiles/", {"phone": "+44 20 7183 8750"})

    # then
    assert response.status_code == 200, response.data
    assert [profile["id"] for profile in response.data["results"]] == [ann.pk]
    assert any('"profiles_profile"."phones" @>' in query["sql"] for query in queries)
    by_phone = Profile.objects.filter(selectors.phone_query(PHONE))
    assert "profiles_profile_phones_gin" in plan(by_phone.order_by())


def test_email_unique_ignores_case_in_the_database_itself(shop):
    # given
    ProfileFactory(database=shop, email="ann@example.com")

    # when / then: a save that bypasses the service still meets the constraint
    with (
        pytest.raises(IntegrityError, match="profiles_profile_email_ci_uniq"),
        transaction.atomic(),
    ):
        Profile(database=shop, email="ANN@example.com").save()


def test_email_of_one_database_is_free_in_another(shop):
    # given
    ProfileFactory(database=shop, email="ann@example.com")
    other_database = ProfileDatabaseFactory()

    # when
    Profile(database=other_database, email="ANN@example.com").save()

    # then
    assert Profile.objects.filter(email__iexact="ann@example.com").count() == 2


def test_unique_field_gets_a_partial_expression_index(shop):
    # given / when
    field = services.create_field(database=shop, name="card", type="line", unique=True)

    # then
    definition = profile_indexes()[field.unique_index_name]
    assert definition.startswith(f"CREATE UNIQUE INDEX {field.unique_index_name}")
    assert "((fields ->> 'card'::text))" in definition
    assert f"WHERE (database_id = {shop.pk})" in definition


def test_duplicate_unique_value_answers_invalid_input_naming_the_field(shop):
    # given
    CustomFieldFactory(database=shop, name="card", type="line", unique=True)
    ProfileFactory(database=shop, fields={"card": "C-1"})

    # when
    with pytest.raises(InvalidInput) as error:
        services.create_profile(database=shop, values={"fields": {"card": "C-1"}})

    # then
    assert error.value.errors == {
        "fields": {"card": ["Another profile of this database has this value."]}
    }
    assert Profile.objects.filter(database=shop).count() == 1


def test_unique_value_of_one_database_is_free_in_another(shop):
    # given
    other_database = ProfileDatabaseFactory()
    for database in (shop, other_database):
        CustomFieldFactory(database=database, name="card", type="line", unique=True)
    ProfileFactory(database=shop, fields={"card": "C-1"})

    # when
    profile = services.create_profile(database=other_database, values={"fields": {"card": "C-1"}})

    # then
    assert profile.fields == {"card": "C-1"}


def test_turning_unique_on_over_duplicates_fails_listing_them(shop):
    # given
    field = CustomFieldFactory(database=shop, name="card", type="line")
    for value in ("C-1", "C-1", "C-2", "C-2", "C-3"):
        ProfileFactory(database=shop, fields={"card": value})

    # when
    with pytest.raises(InvalidInput) as error:
        services.update_field(field=field, unique=True)

    # then
    [message] = error.value.errors["unique"]
    assert message.startswith("Profiles already share values of this field: ")
    assert sorted(message.removesuffix(".").split(": ")[1].split(", ")) == ["C-1", "C-2"]
    assert CustomField.objects.get(pk=field.pk).unique is False
    assert field.unique_index_name not in profile_indexes()


def test_name_search_is_a_prefix_served_by_the_name_indexes(shop):
    # given
    ann = ProfileFactory(database=shop, first_name="Annette", last_name="Lee")
    ProfileFactory(database=shop, first_name="Bob", last_name="Annan")
    ProfileFactory(database=shop, first_name="Cat", last_name="Smith")
    # when
    found = selectors.search_profiles(Profile.objects.order_by("id"), "ann")
    # then: a prefix of either name, case aside, read through the two prefix indexes
    assert [p.last_name for p in found] == ["Lee", "Annan"]
    rare = selectors.search_profiles(Profile.objects.order_by(), "zed")
    assert "profiles_profile_first_name_prefix" in plan(rare)
    assert "profiles_profile_last_name_prefix" in plan(rare)
    assert list(selectors.search_profiles(Profile.objects.all(), "Annette L")) == [ann]


def test_date_search_by_day_finds_days_and_date_times_through_gin_indexes(shop):
    # given a date field holding a day, date-times on that day and on others
    signed_up = CustomFieldFactory(database=shop, name="signed_up", type="date")
    day = ProfileFactory(database=shop, fields={"signed_up": "2019-03-04"})
    morning = ProfileFactory(database=shop, fields={"signed_up": "2019-03-04T08:00:00Z"})
    ProfileFactory(database=shop, fields={"signed_up": "2019-03-05T00:00:00Z"})
    ProfileFactory(database=shop, fields={"signed_up": "2019-03-03"})
    # when
    found = selectors.search_profiles(Profile.objects.order_by("id"), "signed_up:2019-03-04")
    exact = selectors.search_profiles(Profile.objects.all(), "signed_up:2019-03-04T08:00:00Z")
    # then: both kinds of that day, read through the two GIN indexes, no LIKE over every row
    assert list(found) == [day, morning]
    assert list(exact) == [morning]
    by_day = Profile.objects.filter(registry.search_query(signed_up, "2019-03-04"))
    query_plan = plan(by_day.order_by())
    assert "profiles_profile_fields_gin" in query_plan
    assert "profiles_profile_field_days_gin" in query_plan
    assert "LIKE" not in str(found.query)


def heap_page(profile_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (ctid::text::point)[0]::int FROM profiles_profile WHERE id = %s", [profile_id]
        )
        return cursor.fetchone()[0]


def test_an_update_keeps_the_profile_on_its_heap_page_when_inserts_filled_it(shop):
    # given: an empty heap (the rows of earlier tests, rolled back, still take room; the
    # TRUNCATE is rolled back with this test), then profiles inserted until one lands on the
    # second page, so that the first holds as many as inserts may put there
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE profiles_profile CASCADE")
    first = ProfileFactory(database=shop)
    assert heap_page(first.pk) == 0
    while heap_page(ProfileFactory(database=shop).pk) == 0:
        pass

    # when: an update makes the row longer
    Profile.objects.filter(pk=first.pk).update(status="unsubscribed", last_name="Longer " * 8)

    # then: the room kept on each page (0014's fillfactor) took the new row version; on a
    # page filled to the brim it would move to another page, and VACUUM would leave a hole
    # that a later import fills one row a page
    assert heap_page(first.pk) == 0
