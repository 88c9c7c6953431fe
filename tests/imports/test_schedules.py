"""Scheduled imports (X4): the beat entry a schedule owns, and what a run does with the file
it finds (or does not find) in IMPORT_SCHEDULE_DIR."""

import json
import os

import pytest
from django.urls import reverse
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from config.exceptions import InvalidInput
from imports import schedules, tasks
from imports.models import ImportJob, ScheduledImport, State
from profiles.models import Profile
from tests.conftest import grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def drop(settings, tmp_path):
    """The scheduled imports directory, empty."""
    settings.IMPORT_SCHEDULE_DIR = tmp_path / "drop"
    settings.IMPORT_SCHEDULE_DIR.mkdir()
    return settings.IMPORT_SCHEDULE_DIR


def write(path, text: str, mtime: int) -> None:
    path.write_text(text)
    os.utime(path, (mtime, mtime))


def make_schedule(database, **values) -> ScheduledImport:
    values = {"name": "Nightly shop export", "path": "shop.csv", **values}
    return schedules.save_schedule(schedule=ScheduledImport(database=database, **values))


def run(schedule, captured) -> ImportJob | None:
    with captured(execute=True):
        job_id = tasks.run_scheduled_import.delay(schedule.pk).get()
    schedule.refresh_from_db()
    return ImportJob.objects.get(pk=job_id) if job_id else None


# The beat entry


def test_saved_schedule_gets_a_periodic_task_calling_the_import_task(drop, shop):
    # when
    schedule = make_schedule(shop, interval_minutes=15)
    # then
    task = PeriodicTask.objects.get()
    assert schedule.periodic_task == task
    assert task.task == "imports.tasks.run_scheduled_import"
    assert json.loads(task.args) == [schedule.pk]
    assert (task.interval.every, task.interval.period) == (15, IntervalSchedule.MINUTES)
    assert task.enabled


def test_changed_schedule_updates_its_task_and_deleting_it_removes_the_task(drop, shop):
    # given
    schedule = make_schedule(shop)
    # when
    schedule.interval_minutes, schedule.enabled = 5, False
    schedules.save_schedule(schedule=schedule)
    task = PeriodicTask.objects.get()
    schedules.delete_schedule(schedule=schedule)
    # then
    assert (task.interval.every, task.enabled) == (5, False)
    assert not PeriodicTask.objects.exists()


def test_admin_saves_and_deletes_schedules_through_the_service(client, marketer, drop, shop):
    # given
    client.force_login(grant(marketer, "add_scheduledimport", "delete_scheduledimport"))
    data = {
        "name": "Shop", "enabled": "on", "database": shop.pk, "path": "exports/shop.csv",
        "interval_minutes": 30, "encoding": "auto", "delimiter": "tab",
        "mapping": '{"E-mail": "email"}', "matching": "email", "create_new": "on",
    }  # fmt: skip
    # when
    outside = client.post(reverse("admin:imports_scheduledimport_add"), {**data, "path": "../x"})
    client.post(reverse("admin:imports_scheduledimport_add"), data)
    schedule = ScheduledImport.objects.select_related("periodic_task__interval").get()
    client.post(
        reverse("admin:imports_scheduledimport_delete", args=[schedule.pk]), {"post": "yes"}
    )
    # then
    assert "The path leads outside" in outside.context["adminform"].form.errors["path"][0]
    assert (schedule.delimiter, schedule.mapping) == ("\t", {"E-mail": "email"})
    assert schedule.periodic_task.interval.every == 30
    assert not ScheduledImport.objects.exists()
    assert not PeriodicTask.objects.exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"mapping": {"Age": "fields.nope"}}, "mapping"),
        ({"mapping": ["email"]}, "mapping"),
        ({"matching": "field:age"}, "matching"),
        ({"encoding": "klingon"}, "encoding"),
        ({"interval_minutes": 0}, "interval_minutes"),
    ],
)
def test_schedule_with_bad_options_is_refused(drop, shop, values, field):
    # when
    with pytest.raises(InvalidInput) as refused:
        make_schedule(shop, **values)
    # then
    assert field in refused.value.errors
    assert not PeriodicTask.objects.exists()


@pytest.mark.parametrize("path", ["../etc/passwd", "/etc/passwd", "a/../../b.csv", ""])
def test_paths_outside_the_directory_are_refused(drop, shop, path):
    # when
    with pytest.raises(InvalidInput) as refused:
        make_schedule(shop, path=path)
    # then
    assert list(refused.value.errors) == ["path"]


# Runs


