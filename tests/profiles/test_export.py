"""X3: a database's profiles as CSV or JSON, by API and by command, streamed in chunks."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from config.csv_output import unguard_formula
from profiles import exports
from profiles import fields as registry
from profiles.models import CustomField
from tests.conftest import grant
from tests.profiles.factories import (
    CustomFieldFactory,
    ProfileDatabaseFactory,
    ProfileFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

STANDARD_COLUMNS = [
    "id", "database", "md5", "xxh", "status", "is_test", "email", "phones",
    "first_name", "last_name", "middle_name", "birthday", "gender",
    "registration_date", "registration_ip", "registration_city", "registration_country",
    "registration_link", "registration_provider",
    "tracked_ip", "tracked_city", "tracked_country", "tracked_region", "tracked_postcode",
    "tracked_timezone", "tracked_latitude", "tracked_longitude",
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
    "avatar", "created_at", "updated_at",
]  # fmt: skip
CUSTOM_VALUES = {
    "tariff": "pro",
    "age": -33,
    "interests": ["sale", "kids wear"],
    "score": -1.5,
    "note": "=2+3 is a note, with a comma",
    "signed_up": "2024-05-01T10:00:00Z",
    "birthday_party": "2024-06-01",
    "vip": False,
    "office_ip": "81.2.69.142",
}


def export_url(database, query: str = "") -> str:
    return f"/api/v1/databases/{database.id}/profiles/export/?{query}"


def body(response) -> str:
    assert response.streaming
    return b"".join(response.streaming_content).decode()


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def every_type(shop):
    """Shop with one more custom field of every remaining type."""
    CustomFieldFactory(database=shop, name="score", type="float")
    CustomFieldFactory(database=shop, name="note", type="line")
    CustomFieldFactory(database=shop, name="signed_up", type="date")
    CustomFieldFactory(database=shop, name="birthday_party", type="date")
    CustomFieldFactory(database=shop, name="vip", type="boolean")
    CustomFieldFactory(database=shop, name="office_ip", type="ip")
    return shop


@pytest.fixture
def ann(every_type):
    return ProfileFactory(
        database=every_type,
        email="ann@example.com",
        first_name="Ann",
        last_name="Lee",
        phones=["+447911123456", "+12015550123"],
        birthday="1990-04-01",
        gender="female",
        registration_date="2024-05-01T07:00:00Z",
        registration_ip="81.2.69.142",
        registration_city="London",
        registration_country="GB",
        tracked_latitude=51.5,
        tracked_timezone="Europe/London",
        utm_source="google",
        fields=CUSTOM_VALUES,
    )


def test_csv_has_every_standard_column_then_one_per_custom_field(api, exporter, ann):
    # when
    response = api.get(export_url(ann.database, "format=csv"))
    # then
    text = body(response)
    header = next(csv.reader(io.StringIO(text)))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert header == [*STANDARD_COLUMNS, "tariff", "age", "interests", "score", "note",
                      "signed_up", "birthday_party", "vip", "office_ip"]  # fmt: skip
    [row] = csv_rows(text)
    assert row["id"] == str(ann.id) and row["md5"] == ann.md5
    assert row["email"] == "ann@example.com"
    assert row["phones"] == "'+447911123456, +12015550123"  # a list starting with + is guarded
    assert row["birthday"] == "1990-04-01"
    assert row["registration_date"] == "2024-05-01T07:00:00Z"
    assert row["registration_city"] == "London"
    assert row["registration_ip"] == "81.2.69.142"
    assert row["tracked_latitude"] == "51.5"
    assert row["tracked_longitude"] == ""
    assert row["tracked_timezone"] == "Europe/London"
    assert row["utm_source"] == "google"
    assert row["is_test"] == "false"
    assert row["status"] == "subscribed"


def test_csv_custom_values_read_back_to_the_stored_values(api, exporter, ann):
    # when
    [row] = csv_rows(body(api.get(export_url(ann.database, "format=csv"))))
    # then: an importer (unguarding formulas, then the registry's text parser) reads back
    # what is stored
    for field in CustomField.objects.filter(database=ann.database):
        cell = unguard_formula(row[field.name])
        assert registry.clean_value(field, cell, from_text=True) == CUSTOM_VALUES[field.name]
    assert row["note"] == "'=2+3 is a note, with a comma"
    assert row["interests"] == "sale, kids wear"
    assert row["vip"] == "false"
    assert row["signed_up"] == "2024-05-01T10:00:00Z"
    assert row["age"] == "-33"  # a number is no formula: not guarded


def test_csv_guards_values_a_spreadsheet_would_run(api, exporter, shop):
    # given
    ProfileFactory(database=shop, first_name='=HYPERLINK("http://x")', last_name="@SUM(1)")
    # when
    [row] = csv_rows(body(api.get(export_url(shop, "format=csv"))))
    # then
    assert row["first_name"] == '\'=HYPERLINK("http://x")'
    assert row["last_name"] == "'@SUM(1)"


def test_json_is_an_array_of_profile_representations_one_per_line(api, exporter, ann):
    # given
    bob = ProfileFactory(database=ann.database, first_name="=1+1")
    # when
    response = api.get(export_url(ann.database, "format=json"))
    # then
    text = body(response)
    assert response["Content-Type"] == "application/json"
    assert text.splitlines()[0] == "[" and text.splitlines()[-1] == "]"
    assert json.loads(text) == [
        api.get(f"/api/v1/profiles/{ann.id}/").json(),
        api.get(f"/api/v1/profiles/{bob.id}/").json(),
    ]
    assert json.loads(text.splitlines()[2])["first_name"] == "=1+1"  # JSON needs no guard


def test_json_is_the_default_and_an_empty_export_is_an_empty_array(api, exporter, shop):
    response = api.get(export_url(shop))
    assert response.status_code == 200
    assert json.loads(body(response)) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=unsubscribed", ["bob"]),
        ("is_test=true", ["bob"]),
        ("email=ANN@example.com", ["ann"]),
        ("phone=%2B44 7911 123456", ["ann"]),
        ("q=tariff:pro", ["ann"]),
        ("q=Cat", ["cat"]),
        ("status=subscribed&q=interests:sale", ["cat"]),
        ("", ["ann", "bob", "cat"]),
    ],
)
def test_export_takes_the_list_filters(api, exporter, shop, query, expected):
    # given
    people = {
        "ann": ProfileFactory(database=shop, first_name="Ann", email="ann@example.com",
                              phones=["+447911123456"], fields={"tariff": "pro"}),
        "bob": ProfileFactory(database=shop, first_name="Bob", status="unsubscribed",
                              is_test=True, fields={"interests": ["sale"]}),
        "cat": ProfileFactory(database=shop, first_name="Cat", fields={"interests": ["sale"]}),
    }  # fmt: skip
    ProfileFactory(database=ProfileDatabaseFactory(), first_name="Cat")  # another database
    # when
    rows = csv_rows(body(api.get(export_url(shop, f"format=csv&{query}"))))
    # then
    assert [int(row["id"]) for row in rows] == [people[name].id for name in expected]


def test_a_bad_filter_answers_400_naming_it(api, exporter, shop):
    response = api.get(export_url(shop, "format=json&status=gone&q=nosuch:1"))
    assert response.status_code == 400
    assert "status" in response.json()


def test_export_is_streamed_and_reads_profiles_chunk_by_chunk(api, exporter, shop, monkeypatch):
    # given
    monkeypatch.setattr(exports, "CHUNK", 2)
    ProfileFactory.create_batch(5, database=shop)
    response = api.get(export_url(shop, "format=csv"))
    lines = iter(response.streaming_content)
    # when: the header and the first profile are read
    with CaptureQueriesContext(connection) as first:
        next(lines), next(lines)
    # and then the rest
    with CaptureQueriesContext(connection) as rest:
        remaining = list(lines)
    # then: one chunk was read for the first profile, the two others after it (2 + 2 + 1)
    assert response.streaming
    [first_chunk] = first.captured_queries
    assert "LIMIT 2" in first_chunk["sql"]
    assert len(rest.captured_queries) == 2
    assert len(remaining) == 4


@pytest.mark.parametrize("format", ["csv", "json"])
def test_export_query_count_does_not_grow_with_profiles(api, exporter, shop, format):
    def queries_for_export() -> int:
        with CaptureQueriesContext(connection) as context:
            body(api.get(export_url(shop, f"format={format}&status=subscribed")))
        return len(context.captured_queries)

    # given
    queries_for_export()  # the user's permissions are read once, then cached
    ProfileFactory.create_batch(10, database=shop, fields={"tariff": "pro"})
    ten = queries_for_export()
    ProfileFactory.create_batch(20, database=shop, fields={"tariff": "pro"})
    # when
    thirty = queries_for_export()
    # then: the database, the audit entry, its custom fields (CSV only), one chunk of profiles
    assert thirty == ten <= 4


def test_export_needs_credentials(shop):
    assert APIClient().get(export_url(shop, "format=csv")).status_code == 401


def test_export_needs_the_export_permission_on_top_of_view(api, shop):
    # the marketer may view and change profiles, but not export them
    assert api.get(export_url(shop, "format=csv")).status_code == 403


def test_export_needs_the_view_permission_too(shop):
    client = APIClient()
    client.force_authenticate(grant(UserFactory(), "export_profile"))
    assert client.get(export_url(shop)).status_code == 403


def test_export_of_a_missing_database_is_404(api, exporter):
    assert api.get("/api/v1/databases/999/profiles/export/").status_code == 404


# The command


def test_command_writes_csv_to_a_file_with_progress_on_stderr(ann, tmp_path, capsys):
    # given
    ProfileFactory(database=ann.database, status="unsubscribed")
    # when
    call_command(
        "export_profiles", "--database", ann.database.id, "--status", "subscribed",
        "--output", tmp_path / "profiles.csv",
    )  # fmt: skip
    # then
    rows = csv_rows((tmp_path / "profiles.csv").read_text(encoding="utf-8"))
    assert [int(row["id"]) for row in rows] == [ann.id]
    assert rows[0]["interests"] == "sale, kids wear"
    assert "Exported 1 profiles of “Shop” as csv." in capsys.readouterr().err


def test_command_writes_json_to_stdout_and_searches(ann, capsys, monkeypatch):
    # given
    monkeypatch.setattr("profiles.management.commands.export_profiles.PROGRESS_EVERY", 1)
    ProfileFactory(database=ann.database, first_name="Bob")
    # when
    call_command("export_profiles", "--database", ann.database.id, "--format", "json",
                 "--query", "tariff:pro")  # fmt: skip
    # then
    out, err = capsys.readouterr()
    assert [profile["id"] for profile in json.loads(out)] == [ann.id]
    assert "… 1 of 1 profiles" in err
    assert "Exported 1 profiles" in err


@pytest.mark.parametrize(
    "arguments",
    [["--database", "999"], ["--database", "{shop}", "--query", "nosuch:1"], ["--format", "xml"]],
)
def test_command_refuses_bad_arguments(shop, arguments):
    with pytest.raises(CommandError):
        call_command("export_profiles", *[a.format(shop=shop.id) for a in arguments])
