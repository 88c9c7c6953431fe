"""Reads on profiles, shared by the API, the admin and (later) the back-office pages."""

import re

from django.db import connection
from django.db.models import Count, Q, QuerySet

from config.compiled import PrimaryKeyRead
from subscriptions.models import Channel, Subscription, contact_key

from . import fields as registry
from .contacts import normalize_phone
from .models import CustomField, Profile, ProfileDatabase

QUICK_SEARCH_LIMIT = 50
QUICK_SEARCH_COLUMNS = ("id", "database__name", "email", "first_name", "last_name", "status")
_HEX = re.compile(r"[0-9a-f]+")
_FIELD_QUERY = re.compile(r"(?P<name>[a-z][a-z0-9_]*):(?P<value>.*)", re.S)


def database_profiles(database: ProfileDatabase) -> QuerySet[Profile]:
    """The profiles of one database, as the list pages and the API list them."""
    return Profile.objects.filter(database=database)


def phone_query(e164: str) -> Q:
    """Profiles holding the number among their phones (the GIN index serves PostgreSQL)."""
    if connection.vendor == "postgresql":
        return Q(phones__contains=[e164])
    return Q(phones__icontains=f'"{e164}"')  # SQLite: the JSON text holds the quoted number


def with_email(queryset: QuerySet[Profile], email: str) -> QuerySet[Profile]:
    return queryset.filter(email__lower=email.strip().lower())


def search_profiles(
    queryset: QuerySet[Profile], text: str, *, database: ProfileDatabase | None = None
) -> QuerySet[Profile]:
    """Quick search (P15): email, phone, profile_id, md5/xxh, `field_name:value`, or a name.
    `field_name:value` reads the fields of `database`, or of every database when None.

    Raises `registry.Invalid` when a `field_name:value` query names no custom field or holds a
    value of the wrong type.
    """
    text = text.strip()
    match = _FIELD_QUERY.fullmatch(text)
    if match:
        return queryset.filter(_custom_field_query(match["name"], match["value"], database))
    if "@" in text:
        return with_email(queryset, text)
    return queryset.filter(_identifier_query(text) | _name_query(text))


def _custom_field_query(name: str, value: str, database: ProfileDatabase | None) -> Q:
    # Each database's field of that name, matched on that database's profiles only.
    definitions = CustomField.objects.filter(name=name)
    if database is not None:
        definitions = definitions.filter(database=database)
    query = Q(pk__in=[])
    for field in definitions:
        query |= Q(database_id=field.database_id) & registry.search_query(field, value)
    if not definitions:
        raise registry.Invalid(f"No custom field is named {name!r}.")
    return query


def _identifier_query(text: str) -> Q:
    query = Q(pk__in=[])
    lowered = text.lower()
    if text.isdigit() and len(text) < 19:
        query |= Q(pk=int(text))
    if _HEX.fullmatch(lowered) and len(lowered) in (32, 16):
        query |= Q(md5=lowered) if len(lowered) == 32 else Q(xxh=lowered)
    try:
        return query | phone_query(normalize_phone(text))
    except registry.Invalid:
        return query


def _name_query(text: str) -> Q:
    """A name by its lower-case prefix ("ann" finds Ann and Annette; "ann le" finds Ann Lee),
    served on PostgreSQL by the `LOWER(...) text_pattern_ops` indexes (migration 0009)."""
    words = text.lower().split()
    if len(words) >= 2:
        return Q(first_name__lower=words[0], last_name__lower__startswith=" ".join(words[1:]))
    return Q(first_name__lower__startswith=text.lower()) | Q(
        last_name__lower__startswith=text.lower()
    )


def staff_databases() -> QuerySet[ProfileDatabase]:
    """The databases list of the staff pages, each with its number of profiles."""
    return ProfileDatabase.objects.annotate(profile_count=Count("profiles")).order_by("name")


def list_profiles(database: ProfileDatabase) -> QuerySet[Profile]:
    """A database's profiles with only the list page's columns."""
    return database_profiles(database).only(
        "id", "database_id", "email", "first_name", "last_name", "status", "is_test",
        "in_control_group", "updated_at",
    )  # fmt: skip


def quick_search(
    text: str, *, contacts: bool = False, limit: int = QUICK_SEARCH_LIMIT
) -> list[Profile]:
    """P15 across every database: the profiles `text` finds, with their database; with
    `contacts`, an email is looked up among subscription contacts instead of profile emails.
    Raises `registry.Invalid` as `search_profiles` does."""
    return list(quick_search_queryset(text, contacts=contacts)[:limit])


def quick_search_queryset(text: str, *, contacts: bool = False) -> QuerySet[Profile]:
    profiles = (
        Profile.objects.select_related("database")
        .only(*QUICK_SEARCH_COLUMNS)  # the result table's; 50 full rows cost a few ms more
        .order_by("-id")
    )
    text = text.strip()
    if contacts and "@" in text:
        holders = Subscription.objects.filter(
            channel=Channel.EMAIL, contact_key=contact_key(Channel.EMAIL, text)
        ).values("profile_id")
        return profiles.filter(pk__in=holders)
    return search_profiles(profiles, text)


_BY_ID = PrimaryKeyRead(Profile)


def profile_by_id(profile_id: int) -> Profile | None:
    """One profile by its id, in one query compiled once per connection: the API's profile
    GET reads nothing else (issue 10, HTTP throughput)."""
    return _BY_ID.read(profile_id)


def profile_page_profile(profile_id: int) -> Profile:
    """The profile of the page with its database; Profile.DoesNotExist if there is none."""
    return Profile.objects.select_related("database").get(pk=profile_id)
