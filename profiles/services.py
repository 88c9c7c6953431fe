"""Writes on databases, custom fields and profiles. Every edge (API, admin, commands, import)
calls these; none saves these models itself."""

import copy
import hashlib
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

import xxhash
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import Action
from audit.services import listed_ids, record_action
from config.exceptions import InvalidInput
from history import services as history
from history.models import EventType, ImportSource
from interactions import control_group

from . import fields as registry
from . import geoip, storage
from .contacts import normalize_email, normalize_phones, placeholder_email
from .models import CustomField, FieldDefinition, FieldType, Profile, ProfileDatabase

# Every key of the profile representation, and the columns behind it: a custom field may not
# take one of these names (P3).
STANDARD_FIELD_NAMES = frozenset(
    {"id", "profile_id", "database", "md5", "xxh", "status", "is_test", "email", "phone", "phones"}
    | {"registration", "tracked", "utm", "fields", "avatar", "created_at", "updated_at"}
    | {f.name for f in Profile._meta.concrete_fields}
    | {"gcg", "control_group", "visitor", "subscriptions", "history"}
)
UNIQUE_INDEX_NAME = re.compile(r"profiles_cf_uniq_(\d+)")
EMAIL_CONSTRAINT = "profiles_profile_email_ci_uniq"
PURGE_BATCH_SIZE = 10_000


# Databases (P1)


@transaction.atomic
def create_database(*, name: str, description: str = "") -> ProfileDatabase:
    _check_database_name(name)
    database = ProfileDatabase.objects.create(name=name, description=description)
    record_action(action=Action.CREATE, target=database)
    return database


@transaction.atomic
def update_database(*, database: ProfileDatabase, **changes: Any) -> ProfileDatabase:
    if "name" in changes and changes["name"] != database.name:
        _check_database_name(changes["name"], exclude=database.pk)
    for key, value in changes.items():
        setattr(database, key, value)
    database.save(update_fields=[*changes, "updated_at"])
    record_action(action=Action.CHANGE, target=database, changes={"fields": sorted(changes)})
    return database


@transaction.atomic
def delete_database(*, database: ProfileDatabase) -> None:
    """Deletes an empty database with its field definitions and their unique indexes; one
    that still holds profiles raises InvalidInput."""
    if database.profiles.exists():
        raise InvalidInput(
            {"database": ["This database still holds profiles; delete or move them first."]}
        )
    for field in CustomField.all_objects.filter(database=database, unique=True):
        storage.drop_unique_index(field)
    record_action(action=Action.DELETE, target=database)
    database.delete()


def _check_database_name(name: str, exclude: int | None = None) -> None:
    if ProfileDatabase.objects.filter(name=name).exclude(pk=exclude).exists():
        raise InvalidInput({"name": ["A profile database with this name already exists."]})


# Custom field definitions (P3)


@transaction.atomic
def create_field(*, database: ProfileDatabase, **attributes: Any) -> CustomField:
    field = CustomField(database=database, **attributes)
    _check_field_name(field)
    check_field_definition(field)
    field.save()
    if field.unique:
        _build_unique_index(field)
    record_action(action=Action.CREATE, target=field, changes={"database": field.database_id})
    return field


@transaction.atomic
def update_field(*, field: CustomField, **changes: Any) -> CustomField:
    """Change title, options, required, unique or default. Name and type are fixed: stored
    values depend on them."""
    errors = {
        key: ["This cannot be changed; create a new field."]
        for key in ("name", "type")
        if key in changes and changes[key] != getattr(field, key)
    }
    if errors:
        raise InvalidInput(errors)
    # Checked on a copy, so a refused change leaves the caller's object as stored.
    candidate = copy.copy(field)
    for key, value in changes.items():
        setattr(candidate, key, value)
    check_field_definition(candidate)
    _check_options_in_use(candidate, stored=field.options)
    candidate.save()
    if candidate.unique and not field.unique:
        _build_unique_index(candidate)
    elif field.unique and not candidate.unique:
        storage.drop_unique_index(candidate)
    record_action(action=Action.CHANGE, target=candidate, changes={"fields": sorted(changes)})
    return candidate


@transaction.atomic
def delete_field(*, field: CustomField) -> None:
    """Hide the field now; its values are removed from profiles by a task, in batches."""
    from .tasks import purge_field

    if field.unique:
        storage.drop_unique_index(field)
    field.deleted_at = timezone.now()
    field.save(update_fields=["deleted_at", "updated_at"])
    record_action(action=Action.DELETE, target=field, changes={"database": field.database_id})
    transaction.on_commit(lambda: purge_field.delay(field.pk))


