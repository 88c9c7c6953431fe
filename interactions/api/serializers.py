"""Shapes of the interactions API: segments (I1), triggers (I2), scenarios (I3), relations
(P16), identify and merge (P14). Rules that involve the database belong to the services."""

from rest_framework import serializers

from config.serializers import StrictSerializer
from profiles.models import Profile, ProfileDatabase

from ..models import (
    Participation,
    Relation,
    Scenario,
    ScenarioStep,
    Segment,
    StepKind,
    Trigger,
    TriggerSend,
)

MAX_MEMBERS_PER_CALL = 10_000


class SegmentSerializer(serializers.ModelSerializer):
    members = serializers.IntegerField(read_only=True, help_text="How many profiles it holds.")

    class Meta:
        model = Segment
        fields = ["id", "database", "name", "description", "members", "created_at"]
        read_only_fields = ["created_at"]
        # The name's uniqueness is the service's rule (its message names the field).
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        if isinstance(self.instance, Segment):  # a segment stays in its database
            fields["database"].read_only = True
        return fields


class MembersInput(StrictSerializer):
    profiles = serializers.ListField(
        child=serializers.IntegerField(min_value=1), allow_empty=False,
        max_length=MAX_MEMBERS_PER_CALL,
    )  # fmt: skip


class MembershipSerializer(serializers.Serializer):
    profile = serializers.IntegerField(source="profile_id")
    email = serializers.CharField(source="profile.email")
    added_at = serializers.DateTimeField()


class TriggerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Trigger
        fields = ["id", "name", "resource", "channel", "subject", "body", "event_type",
                  "is_marketing", "is_active", "created_at"]  # fmt: skip
        read_only_fields = ["created_at"]
        validators = []
        extra_kwargs = {"name": {"validators": []}}


class ProfileInput(StrictSerializer):
    profile = serializers.PrimaryKeyRelatedField(queryset=Profile.objects.all())


class TriggerSendSerializer(serializers.ModelSerializer):
    class Meta:
        model = TriggerSend
        fields = ["id", "trigger", "profile", "status", "reason", "contact", "created_at",
                  "sent_at"]  # fmt: skip


class StepSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=StepKind.choices)

    class Meta:
        model = ScenarioStep
        fields = ["position", "kind", "wait_seconds", "trigger", "segment", "result"]
        read_only_fields = ["position"]


class ScenarioSerializer(serializers.ModelSerializer):
    steps = StepSerializer(many=True)

    class Meta:
        model = Scenario
        fields = ["id", "name", "description", "is_active", "steps", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {"name": {"validators": []}}


class ParticipationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Participation
        fields = ["id", "scenario", "profile", "status", "current_step", "next_run_at",
                  "result", "entered_at", "finished_at"]  # fmt: skip


class RelationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Relation
        fields = ["id", "type", "from_profile", "to_profile", "created_at"]
        read_only_fields = ["created_at"]
        validators = []


class IdentifyInput(StrictSerializer):
    visitor = serializers.CharField(max_length=64)
    database = serializers.PrimaryKeyRelatedField(queryset=ProfileDatabase.objects.all())
    email = serializers.CharField(required=False, default="", allow_blank=True, max_length=254)
    phone = serializers.CharField(required=False, default="", allow_blank=True, max_length=40)
    profile = serializers.IntegerField(required=False, min_value=1)


class IdentifyAnswer(serializers.Serializer):
    profile = serializers.IntegerField()
    attached = serializers.IntegerField(help_text="Anonymous events now the profile's.")
    merged = serializers.ListField(child=serializers.IntegerField())


class MergeInput(StrictSerializer):
    winner = serializers.PrimaryKeyRelatedField(queryset=Profile.objects.all())
    loser = serializers.PrimaryKeyRelatedField(queryset=Profile.objects.all())
