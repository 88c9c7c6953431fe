"""The import pages in the admin (X1), as a marketer uses them: upload, preview and mapping,
the job page with its status, report, undo and resume; and who may use them."""

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from imports.models import ImportJob, State
from profiles.models import Profile
from tests.conftest import grant
from tests.profiles.factories import ProfileFactory, UserFactory
from tests.subscriptions.factories import ResourceFactory

pytestmark = pytest.mark.django_db

CSV_DATA = Path(__file__).resolve().parent.parent / "data" / "csv"
PRESTASHOP = CSV_DATA / "messy" / "prestashop-1.6" / "customers_import.csv"
LATIN1 = CSV_DATA / "messy" / "csvkit" / "test_latin1.csv"
ADD_URL = "admin:imports_importjob_add"


@pytest.fixture
def importer(client, marketer):
    """The marketer, who may add and change profiles, signed in to the admin."""
    client.force_login(marketer)
    return client


def upload(client, database, content: bytes, name: str = "people.csv", **options):
    data = {"database": database.pk, "encoding": "auto", "delimiter": "", **options}
    data["file"] = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post(reverse(ADD_URL), data)


def mapping_url(job: ImportJob) -> str:
    return reverse("admin:imports_importjob_mapping", args=[job.pk])


def job_url(job: ImportJob) -> str:
    return reverse("admin:imports_importjob_change", args=[job.pk])


def mapping_post(response, **changes) -> dict:
    """What the browser posts back for the mapping form as rendered, with `changes`."""
    form = response.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is True:
            data[name] = "on"
        elif value not in (None, False):
            data[name] = value
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def start(client, job, captured, **changes):
    """Post the mapping page as shown, with `changes`, running the queued import."""
    shown = client.get(mapping_url(job))
    with captured(execute=True):
        return client.post(mapping_url(job), mapping_post(shown, **changes))


def shown_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def people_csv(*rows: str, header: str = "email,first_name,birthday") -> bytes:
    return "\n".join([header, *rows, ""]).encode()


# Upload


def test_upload_detects_the_semicolon_and_shows_the_preview(importer, shop):
    # when
    response = upload(importer, shop, PRESTASHOP.read_bytes(), name="customers_import.csv")
    # then
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == mapping_url(job)
    assert (job.state, job.delimiter, job.encoding) == (State.DRAFT, ";", "utf-8")
    page = importer.get(mapping_url(job))
    content = page.content.decode()
    assert "Semicolon ;" in content
    assert '<th scope="col">Email *</th>' in content
    assert "Wendy.Moira.Darling@prestashop.com" in content
    assert len(page.context["sample"]) == len(PRESTASHOP.read_text().splitlines()) - 1


def test_latin1_file_is_refused_until_its_encoding_is_chosen(importer, shop):
    # when
    refused = upload(importer, shop, LATIN1.read_bytes())
    accepted = upload(importer, shop, LATIN1.read_bytes(), encoding="iso-8859-1")
    # then
    assert (refused.status_code, accepted.status_code) == (200, 302)
    assert "This file is not UTF-8" in refused.context["form"].errors["file"][0]
    assert any("choose its encoding" in text for text in shown_messages(refused))
    job = ImportJob.objects.get()
    assert job.encoding == "iso8859-1"
    assert "©" in importer.get(mapping_url(job)).content.decode()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "This is not a text file"),
        (b"", "The file is empty"),
        (b"\n\n", "The file is empty"),
    ],
)
def test_binary_and_empty_files_are_refused_with_the_reason(importer, shop, content, reason):
    # when
    response = upload(importer, shop, content, name="photo.csv")
    # then
    assert response.status_code == 200
    assert reason in response.context["form"].errors["file"][0]
    assert not ImportJob.objects.exists()


def test_file_over_the_size_limit_is_refused(importer, shop, settings):
    # given
    settings.IMPORT_MAX_FILE_SIZE = 1024**2
    # when
    response = upload(importer, shop, people_csv("a@example.com,Ann,") + b" " * 1024**2)
    # then
    assert response.context["form"].errors["file"] == ["The file is larger than the limit of 1 MB."]
    assert not ImportJob.objects.exists()


# Preview and mapping


def test_mapping_page_escapes_the_file_values(importer, shop):
    # given
    attack = "<script>alert(1)</script>"
    upload(importer, shop, people_csv(f"ann@example.com,{attack},"), name="x.csv")
    # when
    response = importer.get(mapping_url(ImportJob.objects.get()))
    # then
    content = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert attack not in content


