from celery import shared_task

from . import schedules, services, undo
from .models import ImportJob


# acks_late + reject_on_worker_lost: a worker that dies mid-import leaves the message to be
# delivered again, and the run goes on after the last committed chunk.
@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_import(job_id: int) -> int:
    """Run a queued file import; return the rows read so far."""
    return services.run_import(job_id=job_id).rows_read


@shared_task(acks_late=True, reject_on_worker_lost=True)
def undo_import(job_id: int, actor_id: int | None = None) -> dict:
    from django.contrib.auth import get_user_model

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return undo.undo_import(job=ImportJob.objects.get(pk=job_id), actor=actor).undo_summary


@shared_task
def purge_expired_imports() -> int:
    return undo.purge_expired_imports()


@shared_task
def run_scheduled_import(schedule_id: int) -> int | None:
    """X4, called by django-celery-beat: import the schedule's file if it changed; return
    the queued job's id. Never raises for a missing or refused file (`last_error` says)."""
    job = schedules.run_schedule(schedule_id=schedule_id)
    return job.pk if job else None
