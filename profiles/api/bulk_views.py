"""X5 by API: set one field on every profile of a database matching the list's filters."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.permissions import ModelPermissions
from config.serializers import StrictSerializer

from .. import bulk
from ..models import Profile
from .filters import ProfileFilter
from .views import DatabaseScoped


class ChangePermission(ModelPermissions):
    """A bulk update edits profiles: `change_profile`, as a PATCH of one would."""

    perms_map = {**ModelPermissions.perms_map, "POST": ["%(app_label)s.change_%(model_name)s"]}


class BulkUpdateInput(StrictSerializer):
    """Which profiles (the list's filters), which field, and its new value."""

    filter = serializers.DictField(
        child=serializers.JSONField(),
        help_text='The profile list\'s filters, e.g. {"status": "subscribed", "q": '
        '"tariff:pro"}; {} matches every profile of the database.',
    )
    field = serializers.CharField(
        max_length=100, help_text="A standard column (status, registration_city, ...) or a "
        "custom field name; not email nor a unique custom field."
    )  # fmt: skip
    value = serializers.JSONField(allow_null=True, help_text="null clears the field.")

    def validate_filter(self, value: dict) -> dict:
        unknown = sorted(set(value) - set(ProfileFilter.base_filters))
        if unknown:
            known = ", ".join(ProfileFilter.base_filters)
            message = f"Unknown filters: {', '.join(unknown)}; use {known}."
            raise serializers.ValidationError(message)
        return value


class DatabaseProfileBulkUpdate(DatabaseScoped, APIView):
    queryset = Profile.objects.none()
    permission_classes = [ChangePermission]

    @extend_schema(
        summary="Set one field on every matching profile (X5)",
        description=f"Up to {bulk.ASYNC_THRESHOLD:,} matching profiles are updated at once "
        "(200 with the counts); more are updated by a background task (202 with its id). "
        "Each changed profile gets a profile_updated (or status_changed) event.",
        request=BulkUpdateInput,
        responses={
            200: inline_serializer(
                "BulkUpdateResult",
                {"matched": serializers.IntegerField(), "updated": serializers.IntegerField()},
            ),
            202: inline_serializer(
                "BulkUpdateQueued",
                {"matched": serializers.IntegerField(), "task_id": serializers.CharField()},
            ),
        },
    )
    def post(self, request, id: int):
        payload = BulkUpdateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        result = bulk.start_bulk_update(
            database=self.database,
            filters=payload.validated_data["filter"],
            field=payload.validated_data["field"],
            value=payload.validated_data["value"],
            actor=request.user,
        )
        if result.task_id is not None:
            body = {"matched": result.matched, "task_id": result.task_id}
            return Response(body, status=status.HTTP_202_ACCEPTED)
        return Response({"matched": result.matched, "updated": result.updated})
