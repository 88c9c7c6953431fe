"""Web layer API shapes: form definitions (D2) and pixels (D4)."""

from rest_framework import serializers

from config.serializers import StrictSerializer

from ..models import Form, Pixel


class FormInputSerializer(StrictSerializer):
    name = serializers.RegexField(r"^[A-Za-z][A-Za-z0-9_-]{0,63}\Z")
    label = serializers.CharField(max_length=200, required=False, default="")
    target = serializers.CharField(max_length=80)
    required = serializers.BooleanField(required=False, default=False)


class OriginsField(serializers.ListField):
    child = serializers.RegexField(r"^https?://[A-Za-z0-9.-]+(:\d+)?\Z", max_length=200)
    max_length = 50


class FormSerializer(serializers.ModelSerializer):
    inputs = FormInputSerializer(many=True, allow_empty=False)
    allowed_origins = OriginsField(required=False)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Form
        fields = [
            "id", "name", "slug", "database", "inputs", "resource", "channel", "update_utm",
            "allowed_origins", "success_message", "is_active", "url", "created_at", "updated_at",
        ]  # fmt: skip
        extra_kwargs = {"slug": {"validators": []}}

    def get_url(self, form: Form) -> str:
        return f"/f/{form.slug}/"


class PixelSerializer(serializers.ModelSerializer):
    allowed_origins = OriginsField(required=False)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Pixel
        fields = [
            "id", "name", "pixel_id", "database", "goal", "update_utm", "allowed_origins",
            "is_active", "url", "created_at",
        ]  # fmt: skip
        read_only_fields = ["pixel_id"]

    def get_url(self, pixel: Pixel) -> str:
        return f"/px/{pixel.pixel_id}.gif"
