"""Market API shapes (D3)."""

from rest_framework import serializers

from config.serializers import AwareDateTimeField, StrictSerializer
from imports.api.serializers import ImportItemResult

from ..models import Order, OrderLine, OrderStatus, Product
from ..services import MAX_BATCH


class ProductSerializer(serializers.ModelSerializer):
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)

    class Meta:
        model = Product
        fields = ["id", "sku", "name", "price", "currency", "is_active", "created_at", "updated_at"]
        extra_kwargs = {"sku": {"validators": []}}  # uniqueness is the service's rule


class OrderLineSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku")
    name = serializers.CharField(source="product.name")
    total = serializers.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        model = OrderLine
        fields = ["sku", "name", "quantity", "price", "total"]


class OrderSerializer(serializers.ModelSerializer):
    lines = OrderLineSerializer(many=True)

    class Meta:
        model = Order
        fields = [
            "id", "profile", "external_id", "status", "currency", "total", "ordered_at", "lines",
            "created_at", "updated_at",
        ]  # fmt: skip


class OrderLineInput(StrictSerializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)
    price = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )


class OrderInput(StrictSerializer):
    external_id = serializers.CharField(max_length=100)
    profile = serializers.IntegerField(min_value=1, required=False)
    email = serializers.EmailField(required=False)
    database = serializers.IntegerField(min_value=1, required=False)
    status = serializers.ChoiceField(choices=OrderStatus.choices, required=False)
    currency = serializers.RegexField(r"^[A-Z]{3}\Z", required=False)
    ordered_at = AwareDateTimeField(required=False)
    lines = OrderLineInput(many=True, allow_empty=False, max_length=500)

    def validate(self, attrs):
        if not attrs.get("profile") and not (attrs.get("email") and attrs.get("database")):
            raise serializers.ValidationError(
                {"profile": ["Name the profile by id, or by email and database."]}
            )
        return attrs


class OrderBatchInput(StrictSerializer):
    orders = serializers.ListField(
        child=serializers.DictField(), allow_empty=False, max_length=MAX_BATCH
    )


class OrderImportAnswer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    failed = serializers.IntegerField()
    results = ImportItemResult(many=True)  # the same per-item shape as the profile import
