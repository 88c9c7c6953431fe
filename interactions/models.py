"""Static segments (I1), trigger mailings and their sends (I2), scenarios with their steps and
participations (I3), and relations between profiles (P16).

Everything that points at a profile goes with it (CASCADE): deleting a profile (P8) removes
its memberships, relations, sends and participations in the same statement.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q

from history.models import EventType
from subscriptions.models import Channel


class Segment(models.Model):
    """A static segment: a hand-kept list of profiles of one database (I1)."""

    database = models.ForeignKey(
        "profiles.ProfileDatabase", on_delete=models.PROTECT, related_name="segments"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["database_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["database", "name"], name="interactions_segment_name_uniq"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SegmentMembership(models.Model):
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="memberships")
    profile = models.ForeignKey(
        "profiles.Profile", on_delete=models.CASCADE, related_name="segment_memberships"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["segment_id", "profile_id"]
        constraints = [
            # Also the index of a segment's member list, ordered by profile.
            models.UniqueConstraint(
                fields=["segment", "profile"], name="interactions_membership_uniq"
            ),
        ]
        indexes = [
            # The segments of one profile (profile page block, merge, deletion).
            models.Index(fields=["profile"], name="interactions_membership_prof"),
        ]

    def __str__(self) -> str:
        return f"{self.segment_id}:{self.profile_id}"


slug_validator = RegexValidator(r"^[a-z][a-z0-9_]*\Z", "Enter a lower-case slug.")


class Trigger(models.Model):
    """A trigger mailing (I2): a message of one resource on one channel, launched by an event
    of `event_type` (or only by hand when empty). Subject and body may hold profile field
    placeholders such as `{{ first_name }}` or `{{ fields.tariff }}` (interactions.rendering).
    A marketing trigger holds out the global control group (P13); a transactional one not."""

    name = models.CharField(max_length=200, unique=True)
    resource = models.ForeignKey(
        "subscriptions.Resource", on_delete=models.PROTECT, related_name="triggers"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField()
    event_type = models.CharField(
        "launched by", max_length=32, choices=EventType.choices, blank=True,
        help_text="The event that sends it automatically; empty for by-hand sends only.",
    )  # fmt: skip
    is_marketing = models.BooleanField(
        default=True, help_text="Marketing sends skip the global control group; transactional not."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        permissions = [("send_trigger", "Can send a trigger to a profile by hand")]

    def __str__(self) -> str:
        return self.name


class TriggerSend(models.Model):
    """One send of a trigger to one profile: queued, then handed to the channel backend."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        DELIVERED = "delivered"
        NO_TARGET = "no_target", "no delivery target"
        FAILED = "failed"

    trigger = models.ForeignKey(Trigger, on_delete=models.CASCADE, related_name="sends")
    profile = models.ForeignKey(
        "profiles.Profile", on_delete=models.CASCADE, related_name="trigger_sends"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    reason = models.CharField(max_length=500, blank=True, help_text="Why it was not delivered.")
    contact = models.CharField(max_length=255, blank=True)
    # The event that launched it; with the constraint below, an event sends a trigger once.
    event_id = models.BigIntegerField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["trigger", "event_id"], condition=Q(event_id__isnull=False),
                name="interactions_send_event_uniq",
            ),
        ]  # fmt: skip
        indexes = [
            # The latest sends of a profile (profile page block).
            models.Index(fields=["profile", "-id"], name="interactions_send_profile"),
            # Sends still waiting for a worker (requeue_waiting_sends): few, whatever the total.
            models.Index(
                fields=["created_at"],
                condition=Q(status="queued"),
                name="interactions_send_waiting",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"{self.trigger_id} -> {self.profile_id}: {self.status}"


class TriggerCursor(models.Model):
    """The last history event the automatic launcher has looked at (one row)."""

    last_event_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.last_event_id)


class Scenario(models.Model):
    """A scenario (I3): ordered steps a participant goes through."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        permissions = [("engage_scenario", "Can engage a profile in a scenario by hand")]

    def __str__(self) -> str:
        return self.name


class StepKind(models.TextChoices):
    WAIT = "wait"
    SEND_TRIGGER = "send_trigger", "send a trigger"
    ADD_TO_SEGMENT = "add_to_segment", "add to a segment"
    REMOVE_FROM_SEGMENT = "remove_from_segment", "remove from a segment"
    FINISH = "finish"


class ScenarioStep(models.Model):
    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=24, choices=StepKind.choices)
    wait_seconds = models.PositiveIntegerField(null=True, blank=True)
    trigger = models.ForeignKey(
        Trigger, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    segment = models.ForeignKey(
        Segment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField(
        max_length=100, blank=True, help_text="Finish: the participation's result."
    )

    class Meta:
        ordering = ["scenario_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["scenario", "position"], name="interactions_step_position_uniq"
            ),
            models.CheckConstraint(
                condition=~Q(kind="wait") | Q(wait_seconds__isnull=False),
                name="interactions_step_wait_has_seconds",
            ),
            models.CheckConstraint(
                condition=~Q(kind="send_trigger") | Q(trigger__isnull=False),
                name="interactions_step_send_has_trigger",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["add_to_segment", "remove_from_segment"])
                | Q(segment__isnull=False),
                name="interactions_step_segment_set",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.get_kind_display()}"


class Participation(models.Model):
    """One profile's way through one scenario: where it is and how it ended."""

    class Status(models.TextChoices):
        ACTIVE = "active"
        FINISHED = "finished"
        FAILED = "failed"

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="participations")
    profile = models.ForeignKey(
        "profiles.Profile", on_delete=models.CASCADE, related_name="participations"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    current_step = models.PositiveIntegerField(default=0, help_text="Position of the next step.")
    next_run_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=500, blank=True)
    entered_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scenario", "profile"], condition=Q(status="active"),
                name="interactions_participation_active_uniq",
            ),
        ]  # fmt: skip
        indexes = [
            # The beat task: active participations that are due, oldest first.
            models.Index(
                fields=["next_run_at"],
                condition=Q(status="active"),
                name="interactions_participation_due",
            ),  # fmt: skip
            # A profile's participations (profile page block).
            models.Index(fields=["profile", "-id"], name="interactions_part_profile"),
        ]

    def __str__(self) -> str:
        return f"{self.scenario_id}:{self.profile_id} {self.status}"


class Relation(models.Model):
    """P16: a typed, directed relation from one profile to another (`parent`, `referrer`...)."""

    type = models.CharField(max_length=63, validators=[slug_validator])
    from_profile = models.ForeignKey(
        "profiles.Profile", on_delete=models.CASCADE, related_name="relations_from"
    )
    to_profile = models.ForeignKey(
        "profiles.Profile", on_delete=models.CASCADE, related_name="relations_to"
    )
    created_at = models.DateTimeField("time", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_profile", "type", "to_profile"], name="interactions_relation_uniq"
            ),
            models.CheckConstraint(
                condition=~Q(from_profile=F("to_profile")), name="interactions_relation_not_self"
            ),
        ]
        indexes = [
            # Relations pointing at a profile (its page and deletion); from_profile is
            # served by the unique constraint's index.
            models.Index(fields=["to_profile"], name="interactions_relation_to"),
        ]

    def __str__(self) -> str:
        return f"{self.from_profile_id} {self.type} {self.to_profile_id}"
