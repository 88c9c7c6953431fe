"""The one action-history store (H1): every app writes here through `history.services`.

On PostgreSQL `history_event` is partitioned by month on `ts` (migration 0001 writes the DDL;
`services.ensure_partitions` keeps partitions made ahead). Its primary key there is
(id, ts), as partitioning requires; `id` alone stays unique because one identity sequence
feeds every partition. The profile and actor references carry no database constraint: a
profile's events are deleted in bulk by `delete_profile`, and users may go while their
history stays.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q


class EventType(models.TextChoices):
    IMPORT = "import"
    SUBSCRIBE = "subscribe"
    UNSUBSCRIBE = "unsubscribe"
    SEND = "send"
    DELIVERY = "delivery"
    OPEN = "open"
    READ = "read", "read (seen for 12 s or more)"
    CLICK = "click"
    CONFIRM = "confirm", "confirmation-link click"
    REPLY = "reply"
    HARD_BOUNCE = "hard_bounce"
    COMPLAINT = "complaint"
    UNSUBSCRIBE_LINK = "unsubscribe_link", "unsubscribe by link"
    PIXEL = "pixel", "pixel goal"
    PROMO_ATTACHED = "promo_attached"
    PROMO_DETACHED = "promo_detached"
    PROMO_ACTIVATED = "promo_activated"
    SEGMENT_ENTERED = "segment_entered"
    SEGMENT_EXITED = "segment_exited"
    GCG_ENTERED = "gcg_entered", "global control group entered"
    TRIGGER_SENT = "trigger_sent"
    SCENARIO_ENTERED = "scenario_entered"
    SCENARIO_FINISHED = "scenario_finished"
    FORM_FILLED = "form_filled"
    ORDER = "order"
    LOYALTY_POINTS = "loyalty_points"
    STATUS_CHANGED = "status_changed"
    PROFILE_UPDATED = "profile_updated"


class ImportSource(models.TextChoices):
    """Where a profile came from: `data.source` of its `import` event (H1)."""

    MANUAL = "manual"
    API = "api"
    FILE = "file"
    PUSH = "push"


class Event(models.Model):
    id = models.BigAutoField(primary_key=True)
    profile = models.ForeignKey(
        "profiles.Profile",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        help_text="Empty for an anonymous visitor's event until the visitor is identified.",
    )
    # Copied from the profile so a whole database's history (H5 export) reads one index.
    database_id = models.BigIntegerField(null=True, blank=True)
    type = models.CharField(max_length=32, choices=EventType.choices)
    channel = models.CharField(max_length=16, blank=True)
    resource_id = models.BigIntegerField(null=True, blank=True)
    subscription_id = models.BigIntegerField(null=True, blank=True)
    # Any other object involved (a trigger, a segment, an order, ...), by app label and id.
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    ts = models.DateTimeField("time of the action")
    created_at = models.DateTimeField(auto_now_add=True)
    key = models.CharField("idempotency key", max_length=200, null=True, blank=True)  # noqa: DJ001
    visitor = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [
            # A profile's history page (newest first, keyset on ts, id), its type filter and
            # the message summary (H3). On PostgreSQL it also carries INCLUDE (type, channel)
            # (migration 0001), so those filters read the index only: one index instead of
            # two, which bench/README.md shows is what ingest speed is made of.
            models.Index(fields=["profile", "-ts", "-id"], name="history_event_profile_ts"),
            # H5 export of a whole database for a period.
            models.Index(fields=["database_id", "ts"], name="history_event_database_ts"),
            # The profile page's Data block: a profile's latest filled forms and pixel hits
            # (weblayers.selectors.profile_events). Partial, so only those events pay for it;
            # without it a profile with none had its whole history read to find none.
            models.Index(
                fields=["profile", "type", "-ts", "-id"],
                name="history_event_profile_web",
                condition=Q(type__in=["form_filled", "pixel"]),
            ),  # fmt: skip
            # Identify (P14): the events of one anonymous visitor.
            models.Index(
                fields=["visitor"], name="history_event_visitor", condition=~Q(visitor="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} #{self.pk} profile={self.profile_id}"


# H3: the message summary's actions and the event type that proves each.
SUMMARY_ACTIONS = {
    "sent": EventType.SEND,
    "delivered": EventType.DELIVERY,
    "opened": EventType.OPEN,
    "clicked": EventType.CLICK,
    "seen": EventType.READ,
    "replied": EventType.REPLY,
}
SUMMARY_TYPES = frozenset(str(event_type) for event_type in SUMMARY_ACTIONS.values())


class MessageAction(models.Model):
    """H3: a message action a profile had at least once on a channel, one row per (profile,
    channel, type) of the summary's types. Written with the events (`record_many`), so the
    profile page reads a handful of rows, not a history of 100,000 events."""

    pk = models.CompositePrimaryKey("profile_id", "channel", "type")
    profile_id = models.BigIntegerField()
    channel = models.CharField(max_length=16)
    type = models.CharField(max_length=32)

    def __str__(self) -> str:
        return f"{self.profile_id} {self.channel} {self.type}"


class EventKey(models.Model):
    """Idempotency keys of ingested events. A separate table because a partitioned table can
    only enforce uniqueness together with the partition key."""

    key = models.CharField(max_length=200, primary_key=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key
