"""Loyalty API shapes: promo codes (D1) and programs (L1)."""

from rest_framework import serializers

from config.serializers import StrictSerializer

from ..models import Kind, Member, PointsTransaction, Program, PromoCode, PromoPool, Tier
from ..services.points import MAX_POINTS, MAX_REASON
from ..services.promo import MAX_CODES_PER_CALL


class PromoPoolSerializer(serializers.ModelSerializer):
    class Meta:
        model = PromoPool
        fields = ["id", "name", "description", "created_at"]
        extra_kwargs = {"name": {"validators": []}}


class PromoCodesInput(StrictSerializer):
    codes = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, max_length=MAX_CODES_PER_CALL
    )
    generate = serializers.IntegerField(min_value=1, max_value=MAX_CODES_PER_CALL, required=False)
    prefix = serializers.RegexField(r"^[A-Za-z0-9_-]{0,20}\Z", required=False, default="")
    length = serializers.IntegerField(min_value=6, max_value=32, required=False, default=10)

    def validate(self, attrs):
        if bool(attrs.get("codes")) == bool(attrs.get("generate")):
            raise serializers.ValidationError({"codes": ["Give either `codes` or `generate`."]})
        return attrs


class PromoCodeSerializer(serializers.ModelSerializer):
    state = serializers.CharField(read_only=True)

    class Meta:
        model = PromoCode
        fields = [
            "id", "pool", "code", "profile", "state", "attached_at", "activated_at", "detached_at",
        ]  # fmt: skip


class AssignInput(StrictSerializer):
    pool = serializers.PrimaryKeyRelatedField(queryset=PromoPool.objects.all())
    profile = serializers.IntegerField(min_value=1)
    code = serializers.CharField(max_length=64, required=False, default="")


class TierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tier
        fields = ["name", "threshold"]


class ProgramSerializer(serializers.ModelSerializer):
    tiers = TierSerializer(many=True, required=False)

    class Meta:
        model = Program
        fields = ["id", "name", "description", "is_active", "tiers", "created_at"]
        extra_kwargs = {"name": {"validators": []}}


class MemberSerializer(serializers.ModelSerializer):
    tier = serializers.CharField(source="tier.name", default="", read_only=True)

    class Meta:
        model = Member
        fields = ["id", "program", "profile", "tier", "balance", "earned", "enrolled_at"]


class EnrolInput(StrictSerializer):
    profile = serializers.IntegerField(min_value=1)


class TransactionSerializer(serializers.ModelSerializer):
    profile = serializers.IntegerField(source="member.profile_id", read_only=True)

    class Meta:
        model = PointsTransaction
        fields = ["id", "profile", "kind", "points", "balance", "reason", "promotion", "created_at"]


class TransactionInput(StrictSerializer):
    profile = serializers.IntegerField(min_value=1)
    kind = serializers.ChoiceField(choices=Kind.choices)
    points = serializers.IntegerField(min_value=-MAX_POINTS, max_value=MAX_POINTS)
    reason = serializers.CharField(max_length=MAX_REASON, required=False, default="")
