"""A3: the audit journal's view of an import: one entry when a run starts, finishes, fails or
is undone, with the job's counts (never its rows: they hold personal data)."""

from audit.models import Action
from audit.services import record_action

from .models import ImportJob

COUNTS = ("rows_read", "created", "updated", "skipped", "failed")


def journal_import(job: ImportJob, action: Action) -> None:
    """Record `action` on `job` as its creator's (a worker runs it with no request)."""
    job.refresh_from_db()
    record_action(
        action=action, target=job, actor_id=job.created_by_id,
        changes={"database": job.database_id, "source": job.source, "state": job.state,
                 **{name: getattr(job, name) for name in COUNTS}, **job.undo_summary},
    )  # fmt: skip
