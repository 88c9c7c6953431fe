"""Faults on PostgreSQL: the database connection of a running file import is killed from
outside between two chunks (as a restart or a failover does), and an import is queued while
Redis is down. Each job ends failed with a report of why and where, nothing is half-written,
and resuming finishes it with every row accounted for exactly once. A trigger send made while
Redis is down waits, saying why, and the beat task delivers it once the queue is back."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection

from audit.models import Action, AuditEntry
from imports import services
from imports.models import ImportJob, ImportRow, State
from profiles.models import Profile
from tests.profiles.factories import ProfileDatabaseFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROWS, CHUNK = 250, 100
REPO = Path(__file__).resolve().parent.parent.parent


def kill_backend(pid: int) -> None:
    """Terminate a server process from a connection of our own, as an operator would."""
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"], port=settings["PORT"], dbname=settings["NAME"],
        user=settings["USER"], password=settings["PASSWORD"], autocommit=True,
    ) as other:  # fmt: skip
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.fixture
def queued_job(monkeypatch):
    """A configured file import that no worker has picked up: the test runs it by hand."""
    monkeypatch.setattr(services, "CHUNK_SIZE", CHUNK)
    monkeypatch.setattr(services, "_enqueue", lambda job: None)
    lines = ["email,first_name", *(f"p{n}@example.com,P{n}" for n in range(ROWS))]
    upload = ContentFile("\n".join(lines).encode(), name="people.csv")
    job = services.upload_file(database=ProfileDatabaseFactory(), file=upload)
    return services.configure_import(job=job, mapping=["email", "first_name"])


def test_an_import_whose_database_connection_dies_fails_cleanly_and_resumes(queued_job):
    # given: the connection is killed once the first chunk has committed
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    killed = []

    def kill_after_first_chunk(job: ImportJob) -> None:
        if not killed:
            killed.append(job.last_row)
            kill_backend(pid)

    # when
    with pytest.raises(DatabaseError):
        services.run_import(job_id=queued_job.pk, progress=kill_after_first_chunk)
    # then the job says it failed and where; the first chunk is there, whole, and no more
    job = ImportJob.objects.get(pk=queued_job.pk)
    assert job.state == State.FAILED
    assert job.error.startswith(f"Stopped after row {killed[0]}:")
    assert job.rows_read == job.created == CHUNK
    assert Profile.objects.count() == ImportRow.objects.count() == CHUNK
    failed = AuditEntry.objects.get(action=Action.IMPORT_FAILED)
    assert failed.changes["created"] == CHUNK
    # when it is resumed
    services.resume_import(job=job)
    job = services.run_import(job_id=job.pk)
    # then every row is imported once and accounted for once
    assert (job.state, job.rows_read, job.created, job.failed) == (State.FINISHED, ROWS, ROWS, 0)
    emails = sorted(Profile.objects.values_list("email", flat=True))
    assert emails == sorted(f"p{n}@example.com" for n in range(ROWS))
    assert ImportRow.objects.count() == ROWS


# Runs in a process whose broker is a Redis that is not there (stopped), as a web worker would.
QUEUE_WITHOUT_BROKER = """
from audit.models import Action, AuditEntry
from imports import services
from imports.models import ImportJob
services.configure_import(job=ImportJob.objects.get(pk={pk}), mapping=["email", "first_name"])
"""


def test_an_import_queued_while_redis_is_down_fails_saying_so_and_resumes(queued_job, tmp_path):
    # given a job back in the draft state, to be queued by a process whose Redis is down
    ImportJob.objects.filter(pk=queued_job.pk).update(state=State.DRAFT)
    # when
    done = run_without_broker(QUEUE_WITHOUT_BROKER.format(pk=queued_job.pk))
    # then the job is not left "queued" for a message never sent: it failed, and says why
    assert done.returncode == 0, done.stderr
    job = ImportJob.objects.get(pk=queued_job.pk)
    assert job.state == State.FAILED
    assert job.error.startswith("Could not queue the import: the task queue is unreachable")
    assert Profile.objects.count() == 0
    # when resumed with the queue back
    services.resume_import(job=job)
    job = services.run_import(job_id=job.pk)
    # then
    assert (job.state, job.created, job.rows_read) == (State.FINISHED, ROWS, ROWS)


def run_without_broker(code: str) -> subprocess.CompletedProcess:
    """`code` run by `manage.py shell` in a process of its own on this test database, whose
    task queue is a Redis that is not there (stopped), as a web worker's would be."""
    settings = connection.settings_dict
    database_url = (
        f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST']}:"
        f"{settings['PORT']}/{settings['NAME']}"
    )
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{unused_port()}/0",
    }
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=REPO, env=environment, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


SEND_WITHOUT_BROKER = """
from interactions.models import Trigger
from interactions.services import triggers
from profiles.models import Profile
triggers.send_trigger(trigger=Trigger.objects.get(pk={trigger}),
                      profile=Profile.objects.get(pk={profile}))
"""


def test_a_trigger_send_queued_while_redis_is_down_waits_and_is_delivered_later():
    from datetime import timedelta

    from django.core import mail

    from interactions.models import TriggerSend
    from interactions.services import triggers
    from tests.interactions.factories import TriggerFactory
    from tests.profiles.factories import ProfileFactory
    from tests.subscriptions.factories import ResourceFactory, SubscriptionFactory

    # given a profile subscribed to a trigger's resource
    resource = ResourceFactory()
    ann = ProfileFactory(first_name="Ann", fields={})
    SubscriptionFactory(profile=ann, resource=resource, contact="ann@shop.example")
    trigger = TriggerFactory(resource=resource, subject="Hello", body="Hi")
    # when a web process whose Redis is down sends it by hand
    done = run_without_broker(SEND_WITHOUT_BROKER.format(trigger=trigger.pk, profile=ann.pk))
    # then the request did not fail and the send waits, saying why
    assert done.returncode == 0, done.stderr
    waiting = TriggerSend.objects.get(trigger=trigger)
    assert waiting.status == TriggerSend.Status.QUEUED
    assert waiting.reason.startswith("Waiting: the task queue was unreachable")
    assert mail.outbox == []
    # when the queue is back and the beat task comes round
    assert triggers.requeue_waiting_sends(older_than=timedelta(0)) == 1
    # then it is delivered, once
    waiting.refresh_from_db()
    assert (waiting.status, waiting.reason) == (TriggerSend.Status.DELIVERED, "")
    assert [m.to for m in mail.outbox] == [["ann@shop.example"]]
    assert triggers.requeue_waiting_sends(older_than=timedelta(0)) == 0


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