def test_run_imports_the_file_then_skips_it_while_unchanged(
    drop, shop, django_capture_on_commit_callbacks
):
    # given
    schedule = make_schedule(shop, mapping={"Mail": "email", "Name": "first_name"})
    write(drop / "shop.csv", "Mail;Name\nann@example.com;Ann\nbob@example.com;Bob\n", 1_000)
    # when
    first = run(schedule, django_capture_on_commit_callbacks)
    unchanged = run(schedule, django_capture_on_commit_callbacks)
    # then
    assert (first.state, first.created, first.delimiter) == (State.FINISHED, 2, ";")
    assert first.created_by is None and first.file_name == "shop.csv"
    assert unchanged is None
    assert (schedule.last_job, schedule.last_error) == (first, "")
    assert schedule.last_run_at is not None
    assert ImportJob.objects.count() == 1


def test_run_imports_the_file_again_once_it_changed(drop, shop, django_capture_on_commit_callbacks):
    # given
    schedule = make_schedule(shop, mapping={"Mail": "email", "Name": "first_name"})
    write(drop / "shop.csv", "Mail;Name\nann@example.com;Ann\nbob@example.com;Bob\n", 1_000)
    run(schedule, django_capture_on_commit_callbacks)
    # when: same size, columns swapped, one name changed
    write(drop / "shop.csv", "Name;Mail\nAnne;ann@example.com\nBob;bob@example.com\n", 2_000)
    second = run(schedule, django_capture_on_commit_callbacks)
    # then
    assert (second.state, second.created, second.updated, second.skipped, second.failed) == (
        State.FINISHED, 0, 1, 1, 0
    )  # fmt: skip
    assert Profile.objects.get(email="ann@example.com").first_name == "Anne"
    assert schedule.last_job == second


def test_unmapped_headers_are_guessed_by_name(drop, shop, django_capture_on_commit_callbacks):
    # given
    schedule = make_schedule(shop, mapping={"Password": ""})
    write(drop / "shop.csv", "email,Password,age\nann@example.com,secret,42\n", 1_000)
    # when
    job = run(schedule, django_capture_on_commit_callbacks)
    # then
    assert job.mapping == ["email", "", "fields.age"]
    assert Profile.objects.get().fields == {"age": 42}


def test_missing_file_is_recorded_on_the_schedule(drop, shop, django_capture_on_commit_callbacks):
    # given
    schedule = make_schedule(shop)
    # when
    job = run(schedule, django_capture_on_commit_callbacks)
    # then
    assert job is None
    assert schedule.last_error == "No file at shop.csv in the scheduled imports directory."
    assert not ImportJob.objects.exists()


def test_header_missing_from_the_file_stops_the_run(drop, shop, django_capture_on_commit_callbacks):
    # given
    schedule = make_schedule(shop, mapping={"E-mail": "email"})
    write(drop / "shop.csv", "email,first_name\nann@example.com,Ann\n", 1_000)
    # when
    job = run(schedule, django_capture_on_commit_callbacks)
    # then
    assert job is None
    assert schedule.last_error.startswith("mapping: The file has no column 'E-mail'")
    assert not ImportJob.objects.exists()
    assert schedule.last_file_signature == ""  # tried again once the schedule is fixed


def test_symlink_out_of_the_directory_is_not_followed(
    drop, shop, tmp_path, django_capture_on_commit_callbacks
):
    # given
    secret = tmp_path / "secret.csv"
    write(secret, "email\nceo@example.com\n", 1_000)
    schedule = make_schedule(shop)
    (drop / "shop.csv").symlink_to(secret)
    # when
    job = run(schedule, django_capture_on_commit_callbacks)
    # then
    assert job is None
    assert schedule.last_error.startswith("The path leads outside")
    assert not Profile.objects.exists()


def test_path_stored_outside_the_directory_is_refused_at_run_time(
    drop, shop, django_capture_on_commit_callbacks
):
    # given: a row written around the service
    schedule = make_schedule(shop)
    ScheduledImport.objects.filter(pk=schedule.pk).update(path="../../../../etc/passwd")
    # when
    job = run(schedule, django_capture_on_commit_callbacks)
    # then
    assert job is None
    assert schedule.last_error.startswith("The path leads outside")


def test_run_waits_while_the_last_import_is_still_running(
    drop, shop, django_capture_on_commit_callbacks
):
    # given
    schedule = make_schedule(shop)
    write(drop / "shop.csv", "email\nann@example.com\n", 1_000)
    first = run(schedule, django_capture_on_commit_callbacks)
    ImportJob.objects.filter(pk=first.pk).update(state=State.RUNNING)
    write(drop / "shop.csv", "email\nbob@example.com\n", 2_000)
    # when
    job = run(schedule, django_capture_on_commit_callbacks)
    # then
    assert job is None
    assert ImportJob.objects.count() == 1


def test_disabled_or_deleted_schedule_does_nothing(drop, shop, django_capture_on_commit_callbacks):
    # given
    schedule = make_schedule(shop, enabled=False)
    write(drop / "shop.csv", "email\nann@example.com\n", 1_000)
    # when
    job = run(schedule, django_capture_on_commit_callbacks)
    gone = tasks.run_scheduled_import.delay(schedule.pk + 1).get()
    # then
    assert (job, gone) == (None, None)
    assert not ImportJob.objects.exists()
