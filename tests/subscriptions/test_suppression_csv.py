"""S7: suppression lists in and out as CSV, by API and by command; every row accounted for."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from subscriptions.models import Suppression
from tests.conftest import grant
from tests.subscriptions.factories import SuppressionFactory

pytestmark = pytest.mark.django_db

EXPORT_URL = "/api/v1/suppressions/export/"
IMPORT_URL = "/api/v1/suppressions/import/"


@pytest.fixture
def deliverability(marketer):
    """The marketer, also in charge of the stop lists: may view and add suppressions."""
    return grant(marketer, "view_suppression", "add_suppression")


def upload(content: str | bytes, name: str = "list.csv") -> dict:
    data = content.encode() if isinstance(content, str) else content
    return {"file": SimpleUploadedFile(name, data, content_type="text/csv")}


def stored() -> set[tuple[str, str, str]]:
    return set(Suppression.objects.values_list("channel", "contact", "reason"))


# Export


def test_export_streams_every_suppression_as_csv(api, deliverability):
    # given
    SuppressionFactory(channel="email", contact="ann@example.com", reason="hard_bounced")
    SuppressionFactory(channel="sms", contact="+447911123456")
    # when
    response = api.get(EXPORT_URL)
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == "channel,contact,reason,created_at"
    assert [line.rsplit(",", 1)[0] for line in lines[1:]] == [
        "email,ann@example.com,hard_bounced",
        "sms,+447911123456,manual",
    ]


def test_export_answers_clients_asking_for_text_csv_and_filters_by_channel(api, deliverability):
    # given
    SuppressionFactory(channel="email", contact="ann@example.com")
    SuppressionFactory(channel="sms", contact="+447911123456")
    # when
    response = api.get(EXPORT_URL, {"channel": "sms"}, HTTP_ACCEPT="text/csv")
    # then
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == 2
    assert lines[1].startswith("sms,+447911123456,manual,")


def test_export_requires_view_permission(api):
    # when
    response = api.get(EXPORT_URL)
    # then
    assert response.status_code == 403


# Import by API


def test_import_accounts_for_every_row(api, deliverability, django_assert_max_num_queries):
    # given
    SuppressionFactory(channel="email", contact="known@example.com")
    content = (
        "channel,contact,reason\n"
        "email,New@Example.com,complainer\n"  # line 2: added
        "email,known@example.com,\n"  # line 3: already there
        "email,new@example.com,\n"  # line 4: the same contact as line 2
        "email,not an address,\n"  # line 5: refused
        "sms,+447911123456,\n"  # line 6: added, reason imported
    )
    # when: the user's and groups' permissions (2); SAVEPOINT, the largest id, RELEASE (3);
    # per new row SELECT, SAVEPOINT, INSERT, RELEASE (2 x 4); per known row a SELECT (2)
    with django_assert_max_num_queries(15):
        response = api.post(IMPORT_URL, upload(content), format="multipart")
    # then
    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in ("added", "already_suppressed", "failed")} == {
        "added": 2,
        "already_suppressed": 2,
        "failed": 1,
    }
    [error] = body["errors"]
    assert error["row"] == 5
    assert error["contact"] == "not an address"
    assert list(error["errors"]) == ["contact"]
    assert stored() == {
        ("email", "known@example.com", "manual"),
        ("email", "new@example.com", "complainer"),
        ("sms", "+447911123456", "imported"),
    }


def test_import_without_a_channel_column_suppresses_emails(api, deliverability):
    # when
    response = api.post(
        IMPORT_URL, upload("contact\nann@example.com\nbob@example.com\n"), format="multipart"
    )
    # then
    assert response.json()["added"] == 2
    assert stored() == {
        ("email", "ann@example.com", "imported"),
        ("email", "bob@example.com", "imported"),
    }


def test_import_reports_unknown_channels_reasons_and_broken_lines_by_line(api, deliverability):
    # given
    content = (
        "channel,contact,reason\n"
        "fax,+447911123456,\n"  # line 2
        "email,ann@example.com,spam\n"  # line 3
        "email,bob@example.com,manual,extra\n"  # line 4
        f"email,{'x' * 200_000}\n"  # line 5: past the csv module's field limit
        "\n"  # line 6: blank, skipped
        "email,carol@example.com\n"  # line 7: fine
    )
    # when
    response = api.post(IMPORT_URL, upload(content), format="multipart")
    # then
    body = response.json()
    assert body["added"] == 1
    assert [(error["row"], list(error["errors"])) for error in body["errors"]] == [
        (2, ["channel"]),
        (3, ["reason"]),
        (4, ["non_field_errors"]),
        (5, ["non_field_errors"]),
    ]
    assert stored() == {("email", "carol@example.com", "imported")}


def test_import_reads_an_export_back(api, deliverability):
    # given
    SuppressionFactory(channel="email", contact="ann@example.com")
    exported = b"".join(api.get(EXPORT_URL).streaming_content)
    # when
    response = api.post(IMPORT_URL, upload(exported), format="multipart")
    # then
    assert response.json() == {"added": 0, "already_suppressed": 1, "failed": 0, "errors": []}


def test_import_accepts_the_byte_order_mark_excel_writes(api, deliverability):
    # when
    response = api.post(
        IMPORT_URL, upload(b"\xef\xbb\xbfcontact\r\nann@example.com\r\n"), format="multipart"
    )
    # then
    assert response.json()["added"] == 1


@pytest.mark.parametrize(
    "content",
    ["email,ann@example.com\n", "channel,address\nemail,ann@example.com\n", ""],
    ids=["no header", "unknown column", "empty file"],
)
def test_import_with_an_unreadable_header_is_refused_whole(api, deliverability, content):
    # when
    response = api.post(IMPORT_URL, upload(content), format="multipart")
    # then
    assert response.status_code == 400
    assert "first line must name the columns" in response.json()["file"][0]
    assert stored() == set()


def test_import_refuses_a_file_over_10_mb(api, deliverability):
    # given
    content = b"contact\n" + b"a" * (10 * 1024 * 1024)
    # when
    response = api.post(IMPORT_URL, upload(content), format="multipart")
    # then
    assert response.status_code == 400
    assert response.json() == {"file": ["The file has 10.0 MB; the limit is 10 MB."]}


def test_import_refuses_a_file_that_is_not_utf8(api, deliverability):
    # when
    response = api.post(
        IMPORT_URL, upload("contact\nrené@example.com\n".encode("latin-1")), format="multipart"
    )
    # then
    assert response.status_code == 400
    assert "not UTF-8" in response.json()["file"][0]
    assert stored() == set()


def test_import_without_a_file_says_so(api, deliverability):
    # when
    response = api.post(IMPORT_URL, {}, format="multipart")
    # then
    assert response.status_code == 400
    assert response.json() == {"file": ["Attach the CSV file as `file`."]}


def test_import_requires_add_permission(api, marketer):
    # given
    grant(marketer, "view_suppression")
    # when
    response = api.post(IMPORT_URL, upload("contact\nann@example.com\n"), format="multipart")
    # then
    assert response.status_code == 403
    assert stored() == set()


# Commands


def test_import_command_prints_counts_and_refused_lines(tmp_path, capsys, db):
    # given
    path = tmp_path / "list.csv"
    path.write_text("contact\nann@example.com\nnope\nann@example.com\n", encoding="utf-8")
    # when
    call_command("import_suppressions", str(path))
    # then
    out, err = capsys.readouterr()
    assert out == "Added 1, already suppressed 1, failed 1.\n"
    assert err.startswith("Line 3 (nope): contact: ")
    assert stored() == {("email", "ann@example.com", "imported")}


def test_import_command_refuses_an_unreadable_file(tmp_path, db):
    # given
    path = tmp_path / "list.csv"
    path.write_bytes("contact\nrené@example.com\n".encode("latin-1"))
    # when / then
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_suppressions", str(path))


def test_export_command_writes_the_list_to_a_file(tmp_path, capsys, db):
    # given
    SuppressionFactory(channel="email", contact="ann@example.com")
    path = tmp_path / "out.csv"
    # when
    call_command("export_suppressions", "--output", str(path))
    # then
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "channel,contact,reason,created_at"
    assert lines[1].startswith("email,ann@example.com,manual,")
    assert capsys.readouterr().err == "Exported 1 suppressed contacts.\n"


def test_export_command_writes_to_stdout_by_default(capsys, db):
    # given
    SuppressionFactory(channel="email", contact="ann@example.com")
    # when
    call_command("export_suppressions")
    # then
    out = capsys.readouterr().out
    assert out.startswith("channel,contact,reason,created_at\r\nemail,ann@example.com,manual,")
    assert out.count("\n") == 2


def test_export_defuses_formulas_and_the_import_reads_them_back(api, deliverability):
    # given: an address a spreadsheet would take for a formula
    SuppressionFactory(channel="email", contact="-cmd@example.com")
    # when
    exported = b"".join(api.get(EXPORT_URL).streaming_content)
    Suppression.objects.all().delete()
    response = api.post(IMPORT_URL, upload(exported), format="multipart")
    # then
    assert b"'-cmd@example.com" in exported
    assert response.json()["added"] == 1
    assert stored() == {("email", "-cmd@example.com", "manual")}
