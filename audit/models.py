"""The audit journal (A3). Entries are written by `audit.services.record_action` only and never
changed. They outlive what they describe, so they hold ids, names of changed fields and counts,
never personal data: a deleted profile leaves no trace of the person here (P8)."""

from django.conf import settings
from django.db import models


class Action(models.TextChoices):
    CREATE = "create"
    CHANGE = "change"
    DELETE = "delete"
    BULK_UPDATE = "bulk_update", "bulk update"
    EXPORT = "export"
    IMPORT_STARTED = "import_started", "import started"
    IMPORT_FINISHED = "import_finished", "import finished"
    IMPORT_FAILED = "import_failed", "import failed"
    IMPORT_UNDONE = "import_undone", "import undone"


class AuditEntry(models.Model):
    ts = models.DateTimeField(auto_now_add=True, db_index=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text="Empty for commands, tasks and anonymous callers.",
    )  # fmt: skip
    # The username at the time: the journal still says who when the user is gone.
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=32, choices=Action.choices)
    # `app_label.model` of the target, and its primary key; kept as text so an entry about
    # a deleted object (or one of another app) needs no foreign key.
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-ts", "-id"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit journal"
        indexes = [
            # The admin's journal, newest first, and its date drill-down.
            models.Index(fields=["-ts", "-id"], name="audit_entry_ts"),
            # "What happened to this object": filter by target type and search by id.
            models.Index(fields=["target_type", "target_id"], name="audit_entry_target"),
            # "What did this user do": the actor filter.
            models.Index(fields=["actor", "-ts"], name="audit_entry_actor_ts"),
        ]

    def __str__(self) -> str:
        return f"{self.ts:%Y-%m-%d %H:%M} {self.actor_name or '-'} {self.action} {self.target}"

    @property
    def target(self) -> str:
        return f"{self.target_type}#{self.target_id}" if self.target_id else self.target_type