def test_mapping_page_guesses_columns_and_offers_the_database_fields(importer, shop):
    # given
    upload(importer, shop, people_csv("ann@example.com,Ann,", header="E-mail,First name,Age"))
    # when
    response = importer.get(mapping_url(ImportJob.objects.get()))
    # then
    form = response.context["form"]
    assert [form[name].value() for name in form.column_names] == ["", "first_name", "fields.age"]
    assert ("fields.tariff", "Field: Tariff") in form.fields["column_0"].choices
    assert form["detect_geo"].value() is False


def test_preview_can_be_read_again_with_another_delimiter(importer, shop):
    # given
    upload(importer, shop, people_csv("ann@example.com,Ann,1990-01-02"))
    job = ImportJob.objects.get()
    # when
    response = importer.get(mapping_url(job), {"encoding": "auto", "delimiter": ";"})
    # then: one column, then the mapping posted with it re-reads the file the same way
    assert response.context["layout"].headers == ["email,first_name,birthday"]
    assert response.context["form"].column_names == ["column_0"]
    assert mapping_post(response)["delimiter"] == ";"


def test_import_runs_and_the_job_page_shows_its_counts(
    importer, shop, django_capture_on_commit_callbacks
):
    # given
    upload(importer, shop, PRESTASHOP.read_bytes())
    job = ImportJob.objects.get()
    columns = {"column_3": "email", "column_5": "birthday", "column_6": "last_name",
               "column_7": "first_name"}  # fmt: skip
    # when
    response = start(importer, job, django_capture_on_commit_callbacks, **columns)
    # then
    job.refresh_from_db()
    assert response["Location"] == job_url(job)
    assert (job.state, job.created, job.failed) == (State.FINISHED, 9, 0)
    assert Profile.objects.get(email__iexact="peter.pan@prestashop.com").first_name == "Peter"
    page = importer.get(job_url(job))
    assert page.context["status"]["created"] == 9
    assert '<td data-status="created">9</td>' in page.content.decode()


def test_subscribe_option_lists_only_the_channels_an_import_can_use(
    importer, shop, django_capture_on_commit_callbacks
):
    # given
    news = ResourceFactory(name="News", channels=["email", "push", "sms"])
    ResourceFactory(name="App", channels=["push"])
    upload(importer, shop, people_csv("ann@example.com,Ann,"))
    job = ImportJob.objects.get()
    shown = importer.get(mapping_url(job))
    # when
    push = importer.post(mapping_url(job), mapping_post(shown, subscribe=f"{news.pk}:push"))
    with django_capture_on_commit_callbacks(execute=False):
        importer.post(mapping_url(job), mapping_post(shown, subscribe=f"{news.pk}:email"))
    # then
    assert shown.context["form"].fields["subscribe"].choices[1:] == [
        ("News", [(f"{news.pk}:email", "News: email"), (f"{news.pk}:sms", "News: sms")])
    ]
    assert "subscribe" in push.context["form"].errors
    job.refresh_from_db()
    assert (job.state, job.subscribe_resource, job.subscribe_channel) == (
        State.QUEUED,
        news,
        "email",
    )


def test_refused_options_show_next_to_their_inputs(importer, shop):
    # given
    upload(importer, shop, people_csv("ann@example.com,Ann,"))
    job = ImportJob.objects.get()
    shown = importer.get(mapping_url(job))
    # when: two columns to email, then matching by a phone no column holds
    twice = importer.post(mapping_url(job), mapping_post(shown, column_1="email"))
    no_phone = importer.post(mapping_url(job), mapping_post(shown, matching="phone"))
    # then
    assert twice.context["form"].errors["column_1"] == ["'email' is mapped from two columns."]
    assert no_phone.context["form"].errors["matching"] == [
        "Map a column to 'phone' to match profiles by it."
    ]
    assert shown_messages(no_phone) == ["Map a column to 'phone' to match profiles by it."]
    job.refresh_from_db()
    assert job.state == State.DRAFT


def test_started_import_is_not_configured_again(importer, shop, django_capture_on_commit_callbacks):
    # given
    upload(importer, shop, people_csv("ann@example.com,Ann,"))
    job = ImportJob.objects.get()
    start(importer, job, django_capture_on_commit_callbacks)
    # when
    response = importer.get(mapping_url(job))
    # then
    assert response["Location"] == job_url(job)


# The job page: status, report, undo, resume


