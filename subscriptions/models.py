"""Resources and subscriptions (S1-S9). The channel vocabulary lives here: history uses it too."""

from django.db import models


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
