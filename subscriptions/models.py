"""Resources (S1), their subscription fields, subscriptions (S2) and suppression lists (S7).
The channel vocabulary lives here; history uses it too."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from profiles.models import FieldDefinition, Profile, Status


class Channel(models.TextChoices):
    EMAIL = "email"
    SMS = "sms"
    PUSH = "push"
    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"
    VIBER = "viber"
    NOTIFY = "notify"
    MAX = "max"
    CUSTOM = "custom"


def contact_key(channel: str, contact: str) -> str:
    """A contact as compared across the product: emails ignore case, while push tokens and
    chat ids are case-sensitive and compared as they are."""
    return contact.lower() if channel == Channel.EMAIL else contact


class Resource(models.Model):
    """A content source (a site, an app, a brand) that profiles subscribe to."""

    name = models.CharField(max_length=200, unique=True)
    channels = models.JSONField(default=list, blank=True, help_text="Enabled channels.")
    categories = models.JSONField(default=list, blank=True, help_text="Category names (S8).")
    auto_priority = models.BooleanField(
        "increase priority for new subscriptions",
        default=False,
        help_text="A new subscription without an explicit priority gets 0; the others move down.",
    )
    double_opt_in = models.BooleanField(
        default=False, help_text="New subscriptions stay unconfirmed until the link is opened (S6)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class SubscriptionField(FieldDefinition):
    """A custom field of the subscriptions of one resource; values in `Subscription.fields`."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="fields")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["resource_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "name"], name="subscriptions_field_name_uniq"
            ),
        ]


class Subscription(models.Model):
    """A profile's consent to receive one resource's messages on one channel at one contact.

    Deleting marks `deleted_at`: deleted subscriptions still count towards the limits (S5) and
    are the first to be replaced.
    """

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="subscriptions")
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="subscriptions")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    contact = models.CharField(max_length=255, help_text="Email, E.164 phone, push token, chat id.")
    # What suppression and duplicate checks compare (see contact_key()). Folded in Python:
    # SQLite's LOWER() only folds ASCII, so "Ülla@" would slip past a suppression.
    contact_key = models.CharField(max_length=255, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBSCRIBED)
    priority = models.PositiveIntegerField(
        default=0, validators=[MinValueValidator(0)], help_text="Smaller is higher."
    )
    categories = models.JSONField(default=dict, blank=True, help_text="{name: subscribed?}")

    device_type = models.CharField(max_length=16, blank=True)
    device_model = models.CharField(max_length=100, blank=True)
    device_name = models.CharField(max_length=100, blank=True)
    platform = models.CharField(max_length=50, blank=True)
    platform_version = models.CharField(max_length=50, blank=True)
    timezone = models.CharField(max_length=64, blank=True)
    language = models.CharField(max_length=35, blank=True)
    ad_tracking_allowed = models.BooleanField(null=True, blank=True)
    ad_id = models.CharField(max_length=100, blank=True)
    app_id = models.CharField(max_length=200, blank=True)
    app_install_id = models.CharField(max_length=200, blank=True)
    app_version = models.CharField(max_length=50, blank=True)
    browser = models.CharField(max_length=50, blank=True)
    browser_version = models.CharField(max_length=50, blank=True)

    fields = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["resource_id", "channel", "priority", "id"]
        constraints = [
            # Issue 4: never two live subscriptions with one priority in a resource and channel.
            models.UniqueConstraint(
                fields=["profile", "resource", "channel", "priority"],
                condition=Q(deleted_at__isnull=True),
                name="subscriptions_live_priority_uniq",
            ),
        ]
        indexes = [
            # The profile's list (ordered by resource, channel, priority) and delivery_target.
            models.Index(
                fields=["profile", "resource", "channel", "priority"],
                name="subscriptions_profile_order",
            ),
            # Audience resolution of a resource and channel over a whole database.
            models.Index(fields=["resource", "channel", "profile"], name="subscriptions_audience"),
            # Subscriptions of a contact: suppression joins, quick search by contact (P15).
            models.Index(fields=["contact_key", "channel"], name="subscriptions_contact"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.contact} #{self.pk}"

    def save(self, *args, **kwargs):
        self.contact_key = contact_key(self.channel, self.contact)
        if kwargs.get("update_fields") is not None and "contact" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "contact_key"}
        super().save(*args, **kwargs)


class Suppression(models.Model):
    """A contact that must never receive messages on a channel (S7)."""

    class Reason(models.TextChoices):
        HARD_BOUNCED = "hard_bounced"
        COMPLAINER = "complainer"
        MANUAL = "manual"
        IMPORTED = "imported"

    channel = models.CharField(max_length=16, choices=Channel.choices)
    contact = models.CharField(max_length=255, help_text="Stored as contact_key() gives it.")
    reason = models.CharField(max_length=16, choices=Reason.choices, default=Reason.MANUAL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "contact"], name="suppressions_contact_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.contact}"