@pytest.fixture
def imported(importer, shop, django_capture_on_commit_callbacks):
    """An import of two good rows and two bad ones, done by the marketer."""
    content = people_csv(
        "ann@example.com,Ann,1990-01-02",
        "not-an-email,Bob,1991-02-03",
        "carl@example.com,Carl,03/04/1992",
        "dora@example.com,Dora,",
    )
    upload(importer, shop, content)
    job = ImportJob.objects.get()
    start(importer, job, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    return job


def test_status_view_answers_the_progress_as_json(importer, imported):
    # when
    response = importer.get(reverse("admin:imports_importjob_status", args=[imported.pk]))
    # then
    status = response.json()
    assert (status["state"], status["percent"], status["created"], status["failed"]) == (
        "finished",
        100,
        2,
        2,
    )


def test_job_page_polls_from_a_static_script_without_inline_handlers(importer, imported):
    # given
    ImportJob.objects.filter(pk=imported.pk).update(state=State.RUNNING)
    # when
    content = importer.get(job_url(imported)).content.decode()
    # then
    assert 'src="/static/imports/job.js"' in content
    assert f'data-status-url="/admin/imports/importjob/{imported.pk}/status/"' in content
    assert " onclick=" not in content and "<script>" not in content


def test_report_lists_every_refused_row_with_column_and_reason(importer, imported):
    # when
    response = importer.get(reverse("admin:imports_importjob_report", args=[imported.pk]))
    # then
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="import-' in response["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert lines[0] == ["row", "result", "column", "reason"]
    assert [(line[0], line[1], line[2]) for line in lines[1:]] == [
        ("3", "error", "email"),
        ("4", "error", "birthday"),
    ]
    assert "'03/04/1992' is not a date" in lines[2][3]


def test_report_table_shows_100_rows_a_page(importer, shop, django_capture_on_commit_callbacks):
    # given
    upload(importer, shop, people_csv(*(f"bad{n},<b>{n}</b>," for n in range(130))))
    job = ImportJob.objects.get()
    start(importer, job, django_capture_on_commit_callbacks)
    # when
    first = importer.get(job_url(job))
    second = importer.get(job_url(job), {"page": 2})
    # then
    assert len(first.context["report"]) == 100
    assert len(second.context["report"]) == 30
    assert second.context["report"][0].problems[0][0] == "email"
    assert "<b>" not in first.content.decode()


def test_undo_through_the_page_deletes_what_the_import_created(importer, marketer, imported):
    # given
    grant(marketer, "delete_profile")
    undo_url = reverse("admin:imports_importjob_undo", args=[imported.pk])
    # when
    confirmation = importer.get(undo_url)
    response = importer.post(undo_url, follow=True)
    # then
    assert "deletes the 2 profiles it created" in confirmation.content.decode()
    imported.refresh_from_db()
    assert imported.state == State.UNDONE
    assert not Profile.objects.exists()
    assert "2 profiles deleted" in response.content.decode()


def test_undo_restores_the_values_an_import_replaced(
    importer, marketer, shop, django_capture_on_commit_callbacks
):
    # given
    grant(marketer, "delete_profile")
    ProfileFactory(database=shop, email="ann@example.com", first_name="Annie")
    upload(importer, shop, people_csv("ann@example.com,Ann,"))
    job = ImportJob.objects.get()
    start(importer, job, django_capture_on_commit_callbacks)
    assert Profile.objects.get().first_name == "Ann"
    # when
    importer.post(reverse("admin:imports_importjob_undo", args=[job.pk]))
    # then
    assert Profile.objects.get().first_name == "Annie"


def test_undo_needs_the_permission_to_delete_profiles(importer, imported):
    # when
    page = importer.get(job_url(imported))
    response = importer.post(reverse("admin:imports_importjob_undo", args=[imported.pk]))
    # then
    assert response.status_code == 403
    assert "needs the permission to delete profiles" in page.content.decode()
    assert Profile.objects.count() == 2


def test_import_older_than_the_undo_window_says_so(importer, marketer, imported):
    # given
    grant(marketer, "delete_profile")
    finished = timezone.now() - timedelta(days=8)
    ImportJob.objects.filter(pk=imported.pk).update(finished_at=finished)
    undo_url = reverse("admin:imports_importjob_undo", args=[imported.pk])
    # when
    page = importer.get(undo_url)
    response = importer.post(undo_url, follow=True)
    # then
    assert "Imports can be undone for 7 days; this one is older." in page.content.decode()
    assert shown_messages(response) == ["Imports can be undone for 7 days; this one is older."]
    assert Profile.objects.count() == 2


def test_job_page_shows_the_undo_deadline(importer, marketer, imported):
    # given
    grant(marketer, "delete_profile")
    # when
    response = importer.get(job_url(imported))
    # then
    assert response.context["undo_deadline"] == imported.finished_at + timedelta(days=7)
    assert "Undoable until" in response.content.decode()
    assert reverse("admin:imports_importjob_undo", args=[imported.pk]) in response.content.decode()


def test_failed_import_is_resumed_from_its_page(importer, shop, django_capture_on_commit_callbacks):
    # given: an import whose worker died before it ran
    upload(importer, shop, people_csv("ann@example.com,Ann,", "bob@example.com,Bob,"))
    job = ImportJob.objects.get()
    shown = importer.get(mapping_url(job))
    with django_capture_on_commit_callbacks(execute=False):
        importer.post(mapping_url(job), mapping_post(shown))
    ImportJob.objects.filter(pk=job.pk).update(state=State.FAILED, error="Worker lost.")
    page = importer.get(job_url(job))
    # when
    with django_capture_on_commit_callbacks(execute=True):
        importer.post(reverse("admin:imports_importjob_resume", args=[job.pk]))
    # then
    assert 'value="Resume"' in page.content.decode()
    job.refresh_from_db()
    assert (job.state, job.created) == (State.FINISHED, 2)


def test_stalled_import_shows_how_long_and_offers_resume(importer, imported):
    # given
    heartbeat = timezone.now() - timedelta(minutes=25)
    ImportJob.objects.filter(pk=imported.pk).update(state=State.RUNNING, heartbeat_at=heartbeat)
    # when
    content = importer.get(job_url(imported)).content.decode()
    # then
    assert "no progress for 25 minutes" in content
    assert 'value="Resume"' in content


def test_running_import_is_not_resumed_twice(importer, imported):
    # given
    ImportJob.objects.filter(pk=imported.pk).update(
        state=State.RUNNING, heartbeat_at=timezone.now()
    )
    # when
    response = importer.post(
        reverse("admin:imports_importjob_resume", args=[imported.pk]), follow=True
    )
    # then
    refusal = "Only a failed import, or one that made no progress for 10 minutes, is resumed."
    assert refusal in shown_messages(response)
    assert 'value="Resume"' not in response.content.decode()


# The list and permissions


def test_import_list_reads_in_a_bounded_number_of_queries(
    client, marketer, shop, django_assert_max_num_queries
):
    # given
    client.force_login(grant(marketer, "view_importjob"))
    for index in range(5):
        ImportJob.objects.create(
            database=shop, file_name=f"f{index}.csv", state=State.FINISHED, created=index,
            created_by=UserFactory(),
        )  # fmt: skip
    # when: session, user, the user's and their groups' permissions, the databases of the
    # filter, COUNT of the page, the rows with database and user (one JOIN)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("admin:imports_importjob_changelist"))
    # then
    assert len(response.context["cl"].result_list) == 5
    assert "Import profiles" in response.content.decode()


def test_list_needs_the_view_permission_of_imports(importer):
    # when
    response = importer.get(reverse("admin:imports_importjob_changelist"))
    # then
    assert response.status_code == 403


@pytest.mark.parametrize("missing", ["add_profile", "change_profile"])
def test_import_pages_need_to_add_and_change_profiles(client, shop, missing, imported):
    # given
    permissions = ["view_importjob", "add_profile", "change_profile", "delete_profile"]
    user = grant(UserFactory(is_staff=True), *[name for name in permissions if name != missing])
    client.force_login(user)
    urls = [
        reverse(ADD_URL),
        mapping_url(imported),
        job_url(imported),
        reverse("admin:imports_importjob_status", args=[imported.pk]),
        reverse("admin:imports_importjob_report", args=[imported.pk]),
        reverse("admin:imports_importjob_undo", args=[imported.pk]),
        reverse("admin:imports_importjob_changelist"),
    ]
    # when
    answers = [client.get(url).status_code for url in urls]
    refused_post = client.post(reverse("admin:imports_importjob_resume", args=[imported.pk]))
    # then
    assert answers == [403] * len(urls)
    assert refused_post.status_code == 403


def test_signed_out_or_non_staff_users_are_sent_to_the_login(
    client, viewer_without_permission, imported
):
    # given
    urls = [reverse(ADD_URL), job_url(imported), mapping_url(imported)]
    client.logout()
    # when
    signed_out = [client.get(url) for url in urls]
    client.force_login(viewer_without_permission)
    not_staff = [client.get(url) for url in urls]
    # then
    for response in signed_out + not_staff:
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_job_page_reads_in_a_bounded_number_of_queries(
    importer, imported, django_assert_max_num_queries
):
    # when: session, user, the user's and their groups' permissions, the job with its
    # database, user and resource, COUNT of the report, the report's page of rows
    with django_assert_max_num_queries(7):
        response = importer.get(job_url(imported))
    # then
    assert len(response.context["report"]) == 2


def test_job_page_of_an_api_import_has_no_file_to_show(importer, shop):
    # given
    job = ImportJob.objects.create(
        database=shop, source="api", state=State.FINISHED, file_name="API call of 3 profiles"
    )
    # when
    response = importer.get(job_url(job))
    # then
    assert response.status_code == 200
    assert "API call of 3 profiles</td>" in response.content.decode()
