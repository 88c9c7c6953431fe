"""API import shapes (API.md `POST /api/v1/databases/{id}/profiles/import/`)."""

from rest_framework import serializers

from config.serializers import StrictSerializer
from profiles.api.serializers import READ_ONLY_KEYS, ProfileInput
from subscriptions.models import Channel

from ..models import Result

MAX_ITEMS = 1_000
MAX_SUBSCRIPTIONS = 20


class SubscriptionItem(StrictSerializer):
    resource = serializers.IntegerField(min_value=1)
    channel = serializers.ChoiceField(choices=Channel.choices)
    contact = serializers.CharField(
        required=False, allow_blank=True, max_length=254,
        help_text="Defaults to the profile's email (email) or first phone (sms, whatsapp, viber).",
    )  # fmt: skip
    categories = serializers.DictField(child=serializers.BooleanField(), required=False)
    fields = serializers.DictField(child=serializers.JSONField(allow_null=True), required=False)


class ImportItem(ProfileInput):
    """A profile to upsert: the keys of a profile, `id` when matching by id, and the
    subscriptions to add."""

    id = serializers.IntegerField(required=False, min_value=1, help_text="For matching by id.")
    subscriptions = SubscriptionItem(many=True, required=False, max_length=MAX_SUBSCRIPTIONS)

    class Meta:
        ignored_keys = tuple(key for key in READ_ONLY_KEYS if key != "id")

    def to_columns(self) -> dict:
        columns = super().to_columns()
        columns["subscriptions"] = [dict(item) for item in columns.get("subscriptions", [])]
        return columns


class ImportRequest(StrictSerializer):
    matching = serializers.CharField(
        default="email", help_text="email, phone, id or field:<name> of a unique custom field."
    )
    detect_geo = serializers.BooleanField(
        default=True, help_text="Fill registration city and country from registration.ip (G2)."
    )
    skip_existing = serializers.BooleanField(
        default=False, help_text="Leave profiles that exist as they are."
    )
    segment = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        max_length=200,
        help_text="Put the created and updated profiles into a new static segment of this name.",
    )
    profiles = serializers.ListField(
        child=serializers.JSONField(), allow_empty=False, max_length=MAX_ITEMS,
        help_text=f"Up to {MAX_ITEMS} profiles, each shaped as ImportItem.",
    )  # fmt: skip


class ImportItemResult(serializers.Serializer):
    index = serializers.IntegerField()
    result = serializers.ChoiceField(choices=["created", "updated", "skipped", "error"])
    id = serializers.IntegerField(allow_null=True)
    errors = serializers.DictField()


class ImportAnswer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    skipped = serializers.IntegerField()
    failed = serializers.IntegerField()
    job = serializers.IntegerField(help_text="The import's log: its report and undo.")
    segment = serializers.IntegerField(
        allow_null=True, help_text="The static segment made of the import's profiles, if asked."
    )
    results = ImportItemResult(many=True)


def item_result(row, merged_ids: dict[int, int | None]) -> dict:
    """One entry of `results`. A merged item is reported as skipped with the item it was
    merged into; a skipped item says why under `row`."""
    if row.result == Result.MERGED:
        reason = f"Merged into item {row.merged_into}, which has the same matching value."
        return {"index": row.number, "result": "skipped", "id": merged_ids.get(row.merged_into),
                "errors": {"row": [reason]}}  # fmt: skip
    result = "error" if row.result == Result.ERROR else row.result
    profile_id = None if result == "error" else row.profile_id
    return {"index": row.number, "result": result, "id": profile_id, "errors": row.errors}
