"""History API shapes (API.md "History")."""

import ipaddress
import json

from django.utils import timezone
from rest_framework import serializers

from config.serializers import AwareDateTimeField, StrictSerializer
from subscriptions.models import Channel

from ..models import Event, EventType
from ..selectors import MAX_AHEAD

MAX_DATA_BYTES = 64 * 1024
# Types a client may send. The others are written by Tessera's own services, which also
# change the state they describe (a status, a subscription, a segment, a balance).
INGESTIBLE_TYPES = [
    EventType.SEND, EventType.DELIVERY, EventType.OPEN, EventType.READ, EventType.CLICK,
    EventType.CONFIRM, EventType.REPLY, EventType.HARD_BOUNCE, EventType.COMPLAINT,
    EventType.UNSUBSCRIBE_LINK, EventType.PIXEL, EventType.FORM_FILLED, EventType.ORDER,
    EventType.TRIGGER_SENT,
]  # fmt: skip


class EventSerializer(serializers.ModelSerializer):
    resource = serializers.IntegerField(source="resource_id", allow_null=True)

    class Meta:
        model = Event
        fields = ["id", "type", "ts", "channel", "resource", "profile", "subscription_id",
                  "object_type", "object_id", "actor", "data", "key", "visitor"]  # fmt: skip
        read_only_fields = fields


class HistoryQuery(StrictSerializer):
    """Query parameters of a history list or export."""

    types = serializers.CharField(required=False, help_text="Comma-separated event types.")
    since = AwareDateTimeField(required=False)
    until = AwareDateTimeField(required=False)
    cursor = serializers.CharField(required=False)
    limit = serializers.IntegerField(required=False)

    def validate_types(self, value: str) -> list[str]:
        types = [part.strip() for part in value.split(",") if part.strip()]
        unknown = [name for name in types if name not in EventType.values]
        if unknown:
            raise serializers.ValidationError(f"Unknown event types: {', '.join(unknown)}.")
        return types

    def validate(self, attrs):
        if attrs.get("since") and attrs.get("until") and attrs["since"] >= attrs["until"]:
            raise serializers.ValidationError({"until": ["Must be later than since."]})
        return attrs


class EventInput(StrictSerializer):
    """One event of a POST /events/ batch: its profile by `profile`, by `email` + `database`,
    or only a `visitor` id for an anonymous visitor (P14)."""

    type = serializers.ChoiceField(choices=INGESTIBLE_TYPES)
    ts = AwareDateTimeField(required=False)
    profile = serializers.IntegerField(required=False, min_value=1)
    email = serializers.CharField(required=False, max_length=254)
    database = serializers.IntegerField(required=False, min_value=1)
    visitor = serializers.CharField(required=False, max_length=64)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    resource = serializers.IntegerField(required=False, min_value=1)
    data = serializers.DictField(required=False)
    key = serializers.CharField(required=False, max_length=200)

    def validate_ts(self, value):
        if value > timezone.now() + MAX_AHEAD:
            raise serializers.ValidationError("Must not be more than a day in the future.")
        return value

    def validate_data(self, value: dict) -> dict:
        size = len(json.dumps(value).encode())
        if size > MAX_DATA_BYTES:
            raise serializers.ValidationError(f"Is {size} bytes; the limit is {MAX_DATA_BYTES}.")
        if value.get("ip") not in (None, "") and not _is_ip_address(value["ip"]):
            # G2: the IP becomes the profile's tracked IP.
            raise serializers.ValidationError({"ip": ["Enter a valid IPv4 or IPv6 address."]})
        return value

    def validate(self, attrs):
        if "profile" in attrs:
            if "email" in attrs:
                raise serializers.ValidationError({"email": ["Give profile or email, not both."]})
        elif "email" in attrs:
            if "database" not in attrs:
                raise serializers.ValidationError({"database": ["Required with email."]})
        elif "visitor" not in attrs:
            raise serializers.ValidationError(
                {"profile": ["Name the profile (profile, or email + database) or a visitor."]}
            )
        return attrs


def _is_ip_address(value) -> bool:
    if not isinstance(value, str):
        return False  # ipaddress would take the number 5 for 0.0.0.5
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


class EventBatch(serializers.Serializer):
    events = serializers.ListField(child=serializers.JSONField(), allow_empty=False)


class IngestResult(serializers.Serializer):
    accepted = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.DictField())


class ChannelSummary(serializers.Serializer):
    sent = serializers.BooleanField()
    delivered = serializers.BooleanField()
    opened = serializers.BooleanField()
    clicked = serializers.BooleanField()
    seen = serializers.BooleanField()
    replied = serializers.BooleanField()


MessageSummary = type(
    "MessageSummary",
    (serializers.Serializer,),
    {channel: ChannelSummary() for channel in Channel.values},
)
