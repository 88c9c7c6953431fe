"""Profile API shapes (API.md "Profiles"). Input serializers check types; database rules
(uniqueness, custom field values, E.164) are the services' job."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.serializers import StrictSerializer

from ..models import CustomField, FieldType, Gender, Profile, ProfileDatabase, Status
from ..validators import check_timezone, normalize_country

GROUPS = {
    "registration": ("date", "ip", "city", "country", "link", "provider"),
    "tracked": ("ip", "city", "country", "region", "postcode", "timezone", "latitude", "longitude"),
    "utm": ("source", "medium", "campaign", "term", "content"),
}
READ_ONLY_KEYS = ("id", "database", "md5", "xxh", "avatar", "created_at", "updated_at")
_DATETIME = serializers.DateTimeField()


class DatabaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProfileDatabase
        fields = ["id", "name", "description", "created_at", "updated_at"]
        extra_kwargs = {"name": {"validators": []}}  # uniqueness is the service's rule


class FieldSerializer(serializers.ModelSerializer):
    type = serializers.ChoiceField(choices=FieldType.choices)
    options = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=1000
    )
    default = serializers.JSONField(required=False, allow_null=True)

    class Meta:
        model = CustomField
        fields = [
            "id",
            "name",
            "title",
            "type",
            "options",
            "required",
            "unique",
            "default",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"name": {"validators": []}}


class RegistrationInput(StrictSerializer):
    date = serializers.DateTimeField(required=False, allow_null=True)
    ip = serializers.IPAddressField(required=False, allow_null=True, allow_blank=True)
    city = serializers.CharField(required=False, allow_blank=True, max_length=200)
    country = serializers.CharField(required=False, allow_blank=True)
    link = serializers.URLField(required=False, allow_blank=True, max_length=2000)
    provider = serializers.CharField(required=False, allow_blank=True, max_length=200)

    def validate_country(self, value: str) -> str:
        return normalize_country(value)


class TrackedInput(StrictSerializer):
    ip = serializers.IPAddressField(required=False, allow_null=True, allow_blank=True)
    city = serializers.CharField(required=False, allow_blank=True, max_length=200)
    country = serializers.CharField(required=False, allow_blank=True)
    region = serializers.CharField(required=False, allow_blank=True, max_length=200)
    postcode = serializers.CharField(required=False, allow_blank=True, max_length=32)
    timezone = serializers.CharField(required=False, allow_blank=True, max_length=64)
    latitude = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    longitude = serializers.FloatField(
        required=False, allow_null=True, min_value=-180, max_value=180
    )

    def validate_country(self, value: str) -> str:
        return normalize_country(value)

    def validate_timezone(self, value: str) -> str:
        return check_timezone(value)


class UtmInput(StrictSerializer):
    source = serializers.CharField(required=False, allow_blank=True, max_length=255)
    medium = serializers.CharField(required=False, allow_blank=True, max_length=255)
    campaign = serializers.CharField(required=False, allow_blank=True, max_length=255)
    term = serializers.CharField(required=False, allow_blank=True, max_length=255)
    content = serializers.CharField(required=False, allow_blank=True, max_length=255)


class ProfileInput(StrictSerializer):
    """A profile to create or the keys to change. `fields` holds custom values (JSON types);
    on PATCH it merges key by key and `null` clears a key."""

    email = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=254)
    phones = serializers.ListField(
        child=serializers.CharField(max_length=64, allow_blank=True), required=False, max_length=20
    )
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    is_test = serializers.BooleanField(required=False)
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    middle_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    birthday = serializers.DateField(required=False, allow_null=True)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, allow_blank=True)
    registration = RegistrationInput(required=False)
    tracked = TrackedInput(required=False)
    utm = UtmInput(required=False)
    fields = serializers.DictField(child=serializers.JSONField(allow_null=True), required=False)

    class Meta:
        ignored_keys = READ_ONLY_KEYS

    def to_columns(self) -> dict:
        """The validated data as Profile column values, as the services take them."""
        columns = dict(self.validated_data)
        for group in GROUPS:
            for key, value in columns.pop(group, {}).items():
                if key in NULLABLE:
                    columns[f"{group}_{key}"] = value if value != "" else None
                else:
                    columns[f"{group}_{key}"] = value or ""
        return columns


class ProfileCreateInput(ProfileInput):
    """A profile to create; `detect_geo` is an instruction, not a column."""

    detect_geo = serializers.BooleanField(
        default=False,
        help_text="Fill registration city and country from registration.ip where not given (G2).",
    )

    def to_columns(self) -> dict:
        columns = super().to_columns()
        del columns["detect_geo"]
        return columns


# Columns stored as NULL when empty; in the representation only `ip` turns NULL into "".
NULLABLE = {"date", "ip", "latitude", "longitude"}


class ProfileSerializer(serializers.ModelSerializer):
    """The profile representation of API.md: every key always present."""

    registration = serializers.SerializerMethodField()
    tracked = serializers.SerializerMethodField()
    utm = serializers.SerializerMethodField()
    email = serializers.CharField()
    avatar = serializers.ImageField(read_only=True, use_url=True)

    class Meta:
        model = Profile
        fields = [
            "id",
            "database",
            "md5",
            "xxh",
            "status",
            "is_test",
            "email",
            "phones",
            "first_name",
            "last_name",
            "middle_name",
            "birthday",
            "gender",
            "registration",
            "tracked",
            "utm",
            "fields",
            "avatar",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, profile: Profile) -> dict:
        """What DRF's field-by-field walk gives (tests/profiles/test_api_representation.py
        holds the two equal), written out: building and walking 20 field objects was most of
        a profile GET's time (issue 10, HTTP throughput)."""
        return {
            "id": profile.pk,
            "database": profile.database_id,
            "md5": profile.md5,
            "xxh": profile.xxh,
            "status": profile.status,
            "is_test": profile.is_test,
            "email": profile.email,
            "phones": profile.phones,
            "first_name": profile.first_name,
            "last_name": profile.last_name,
            "middle_name": profile.middle_name,
            "birthday": profile.birthday.isoformat() if profile.birthday else None,
            "gender": profile.gender,
            "registration": self._group(profile, "registration"),
            "tracked": self._group(profile, "tracked"),
            "utm": self._group(profile, "utm"),
            "fields": profile.fields,
            "avatar": self._avatar_url(profile),
            "created_at": _datetime(profile.created_at),
            "updated_at": _datetime(profile.updated_at),
        }

    def _avatar_url(self, profile: Profile) -> str | None:
        if not profile.avatar:
            return None
        request = self.context.get("request")
        url = profile.avatar.url
        return request.build_absolute_uri(url) if request is not None else url

    def _group(self, profile: Profile, group: str) -> dict:
        values = {key: getattr(profile, f"{group}_{key}") for key in GROUPS[group]}
        if group == "registration" and values["date"] is not None:
            values["date"] = _DATETIME.to_representation(values["date"])
        if "ip" in values and values["ip"] is None:
            values["ip"] = ""
        return values

    @extend_schema_field(RegistrationInput)
    def get_registration(self, profile: Profile) -> dict:
        return self._group(profile, "registration")

    @extend_schema_field(TrackedInput)
    def get_tracked(self, profile: Profile) -> dict:
        return self._group(profile, "tracked")

    @extend_schema_field(UtmInput)
    def get_utm(self, profile: Profile) -> dict:
        return self._group(profile, "utm")


def _datetime(value):
    return _DATETIME.to_representation(value) if value is not None else None