def purge_field(*, field_id: int) -> int:
    """Remove a deleted field's values from every profile, then the field; return the count.
    Safe to run again: each batch only touches profiles that still hold the key."""
    field = CustomField.all_objects.filter(pk=field_id, deleted_at__isnull=False).first()
    if field is None:
        return 0
    removed = 0
    while True:
        with transaction.atomic():
            batch = storage.remove_values_batch(
                database_id=field.database_id, name=field.name, batch_size=PURGE_BATCH_SIZE
            )
        removed += batch
        if batch < PURGE_BATCH_SIZE:
            break
    field.delete()
    return removed


def _check_field_name(field: CustomField) -> None:
    if not re.fullmatch(r"[a-z][a-z0-9_]*", field.name or "") or len(field.name) > 63:
        raise InvalidInput(
            {
                "name": [
                    "Use 1-63 lower-case letters, digits and underscores, starting with a letter."
                ]
            }
        )
    if field.name in STANDARD_FIELD_NAMES:
        raise InvalidInput({"name": [f"{field.name!r} is a standard profile field name."]})
    taken = CustomField.all_objects.filter(database_id=field.database_id, name=field.name)
    if taken.filter(deleted_at__isnull=False).exists():
        raise InvalidInput({"name": ["A field of this name is being deleted; try again shortly."]})
    if taken.exists():
        raise InvalidInput({"name": ["This database already has a field with this name."]})


def check_field_definition(field: FieldDefinition) -> None:
    """Type, options, unique and default of a field definition fit together (P3)."""
    errors: dict[str, list[str]] = {}
    if field.type not in FieldType.values:
        raise InvalidInput({"type": [f"Choose one of: {', '.join(FieldType.values)}."]})
    spec = registry.FIELD_TYPES[FieldType(field.type)]
    if field.type == FieldType.ENUM:
        options = field.options
        if (
            not isinstance(options, list)
            or not options
            or not all(isinstance(option, str) and option.strip() for option in options)
        ):
            errors["options"] = ["An enum needs a list of non-empty text options."]
        elif len(set(options)) != len(options):
            errors["options"] = ["Options must not repeat."]
    elif field.options:
        errors["options"] = ["Only enum fields have options."]
    unique = getattr(field, "unique", False)  # subscription fields cannot be unique
    if unique and not spec.can_be_unique:
        errors["unique"] = [f"A {field.type} field cannot be unique."]
    if unique and field.default is not None:
        errors["default"] = ["A unique field cannot have a default: every profile would share it."]
    if field.default is not None and "options" not in errors:
        try:
            field.default = registry.clean_value(field, field.default)
        except registry.Invalid as error:
            errors["default"] = [str(error)]
    if errors:
        raise InvalidInput(errors)


def _check_options_in_use(field: CustomField, stored: list[str]) -> None:
    if field.type != FieldType.ENUM:
        return
    dropped = [option for option in stored if option not in field.options]
    lookup = {f"fields__{field.name}__in": dropped}
    if dropped and field.database.profiles.filter(**lookup).exists():
        raise InvalidInput({"options": [f"Options still used by profiles: {', '.join(dropped)}."]})


def _build_unique_index(field: CustomField) -> None:
    try:
        with transaction.atomic():
            storage.create_unique_index(field)
    except IntegrityError:
        shown = ", ".join(storage.duplicate_values(field))
        raise InvalidInput(
            {"unique": [f"Profiles already share values of this field: {shown}."]}
        ) from None


# Profiles (P2, P4-P6)


def field_definitions(database: ProfileDatabase) -> dict[str, CustomField]:
    return {field.name: field for field in database.fields.all()}


@transaction.atomic
def create_profile(
    *,
    database: ProfileDatabase,
    values: Mapping[str, Any],
    actor: AbstractBaseUser | None = None,
    source: ImportSource = ImportSource.MANUAL,
    detect_geo: bool = False,
) -> Profile:
    """Create a profile from standard column values plus `fields`; give it its identifiers
    (P4) and record its `import` event with `source`. With `detect_geo`, registration city
    and country are filled from the registration IP where the values leave them empty
    (`registration_geo`). Raises InvalidInput naming every bad field."""
    if detect_geo:
        values = registration_geo(values)
    profile = Profile(database=database)
    _apply_values(profile, values, field_definitions(database), is_new=True)
    _save_checking_uniques(profile)
    profile.md5, profile.xxh = profile_digests(profile.pk)
    profile.in_control_group = control_group.is_member(profile.xxh)
    if not profile.email:
        profile.email = placeholder_email(profile.pk)
    Profile.objects.filter(pk=profile.pk).update(
        md5=profile.md5, xxh=profile.xxh, email=profile.email,
        in_control_group=profile.in_control_group,
    )  # fmt: skip
    history.record(type=EventType.IMPORT, profile=profile, actor=actor, data={"source": source})
    if profile.in_control_group:
        history.record(type=EventType.GCG_ENTERED, profile=profile, actor=actor)
    record_action(
        action=Action.CREATE, target=profile, actor=actor,
        changes={"database": database.pk, "source": source},
    )  # fmt: skip
    return profile


