"""What a column of an import file can be mapped to, and how its text is read (X1).

One registry: each standard target has a parser from CSV text that returns the value to store
or raises `Invalid` with the reason. Custom fields are mapped as `fields.<name>` and read by
the custom-field registry (`profiles/fields.py`), so a file and the API accept the same values.
"""

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from profiles import fields as registry
from profiles.contacts import normalize_email, normalize_phone
from profiles.models import CustomField, FieldType, Gender, Status
from profiles.validators import check_timezone, normalize_country

FIELD_PREFIX = "fields."
ID = "id"
UTM_TAGS = ("source", "medium", "campaign", "term", "content")


def _text(limit: int) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if len(text) > limit:
            raise registry.Invalid(f"Text is {len(text)} characters long; the limit is {limit}.")
        return text

    return parse


def _choice(values: list[str]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.lower()
        if value not in values:
            raise registry.Invalid(f"{text!r} is not one of: {', '.join(values)}.")
        return value

    return parse


def _django_check(check: Callable[[str], str]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        try:
            return check(text)
        except ValidationError as error:
            raise registry.Invalid(" ".join(error.messages)) from None

    return parse


def _boolean(text: str) -> bool:
    return registry.FIELD_TYPES[FieldType.BOOLEAN].parse_text(text, None)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise registry.Invalid(f"{text!r} is not a date: use YYYY-MM-DD.") from None


def _moment(text: str) -> datetime:
    stored = registry.FIELD_TYPES[FieldType.DATE].parse_text(text, None)
    if len(stored) == 10:  # a bare date: midnight UTC
        return datetime.fromisoformat(stored).replace(tzinfo=UTC)
    return datetime.fromisoformat(stored.replace("Z", "+00:00"))


def _ip(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise registry.Invalid(f"{text!r} is not an IP address.") from None


def _coordinate(limit: int) -> Callable[[str], float]:
    def parse(text: str) -> float:
        value = registry.FIELD_TYPES[FieldType.FLOAT].parse_text(text, None)
        if not -limit <= value <= limit:
            raise registry.Invalid(f"{value} is outside [-{limit}, {limit}].")
        return value

    return parse


def _url(text: str) -> str:
    if len(text) > 2000:
        raise registry.Invalid("A link is at most 2,000 characters long.")
    try:
        URLValidator()(text)
    except ValidationError:
        raise registry.Invalid(f"{text!r} is not a URL.") from None
    return text


def _profile_id(text: str) -> int:
    if not text.isdigit() or len(text) > 18:
        raise registry.Invalid(f"{text!r} is not a profile id.")
    return int(text)


@dataclass(frozen=True)
class Target:
    name: str
    label: str
    parse: Callable[[str], Any]


TARGETS: dict[str, Target] = {
    target.name: target
    for target in [
        Target(ID, "Profile id (matching only)", _profile_id),
        Target("email", "Email", normalize_email),
        Target("phone", "Phone (one number; several phone columns add up)", normalize_phone),
        Target("status", "Global status", _choice(Status.values)),
        Target("is_test", "Test subscriber", _boolean),
        Target("first_name", "First name", _text(150)),
        Target("last_name", "Last name", _text(150)),
        Target("middle_name", "Middle name", _text(150)),
        Target("birthday", "Birthday", _date),
        Target("gender", "Gender", _choice(Gender.values)),
        Target("registration_date", "Registration date", _moment),
        Target("registration_ip", "Registration IP", _ip),
        Target("registration_city", "Registration city", _text(200)),
        Target("registration_country", "Registration country", _django_check(normalize_country)),
        Target("registration_link", "Registration link", _url),
        Target("registration_provider", "Registration provider", _text(200)),
        Target("tracked_ip", "Tracked IP", _ip),
        Target("tracked_city", "Tracked city", _text(200)),
        Target("tracked_country", "Tracked country", _django_check(normalize_country)),
        Target("tracked_region", "Tracked region", _text(200)),
        Target("tracked_postcode", "Tracked postcode", _text(32)),
        Target("tracked_timezone", "Tracked time zone", _django_check(check_timezone)),
        Target("tracked_latitude", "Tracked latitude", _coordinate(90)),
        Target("tracked_longitude", "Tracked longitude", _coordinate(180)),
        *(Target(f"utm_{tag}", f"UTM {tag}", _text(255)) for tag in UTM_TAGS),
    ]
}


def target_choices(definitions: dict[str, CustomField]) -> list[tuple[str, str]]:
    """(target, label) for a mapping form: standard targets, then the database's fields."""
    custom = [
        (f"{FIELD_PREFIX}{name}", f"Field: {field.title or name}")
        for name, field in definitions.items()
    ]
    return [(name, target.label) for name, target in TARGETS.items()] + custom


def check_mapping(mapping: list[str], definitions: dict[str, CustomField]) -> dict[int, str]:
    """Problems of a column mapping, by column position: unknown targets, a target used by
    two columns (only `phone` may repeat)."""
    problems: dict[int, str] = {}
    seen: set[str] = set()
    for position, target in enumerate(mapping):
        if not target:
            continue
        name = target.removeprefix(FIELD_PREFIX)
        known = name in definitions if target.startswith(FIELD_PREFIX) else target in TARGETS
        if not known:
            problems[position] = f"{target!r} is neither a standard field nor a custom field."
        elif target in seen and target != "phone":
            problems[position] = f"{target!r} is mapped from two columns."
        seen.add(target)
    return problems


_NORMALISED_HEADER = str.maketrans({" ": "_", "-": "_", ".": "_"})


def guess_mapping(headers: list[str], definitions: dict[str, CustomField]) -> list[str]:
    """A first mapping by header names: `Email`, `first name`, `fields.age` or `age` map to
    their target; anything else is skipped until someone maps it."""
    by_name = {name: name for name in TARGETS} | {"phone_number": "phone", "mobile": "phone"}
    by_name |= {name: f"{FIELD_PREFIX}{name}" for name in definitions}
    guessed, used = [], set()
    for header in headers:
        key = header.strip().lower().removeprefix(FIELD_PREFIX).translate(_NORMALISED_HEADER)
        target = by_name.get(key, "")
        if not target and key.startswith(("phone", "mobile")):
            target = "phone"  # "Phone 1", "Phone 2", "mobile_phone"
        if target in used and target != "phone":
            target = ""
        used.add(target)
        guessed.append(target)
    return guessed
