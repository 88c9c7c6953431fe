"""Serializer behaviour shared by every app's API."""

from rest_framework import serializers


class StrictSerializer(serializers.Serializer):
    """Rejects keys it does not know, so a typo answers 400 instead of being silently dropped.
    Keys listed in `Meta.ignored_keys` (read-only keys a client may echo back) pass."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            ignored = set(getattr(getattr(self, "Meta", None), "ignored_keys", ()))
            unknown = set(data) - set(self.fields) - ignored
            if unknown:
                raise serializers.ValidationError(
                    {key: ["Unknown field."] for key in sorted(unknown)}
                )
        return super().to_internal_value(data)
