"""Web layers: forms (D2) and tracking pixels (D4), both reached by the public without signing
in (`views.py`), and signed tracked links that update UTM tags (P12)."""

import secrets

from django.core.validators import RegexValidator
from django.db import models

from profiles.models import ProfileDatabase
from subscriptions.models import Channel, Resource


def new_pixel_id() -> str:
    return secrets.token_urlsafe(12)


class Form(models.Model):
    """A form whose inputs map to profile fields; submitting it at `/f/<slug>/` creates or
    updates a profile of `database` and may subscribe it to `resource` on `channel`.

    `inputs` is a list of {"name", "label", "target", "required"}: `target` is a standard
    profile field (`email`, `phone`, `first_name`, ...) or `fields.<custom field name>`.
    """

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64, unique=True)
    database = models.ForeignKey(ProfileDatabase, on_delete=models.PROTECT, related_name="+")
    inputs = models.JSONField(default=list)
    resource = models.ForeignKey(
        Resource, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(
        max_length=16, choices=[(Channel.EMAIL, "email"), (Channel.SMS, "sms")], blank=True
    )
    update_utm = models.BooleanField(
        "update UTM", default=False, help_text="Store the submission's utm_* tags (P12)."
    )
    allowed_origins = models.JSONField(
        default=list, blank=True, help_text="Sites (https://host) that may post JSON (CORS)."
    )
    success_message = models.CharField(max_length=500, default="Thank you!")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Pixel(models.Model):
    """A tracking pixel (`/px/<pixel_id>.gif`): each hit records a `pixel` event."""

    name = models.CharField(max_length=200)
    pixel_id = models.CharField(
        max_length=32, unique=True, default=new_pixel_id,
        validators=[RegexValidator(r"^[A-Za-z0-9_-]{8,32}\Z")],
        help_text="The public identifier in the pixel's URL.",
    )  # fmt: skip
    database = models.ForeignKey(ProfileDatabase, on_delete=models.PROTECT, related_name="+")
    goal = models.CharField(max_length=100, blank=True, help_text="Default goal of a hit.")
    update_utm = models.BooleanField("update UTM", default=False)
    allowed_origins = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
