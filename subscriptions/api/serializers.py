"""Resource and subscription API shapes (API.md "Resources and subscriptions")."""

from rest_framework import serializers

from config.serializers import StrictSerializer
from profiles.api.serializers import FieldSerializer
from profiles.models import Status

from ..models import Channel, Resource, Subscription, SubscriptionField, Suppression
from ..services import DEVICE_FIELDS


class ResourceSerializer(serializers.ModelSerializer):
    channels = serializers.ListField(child=serializers.ChoiceField(choices=Channel.choices))
    categories = serializers.ListField(
        child=serializers.CharField(max_length=63), required=False, max_length=100
    )

    class Meta:
        model = Resource
        fields = ["id", "name", "channels", "categories", "auto_priority", "double_opt_in",
                  "created_at", "updated_at"]  # fmt: skip
        extra_kwargs = {"name": {"validators": []}}  # uniqueness is the service's rule


class SubscriptionFieldSerializer(FieldSerializer):
    class Meta(FieldSerializer.Meta):
        model = SubscriptionField
        fields = ["id", "name", "title", "type", "options", "required", "default", "created_at"]


class DeviceSerializer(StrictSerializer):
    device_type = serializers.CharField(required=False, allow_blank=True, max_length=16)
    device_model = serializers.CharField(required=False, allow_blank=True, max_length=100)
    device_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    platform = serializers.CharField(required=False, allow_blank=True, max_length=50)
    platform_version = serializers.CharField(required=False, allow_blank=True, max_length=50)
    timezone = serializers.CharField(required=False, allow_blank=True, max_length=64)
    language = serializers.CharField(required=False, allow_blank=True, max_length=35)
    ad_tracking_allowed = serializers.BooleanField(required=False, allow_null=True)
    ad_id = serializers.CharField(required=False, allow_blank=True, max_length=100)
    app_id = serializers.CharField(required=False, allow_blank=True, max_length=200)
    app_install_id = serializers.CharField(required=False, allow_blank=True, max_length=200)
    app_version = serializers.CharField(required=False, allow_blank=True, max_length=50)
    browser = serializers.CharField(required=False, allow_blank=True, max_length=50)
    browser_version = serializers.CharField(required=False, allow_blank=True, max_length=50)


class SubscriptionSerializer(serializers.ModelSerializer):
    """The representation of API.md; `device` holds the standard device fields (S2)."""

    resource = serializers.PrimaryKeyRelatedField(read_only=True)
    device = serializers.SerializerMethodField()

    class Meta:
        model = Subscription
        fields = ["id", "profile", "resource", "channel", "contact", "status", "priority",
                  "categories", "device", "fields", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = fields

    def get_device(self, subscription: Subscription) -> dict:
        return {key: getattr(subscription, key) for key in DEVICE_FIELDS}


class SubscriptionInput(StrictSerializer):
    """A subscription to add (POST) or the keys to change (PATCH)."""

    resource = serializers.PrimaryKeyRelatedField(queryset=Resource.objects.all())
    channel = serializers.ChoiceField(choices=Channel.choices)
    contact = serializers.CharField(max_length=255)
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    priority = serializers.IntegerField(required=False, min_value=0, max_value=1_000_000)
    categories = serializers.DictField(child=serializers.BooleanField(), required=False)
    fields = serializers.DictField(child=serializers.JSONField(allow_null=True), required=False)
    device = DeviceSerializer(required=False)
    user_agent = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    class Meta:
        ignored_keys = ("id", "profile", "created_at", "updated_at")


class SubscriptionChange(SubscriptionInput):
    """PATCH: resource, channel and contact identify a subscription and cannot change."""

    class Meta:
        ignored_keys = ("id", "profile", "created_at", "updated_at", "resource", "channel",
                        "contact", "user_agent")  # fmt: skip

    def get_fields(self):
        fields = super().get_fields()
        for name in ("resource", "channel", "contact", "user_agent"):
            fields.pop(name)
        return fields


class ConfirmationLinkSerializer(serializers.Serializer):
    url = serializers.URLField()
    expires_at = serializers.DateTimeField()


class DeliveryTargetQuery(StrictSerializer):
    resource = serializers.PrimaryKeyRelatedField(queryset=Resource.objects.all())
    channel = serializers.ChoiceField(choices=Channel.choices)
    marketing = serializers.BooleanField(
        required=False, default=True,
        help_text="false for a transactional message, which the control group still gets.",
    )  # fmt: skip


class DeliveryTargetSerializer(serializers.Serializer):
    subscription = serializers.IntegerField(allow_null=True)
    contact = serializers.CharField(allow_null=True)
    reason = serializers.CharField(required=False)


class SuppressionSerializer(serializers.ModelSerializer):
    channel = serializers.ChoiceField(choices=Channel.choices)

    class Meta:
        model = Suppression
        fields = ["id", "channel", "contact", "reason", "created_at"]
        read_only_fields = ["id", "created_at"]
        validators = []  # uniqueness: suppressing twice answers the existing entry
