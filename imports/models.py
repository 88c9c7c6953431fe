"""Import jobs (X1, X2, X4) and the per-row log that makes their reports and undo possible.

Every row an import reads gets one `ImportRow`: its result, the profile it touched, its
errors, and for an update the values it replaced. The error report, the counts and undo are
all read from these rows, so every input row is accounted for. Rows are kept for the undo
window (`IMPORT_UNDO_DAYS`) and then purged with the job's file.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class State(models.TextChoices):
    DRAFT = "draft", "uploaded, columns to map"
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    UNDOING = "undoing"
    UNDONE = "undone"


class Result(models.TextChoices):
    CREATED = "created"
    UPDATED = "updated"
    SKIPPED = "skipped"
    MERGED = "merged", "merged into a later row"
    ERROR = "error"


class ImportOptions(models.Model):
    """What an import does with the rows of its file: how rows find their profile, which
    rows it writes, geolocation and the subscription it adds. Jobs and schedules share it."""

    matching = models.CharField(max_length=80, default="email")
    skip_existing = models.BooleanField(
        default=False, help_text="Leave profiles that already exist as they are."
    )
    create_new = models.BooleanField(
        default=True, help_text="Create profiles that match no existing one."
    )
    detect_geo = models.BooleanField(
        default=False, help_text="Fill registration city and country from the registration IP."
    )
    subscribe_resource = models.ForeignKey(
        "subscriptions.Resource", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text="Subscribe every imported profile to this resource.",
    )  # fmt: skip
    subscribe_channel = models.CharField(max_length=16, blank=True)

    class Meta:
        abstract = True


class ImportJob(ImportOptions):
    """One import: a file (X1), an API call (X2) or a scheduled run (X4)."""

    database = models.ForeignKey(
        "profiles.ProfileDatabase", on_delete=models.PROTECT, related_name="imports"
    )
    source = models.CharField(max_length=8, default="file")  # history.models.ImportSource
    state = models.CharField(max_length=8, choices=State.choices, default=State.DRAFT)

    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    file_size = models.BigIntegerField(default=0)
    encoding = models.CharField(max_length=32, default="utf-8")
    delimiter = models.CharField(max_length=1, blank=True)
    # One target per column of the file, in order: "email", "fields.age", ... or "" to skip.
    mapping = models.JSONField(default=list, blank=True)
    headers = models.JSONField(default=list, blank=True)

    rows_read = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    merged = models.PositiveIntegerField(default=0, help_text="Of the skipped rows.")
    failed = models.PositiveIntegerField(default=0)
    bytes_read = models.BigIntegerField(default=0)
    # The last record written, committed with its chunk: a stopped job resumes after it.
    last_row = models.PositiveIntegerField(default=1)
    error = models.TextField(blank=True, help_text="Why the job stopped, if it failed.")
    undo_summary = models.JSONField(default=dict, blank=True)
    segment_name = models.CharField(
        max_length=200, blank=True,
        help_text="Put the imported profiles into a new static segment of this name (I1).",
    )  # fmt: skip
    segment = models.ForeignKey(
        "interactions.Segment", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text="The segment made of this import's profiles.",
    )  # fmt: skip

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(
        null=True, blank=True, help_text="When the file and the row log were removed."
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = "profile import"

    def __str__(self) -> str:
        return f"Import #{self.pk} {self.file_name or self.source}"

    @property
    def percent(self) -> int:
        if self.state in (State.FINISHED, State.UNDONE, State.UNDOING):
            return 100
        if not self.file_size:
            return 0
        return min(99, int(self.bytes_read * 100 / self.file_size))


class ImportRow(models.Model):
    """The outcome of one input row. `row` is the record's number in the file with the header
    as row 1 (as a spreadsheet numbers it), or the item's index in an API call."""

    # No database constraint: COPY writes millions of rows, each of which would queue a
    # foreign-key check until commit; rows go with their job (undo.purge_expired_imports).
    job = models.ForeignKey(
        ImportJob, on_delete=models.CASCADE, related_name="rows", db_constraint=False,
        db_index=False,  # the (job, row) index below serves every lookup by job
    )  # fmt: skip
    row = models.PositiveIntegerField()
    result = models.CharField(max_length=8, choices=Result.choices)
    # No foreign key: rows outlive the profiles an undo or a deletion removes, and COPY
    # writes them without a constraint check per row.
    profile_id = models.BigIntegerField(null=True, blank=True)
    # {"email": ["reason"], "fields": {"age": ["reason"]}} for an error or a partial success.
    errors = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    # For an update: {"first_name": [old, new], "fields.age": [old, new]}, what undo restores.
    changes = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    merged_into = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["job", "row"]
        indexes = [
            # The report, the counts and undo read a job's rows in order.
            models.Index(fields=["job", "row"], name="imports_row_job_row"),
            # A later row meeting a profile an earlier chunk of the same job wrote.
            models.Index(fields=["job", "profile_id"], name="imports_row_job_profile"),
        ]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row} {self.result}"


class ScheduledImport(ImportOptions):
    """X4: a file under `IMPORT_SCHEDULE_DIR` imported every `interval_minutes` by
    django-celery-beat, when it changed since the last import (size and mtime). Columns are
    mapped by header name, so a file whose columns move keeps its mapping."""

    name = models.CharField(max_length=200, unique=True)
    database = models.ForeignKey(
        "profiles.ProfileDatabase", on_delete=models.PROTECT, related_name="scheduled_imports"
    )
    path = models.CharField(
        max_length=500, help_text="The file's path relative to the scheduled imports directory."
    )
    encoding = models.CharField(max_length=32, default="auto", help_text="auto or e.g. cp1251.")
    delimiter = models.CharField(max_length=1, blank=True, help_text="Empty: detect.")
    # {header: target}, e.g. {"E-mail": "email", "Age": "fields.age", "Password": ""};
    # headers left out are mapped by their name as on the upload page.
    mapping = models.JSONField(default=dict, blank=True)
    interval_minutes = models.PositiveIntegerField(
        default=60, help_text="How often the file is checked; an unchanged file is skipped."
    )
    enabled = models.BooleanField(default=True)
    # Written by `schedules.save_schedule`; SET_NULL so that deleting the beat entry by hand
    # leaves the schedule, which the next save schedules again.
    periodic_task = models.OneToOneField(
        "django_celery_beat.PeriodicTask", null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="scheduled_import",
    )  # fmt: skip

    last_run_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_job = models.ForeignKey(
        ImportJob, null=True, blank=True, editable=False, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    # "<size>:<mtime in ns>" of the file the last job imported.
    last_file_signature = models.CharField(max_length=64, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