@transaction.atomic
def update_profile(
    *,
    profile: Profile,
    values: Mapping[str, Any],
    actor: AbstractBaseUser | None = None,
) -> Profile:
    """Apply the given columns; `fields` merges key by key (None clears a key). A status
    change is recorded as `status_changed`, other changes as `profile_updated` with each
    changed name's old and new value. The profile is locked and read again first: `fields`
    and `phones` are merged and written whole, so a concurrent writer's change must be seen."""
    Profile.objects.select_for_update().filter(pk=profile.pk).values_list("pk").first()
    profile.refresh_from_db()
    changes = _apply_values(profile, values, field_definitions(profile.database), is_new=False)
    if changes:
        _save_checking_uniques(profile, update_fields=[*changes, "updated_at"])
        # The journal names what changed, never the values: they are personal data (A3).
        changed = sorted(set(changes) - {"fields"}) + sorted(
            _changed_keys(*changes.get("fields", ({}, {})))
        )
        record_action(
            action=Action.CHANGE, target=profile, actor=actor, changes={"fields": changed}
        )
        _record_changes(profile, changes, actor)
    return profile


@transaction.atomic
def delete_profile(*, profile: Profile, actor: AbstractBaseUser | None = None) -> None:
    """Delete the profile and, in bulk, its history (P8)."""
    history.delete_profile_events(profile_id=profile.pk)
    # Ids only: the person's data goes with the profile (P8).
    record_action(
        action=Action.DELETE, target=profile, actor=actor, changes={"database": profile.database_id}
    )
    profile.delete()


@transaction.atomic
def delete_profiles(*, ids: list[int]) -> int:
    """Delete many profiles with their history (P8) in a few statements; return how many."""
    history.delete_profiles_events(profile_ids=ids)
    deleted, by_model = Profile.objects.filter(pk__in=ids).delete()
    count = by_model.get(Profile._meta.label, 0)
    record_action(
        action=Action.DELETE, target_type=Profile._meta.label_lower,
        changes={**listed_ids(ids), "deleted": count},
    )  # fmt: skip
    return count


