"""Profile databases (P1), custom field definitions (P3) and profiles (P2, P4-P6)."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from config.indexes import HashOnPostgres


class Status(models.TextChoices):
    """Global status (P5), shared with subscriptions. Only `subscribed` may be messaged."""

    SUBSCRIBED = "subscribed"
    UNSUBSCRIBED = "unsubscribed"
    COMPLAINER = "complainer"
    HARD_BOUNCED = "hard_bounced"
    UNCONFIRMED = "unconfirmed"
    SUSPENDED = "suspended"
    INVALID = "invalid"


class Gender(models.TextChoices):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"


class FieldType(models.TextChoices):
    NUMBER = "number"
    FLOAT = "float"
    LINE = "line"
    DATE = "date"
    BOOLEAN = "boolean"
    ENUM = "enum"
    IP = "ip"
    TAGS = "tags"


class ProfileDatabase(models.Model):
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "profile database"

    def __str__(self) -> str:
        return self.name


field_name_validator = RegexValidator(
    r"^[a-z][a-z0-9_]*\Z",
    "Enter a name of lower-case letters, digits and underscores, starting with a letter.",
)


class FieldDefinition(models.Model):
    """What the custom-field registry (`profiles/fields.py`) reads of a field: its name, type,
    options, required flag and default. Profile databases and resources (subscription
    fields) both define fields this way."""

    name = models.CharField(max_length=63, validators=[field_name_validator])
    title = models.CharField(max_length=200, blank=True)
    type = models.CharField(max_length=16, choices=FieldType.choices)
    options = models.JSONField(default=list, blank=True, help_text="Allowed values (enum only).")
    required = models.BooleanField(default=False)
    default = models.JSONField(
        null=True, blank=True, help_text="Stored on new records without a value."
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class LiveFieldManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class CustomField(FieldDefinition):
    """A custom field of one database; its values live in `Profile.fields` under `name`.

    Deleting a field hides it at once (`deleted_at`) and a task removes its values from every
    profile before the row goes; until then its name stays taken, so a new field of the same
    name never meets the old values.
    """

    database = models.ForeignKey(ProfileDatabase, on_delete=models.CASCADE, related_name="fields")
    unique = models.BooleanField(
        default=False, help_text="Unique within the database; usable for matching."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = LiveFieldManager()
    all_objects = models.Manager()  # noqa: DJ012 (ruff takes this manager for a field)

    class Meta:
        base_manager_name = "all_objects"
        ordering = ["database_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["database", "name"], name="profiles_customfield_name_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.database_id}:{self.name}"

    @property
    def unique_index_name(self) -> str:
        """Name of the partial expression index that enforces `unique` in the database."""
        return f"profiles_cf_uniq_{self.pk}"


class Profile(models.Model):
    """One person in one database. `id` is the global profile_id (P4)."""

    # No index of its own: the (database, id) index below serves every lookup by database, and
    # each index more costs every insert of a million-row import.
    database = models.ForeignKey(
        ProfileDatabase, on_delete=models.PROTECT, related_name="profiles", db_index=False
    )
    # Digests of the profile_id, filled by the service right after the insert gives the id
    # (NULL for that instant). Indexed by hash in Meta, not `unique=True`: lookups by digest
    # are exact, and a digest of a unique id with a secret salt is unique in practice.
    md5 = models.CharField("MD5", max_length=32, null=True, editable=False)  # noqa: DJ001
    xxh = models.CharField("XXH", max_length=16, null=True, editable=False)  # noqa: DJ001
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBSCRIBED)
    is_test = models.BooleanField("test subscriber", default=False)
    in_control_group = models.BooleanField(
        "in the global control group", default=False, editable=False,
        help_text="Held out of marketing sends (P13); set from the xxh identifier.",
    )  # fmt: skip

    email = models.CharField(max_length=254, null=True)  # noqa: DJ001 (see constraint below)
    phones = models.JSONField(default=list, blank=True, help_text="E.164 numbers, primary first.")

    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    middle_name = models.CharField(max_length=150, blank=True)
    birthday = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=8, choices=Gender.choices, blank=True)

    registration_date = models.DateTimeField(null=True, blank=True)
    registration_ip = models.GenericIPAddressField(null=True, blank=True)
    registration_city = models.CharField(max_length=200, blank=True)
    registration_country = models.CharField(max_length=2, blank=True)
    registration_link = models.URLField(max_length=2000, blank=True)
    registration_provider = models.CharField(max_length=200, blank=True)

    tracked_ip = models.GenericIPAddressField(null=True, blank=True)
    tracked_city = models.CharField(max_length=200, blank=True)
    tracked_country = models.CharField(max_length=2, blank=True)
    tracked_region = models.CharField(max_length=200, blank=True)
    tracked_postcode = models.CharField(max_length=32, blank=True)
    tracked_timezone = models.CharField(max_length=64, blank=True)
    tracked_latitude = models.FloatField(null=True, blank=True)
    tracked_longitude = models.FloatField(null=True, blank=True)

    utm_source = models.CharField(max_length=255, blank=True)
    utm_medium = models.CharField(max_length=255, blank=True)
    utm_campaign = models.CharField(max_length=255, blank=True)
    utm_term = models.CharField(max_length=255, blank=True)
    utm_content = models.CharField(max_length=255, blank=True)

    avatar = models.ImageField(upload_to="avatars/%Y/%m/", blank=True)
    fields = models.JSONField(default=dict, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        # A2: exporting personal data is a right of its own, on top of view_profile.
        permissions = [("export_profile", "Can export profile data")]
        constraints = [
            # P4: email unique per database whatever its case; NULL only between insert and
            # the placeholder update inside create_profile.
            models.UniqueConstraint(
                Lower("email"), "database", name="profiles_profile_email_ci_uniq"
            ),
        ]
        indexes = [
            # The database's profile list, keyset-paginated by id.
            models.Index(fields=["database", "id"], name="profiles_profile_db_id"),
            # The status filter of the profile list, newest first (one backward scan for a
            # page of a rare status). Most profiles are subscribed: those are left out, so
            # that their inserts skip it, and a page of them is read off (database, id).
            models.Index(
                fields=["database", "status", "id"],
                name="profiles_profile_db_status_id",
                condition=~Q(status=Status.SUBSCRIBED),
            ),
            # P4: the digests identify a profile across databases (quick search, links).
            HashOnPostgres(fields=["md5"], name="profiles_profile_md5"),
            HashOnPostgres(fields=["xxh"], name="profiles_profile_xxh"),
        ]
        # PostgreSQL also gets GIN indexes on `fields` and `phones` (migration 0002).

    def __str__(self) -> str:
        return f"#{self.pk} {self.email or ''}".strip()


class TabLayout(models.Model):
    """How the profile page of one database lays out its tabs (P9): the fields of the Main
    tab, the tab opened by default and the staff's own tabs. `profiles/tabs.py` reads and
    writes it; a database without a row uses the defaults there."""

    database = models.OneToOneField(
        ProfileDatabase, on_delete=models.CASCADE, related_name="tab_layout"
    )
    main_fields = models.JSONField(default=list, blank=True, help_text="Field keys, in order.")
    default_tab = models.CharField(max_length=40, default="main")
    # [{"key": "custom-1", "title": "Loyalty", "fields": ["email", "fields.tariff"]}, ...]
    custom_tabs = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"tab layout of database {self.database_id}"
