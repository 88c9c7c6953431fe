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


class AwareDateTimeField(serializers.DateTimeField):
    """An RFC 3339 time that must carry its zone: a naive time is ambiguous, so it is refused
    rather than read in the server's zone."""

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        if isinstance(value, str) and not _has_zone(value):
            raise serializers.ValidationError("Give the time zone, e.g. 2026-05-01T10:00:00Z.")
        return parsed


def _has_zone(text: str) -> bool:
    text = text.strip()
    return text.endswith(("Z", "z")) or (len(text) > 6 and text[-6] in "+-" and text[-3] == ":")