def _changed_keys(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return [f"fields.{name}" for name in set(old) | set(new) if old.get(name) != new.get(name)]


def _record_changes(profile: Profile, changes: dict[str, tuple], actor) -> None:
    if "status" in changes:
        old, new = changes.pop("status")
        history.record(
            type=EventType.STATUS_CHANGED, profile=profile, actor=actor,
            data={"old": old, "new": new},
        )  # fmt: skip
    if "fields" in changes:
        old, new = changes.pop("fields")
        for name in sorted(set(old) | set(new)):
            if old.get(name) != new.get(name):
                changes[f"fields.{name}"] = (old.get(name), new.get(name))
    if changes:
        described = {name: {"old": old, "new": new} for name, (old, new) in changes.items()}
        history.record(
            type=EventType.PROFILE_UPDATED, profile=profile, actor=actor,
            data={"changes": described},
        )  # fmt: skip


def profile_digests(profile_id: int) -> tuple[str, str]:
    """The md5 and xxh identifiers of a profile_id (P4): never derived from personal data."""
    seed = f"{settings.PROFILE_HASH_SALT}:{profile_id}".encode()
    return hashlib.md5(seed, usedforsecurity=False).hexdigest(), xxhash.xxh64_hexdigest(seed)


def _apply_values(
    profile: Profile,
    values: Mapping[str, Any],
    definitions: Mapping[str, CustomField],
    *,
    is_new: bool,
) -> dict[str, tuple[Any, Any]]:
    """Set normalised values on `profile`; return {column: (old, new)} of what changed."""
    errors: dict[str, Any] = {}
    cleaned = dict(values)
    if "email" in cleaned:
        try:
            cleaned["email"] = _clean_email(profile, cleaned["email"])
        except registry.Invalid as error:
            errors["email"] = [str(error)]
    if "phones" in cleaned:
        try:
            cleaned["phones"] = normalize_phones(cleaned["phones"] or [])
        except registry.Invalid as error:
            errors["phones"] = [str(error)]
    if "fields" in cleaned or is_new:
        try:
            cleaned["fields"] = registry.clean_fields(
                definitions, cleaned.get("fields") or {}, current=None if is_new else profile.fields
            )
        except InvalidInput as error:
            errors.update(error.errors)
    if errors:
        raise InvalidInput(errors)
    changes = {
        key: (getattr(profile, key), value)
        for key, value in cleaned.items()
        if getattr(profile, key) != value
    }
    for key, (_, new) in changes.items():
        setattr(profile, key, new)
    return changes


def _clean_email(profile: Profile, raw: str | None) -> str | None:
    placeholder = placeholder_email(profile.pk) if profile.pk else None
    if registry.is_empty(raw) or (placeholder and str(raw).strip().lower() == placeholder):
        return placeholder  # a client echoing the placeholder back changes nothing
    email = normalize_email(raw)
    duplicate = Profile.objects.filter(database_id=profile.database_id, email__lower=email.lower())
    if duplicate.exclude(pk=profile.pk).exists():
        raise registry.Invalid("Another profile of this database already has this email.")
    return email


def _save_checking_uniques(profile: Profile, update_fields: list[str] | None = None) -> None:
    """Save; a unique violation that slipped past the checks (a concurrent writer) becomes
    InvalidInput naming the field, not a 500."""
    try:
        with transaction.atomic():
            profile.save(update_fields=update_fields)
    except IntegrityError as error:
        raise InvalidInput(_unique_violation(profile, str(error))) from None


def _unique_violation(profile: Profile, message: str) -> dict[str, Any]:
    # By constraint name: PostgreSQL's message also quotes the indexed expression, which
    # for a custom field named e.g. `work_email` contains "email" too.
    if EMAIL_CONSTRAINT in message:
        return {"email": ["Another profile of this database already has this email."]}
    match = UNIQUE_INDEX_NAME.search(message)
    field = CustomField.all_objects.filter(pk=match.group(1)).first() if match else None
    if field is not None:
        return {"fields": {field.name: ["Another profile of this database has this value."]}}
    return {"non_field_errors": ["This profile conflicts with another one."]}


# Geolocation (G2)


def registration_geo(values: Mapping[str, Any]) -> dict[str, Any]:
    """G2: a copy of profile column `values` with `registration_city` and
    `registration_country` filled from `registration_ip` where they are missing or empty. Each
    is filled on its own, so a city the client gave stays beside a detected country. Without an
    IP that `geoip.locate` knows, the copy equals `values`."""
    filled = dict(values)
    location = geoip.locate(str(filled.get("registration_ip") or ""))
    if location is not None:
        filled["registration_city"] = filled.get("registration_city") or location.city
        filled["registration_country"] = filled.get("registration_country") or location.country
    return filled


TRACKED_LOCATION = [f"tracked_{name}" for name in asdict(geoip.Location())]


def track_locations(ips: Mapping[int, str]) -> int:
    """G2: give each profile of `{profile_id: ip}` that IP as its tracked IP and the tracked
    location looked up from it (city, country, region, postcode, timezone, coordinates), in
    one UPDATE for the batch (one lookup per distinct IP); return how many profiles were
    written. Values that are not IP addresses are skipped; ids of deleted profiles change
    nothing. An IP the database does not locate (private, unknown) clears the location, so the
    tracked columns always describe the tracked IP. Without a usable database file (missing or
    corrupt, logged by geoip) only the tracked IP is written: a broken deploy must not wipe the
    locations already known. No history is recorded: the tracked action is the event."""
    addresses = {pk: address for pk, ip in ips.items() if (address := _ip_address(ip))}
    located = {address: geoip.locate(address) for address in set(addresses.values())}
    columns = ["tracked_ip", "updated_at", *(TRACKED_LOCATION if geoip.is_available() else [])]
    now = timezone.now()
    profiles = [
        Profile(pk=pk, tracked_ip=address, updated_at=now, **_tracked(located[address]))
        for pk, address in addresses.items()
    ]
    return Profile.objects.bulk_update(profiles, columns)


def _ip_address(text: Any) -> str | None:
    try:
        return str(ipaddress.ip_address(str(text).strip()))
    except ValueError:
        return None


def _tracked(location: geoip.Location | None) -> dict[str, Any]:
    return {f"tracked_{key}": value for key, value in asdict(location or geoip.Location()).items()}
