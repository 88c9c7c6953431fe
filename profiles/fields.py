"""The custom-field type registry (P3): for each of the 8 types, how a value is parsed from JSON
and from CSV text, validated, stored, displayed and searched.

Every writer (API, admin, import) goes through `clean_value` / `clean_fields`, so one rule holds
everywhere. Stored values are JSON scalars (tags: a list of strings). An empty value (None, "",
an empty list) means "no value" and removes the key.
"""

import ipaddress
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.db import connection
from django.db.models import F, Func, JSONField, Q, Value
from django.db.models.fields.json import DataContains

from config.exceptions import InvalidInput

from .models import FieldDefinition, FieldType

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
LINE_MAX_LENGTH = 4000
TAG_MAX_LENGTH = 200
TAG_SEPARATORS = re.compile(r"[,|;]")
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)
_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)
_RFC3339 = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[Tt ](?P<time>\d{2}:\d{2}:\d{2}(?:\.\d+)?)(?P<tz>[Zz]|[+-]\d{2}:\d{2}))?"
)
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}


class Invalid(ValueError):
    """A value a type cannot accept; the message says why, for a person to read."""


def _kind(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)


def _require_text(value: Any, expected: str) -> str:
    if not isinstance(value, str):
        raise Invalid(f"Expected {expected}, got {_kind(value)}.")
    return value.strip()


# Number: 64-bit signed integer.
def _number_json(value: Any, field: FieldDefinition) -> int:
    if isinstance(value, bool):
        raise Invalid("Expected a whole number, got a boolean.")
    if isinstance(value, float):
        raise Invalid(f"Expected a whole number, got the fraction {value!r}.")
    if isinstance(value, int):
        return value
    return _number_text(_require_text(value, "a whole number"), field)


def _number_text(text: str, field: FieldDefinition) -> int:
    text = text.strip()
    if text.isascii() and text.isdigit():  # the common case, without the regex
        return int(text)
    if not _INTEGER.fullmatch(text):
        raise Invalid(f"{text!r} is not a whole number.")
    return int(text)


def _number_validate(value: int, field: FieldDefinition) -> None:
    if not INT64_MIN <= value <= INT64_MAX:
        raise Invalid(f"{value} is outside the 64-bit integer range [{INT64_MIN}, {INT64_MAX}].")


# Float.
def _float_json(value: Any, field: FieldDefinition) -> float:
    if isinstance(value, bool):
        raise Invalid("Expected a number, got a boolean.")
    if isinstance(value, int | float):
        try:
            return float(value)
        except OverflowError:  # a JSON integer beyond the float range
            raise Invalid("The number must be finite.") from None
    return _float_text(_require_text(value, "a number"), field)


def _float_text(text: str, field: FieldDefinition) -> float:
    text = text.strip()
    if not _DECIMAL.fullmatch(text):
        raise Invalid(f"{text!r} is not a number (use a dot as the decimal separator).")
    return float(text)


def _float_validate(value: float, field: FieldDefinition) -> None:
    if not math.isfinite(value):
        raise Invalid("The number must be finite.")


# Line: any text.
def _line_json(value: Any, field: FieldDefinition) -> str:
    if not isinstance(value, str):
        raise Invalid(f"Expected text, got {_kind(value)}.")
    return value


def _line_validate(value: str, field: FieldDefinition) -> None:
    if len(value) > LINE_MAX_LENGTH:
        raise Invalid(f"Text is {len(value)} characters long; the limit is {LINE_MAX_LENGTH}.")
    if "\x00" in value:
        raise Invalid("Text must not contain NUL characters.")


# Date: RFC 3339 date-time with an offset, or a bare date. Stored as "YYYY-MM-DD" or as a UTC
# date-time "YYYY-MM-DDTHH:MM:SS[.ffffff]Z", both of which sort as text.
def _date_json(value: Any, field: FieldDefinition) -> str:
    return _date_text(_require_text(value, "a date (YYYY-MM-DD or RFC 3339)"), field)


def _date_text(text: str, field: FieldDefinition) -> str:
    text = text.strip()
    if _DAY.fullmatch(text):
        try:  # a bare day, already as stored: only its reality to check
            date.fromisoformat(text)
        except ValueError as error:
            raise Invalid(f"{text!r} is not a real date: {error}.") from None
        return text
    match = _RFC3339.fullmatch(text)
    if not match:
        raise Invalid(f"{text!r} is not a date: use YYYY-MM-DD or RFC 3339 (2019-08-22T10:00:00Z).")
    try:
        if not match["time"]:
            return date.fromisoformat(match["date"]).isoformat()
        moment = datetime.fromisoformat(text.replace(" ", "T").replace("z", "Z"))
        moment = moment.astimezone(UTC)  # OverflowError at the edges of years 1 and 9999
    except (ValueError, OverflowError) as error:
        raise Invalid(f"{text!r} is not a real date: {error}.") from None
    timespec = "microseconds" if moment.microsecond else "seconds"
    return moment.replace(tzinfo=None).isoformat(timespec=timespec) + "Z"


def _date_display(value: str) -> str:
    return value.replace("T", " ").replace("Z", " UTC")


# Boolean.
def _boolean_json(value: Any, field: FieldDefinition) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        return _boolean_text(value.strip(), field)
    raise Invalid(f"Expected true or false, got {value!r}.")


def _boolean_text(text: str, field: FieldDefinition) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise Invalid(f"{text!r} is not a boolean: use true/false, yes/no or 1/0.")


def _boolean_display(value: bool) -> str:
    return "Yes" if value else "No"


def _boolean_as_text(value: bool) -> str:
    return "true" if value else "false"


# Enum: one of the field's options.
def _enum_json(value: Any, field: FieldDefinition) -> str:
    return _require_text(value, "one of the options")


def _enum_validate(value: str, field: FieldDefinition) -> None:
    if value not in field.options:
        allowed = ", ".join(map(str, field.options)) or "(none defined)"
        raise Invalid(f"{value!r} is not one of the options: {allowed}.")


# IP: IPv4 only.
def _ip_json(value: Any, field: FieldDefinition) -> str:
    return _ip_text(_require_text(value, "an IPv4 address"), field)


def _ip_text(text: str, field: FieldDefinition) -> str:
    text = text.strip()
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        raise Invalid(f"{text!r} is not a valid IPv4 address.") from None
    if address.version != 4:
        raise Invalid(f"{text!r} is an IPv6 address; this field takes IPv4 only.")
    return str(address)


# Tags: many values; `,` `|` and `;` separate them in text, so a tag cannot contain them.
def _tags_json(value: Any, field: FieldDefinition) -> list[str]:
    if isinstance(value, str):
        return _tags_text(value, field)
    if not isinstance(value, list):
        raise Invalid(f"Expected a list of tags or a separated string, got {_kind(value)}.")
    tags = []
    for item in value:
        if not isinstance(item, str):
            raise Invalid(f"Every tag must be text; got {_kind(item)} {item!r}.")
        if TAG_SEPARATORS.search(item):
            raise Invalid(f"Tag {item!r} contains a separator (, | ;); send it as separate tags.")
        tags.append(item.strip())
    return _unique_tags(tags)


def _tags_text(text: str, field: FieldDefinition) -> list[str]:
    parts = text.split(",") if "|" not in text and ";" not in text else TAG_SEPARATORS.split(text)
    return _unique_tags(part.strip() for part in parts)


def _unique_tags(tags: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(tag for tag in tags if tag))


def _tags_validate(value: list[str], field: FieldDefinition) -> None:
    for tag in value:
        if len(tag) > TAG_MAX_LENGTH:
            raise Invalid(f"Tag {tag[:20]!r}... is longer than {TAG_MAX_LENGTH} characters.")


def _tags_display(value: list[str]) -> str:
    return ", ".join(value)


def _tags_search(field: FieldDefinition, tag: list[str]) -> Q:
    # A search for tags matches profiles that carry every tag given.
    if connection.vendor == "postgresql":
        return Q(fields__contains={field.name: tag})
    query = Q()
    for item in tag:
        query &= Q(**{f"fields__{field.name}__icontains": json.dumps(item)})
    return query


def _scalar_search(field: FieldDefinition, value: Any) -> Q:
    if connection.vendor == "postgresql":  # `@>` is served by the GIN index on `fields`
        return Q(fields__contains={field.name: value})
    return Q(**{f"fields__{field.name}": value})


def _date_search(field: FieldDefinition, value: str) -> Q:
    # A bare date also finds date-times on that day; on PostgreSQL through the GIN index on
    # the day of each date-time value (migration profiles/0010).
    if len(value) != 10:
        return _scalar_search(field, value)
    if connection.vendor == "postgresql":
        days = Func(F("fields"), function="profiles_days_of_times", output_field=JSONField())
        return _scalar_search(field, value) | Q(
            DataContains(days, Value({field.name: value}, output_field=JSONField()))
        )
    return Q(**{f"fields__{field.name}": value}) | Q(
        **{f"fields__{field.name}__startswith": value + "T"}
    )


def no_check(value: Any, field: FieldDefinition) -> None:
    return None


@dataclass(frozen=True)
class FieldTypeSpec:
    """What one custom field type does. Parsers raise `Invalid` with a reason."""

    parse_json: Callable[[Any, FieldDefinition], Any]
    parse_text: Callable[[str, FieldDefinition], Any]
    validate: Callable[[Any, FieldDefinition], None] = no_check
    display: Callable[[Any], str] = str
    search: Callable[[FieldDefinition, Any], Q] = _scalar_search
    can_be_unique: bool = True
    # The stored value as text that `parse_text` reads back to the same value (CSV export,
    # form inputs); `display` is for reading and need not parse.
    as_text: Callable[[Any], str] = str


FIELD_TYPES: dict[FieldType, FieldTypeSpec] = {
    FieldType.NUMBER: FieldTypeSpec(_number_json, _number_text, _number_validate),
    FieldType.FLOAT: FieldTypeSpec(_float_json, _float_text, _float_validate),
    FieldType.LINE: FieldTypeSpec(_line_json, lambda text, field: text, _line_validate),
    FieldType.DATE: FieldTypeSpec(
        _date_json, _date_text, display=_date_display, search=_date_search
    ),
    FieldType.BOOLEAN: FieldTypeSpec(
        _boolean_json,
        _boolean_text,
        display=_boolean_display,
        can_be_unique=False,
        as_text=_boolean_as_text,
    ),
    FieldType.ENUM: FieldTypeSpec(_enum_json, lambda text, field: text.strip(), _enum_validate),
    FieldType.IP: FieldTypeSpec(_ip_json, _ip_text),
    FieldType.TAGS: FieldTypeSpec(
        _tags_json,
        _tags_text,
        _tags_validate,
        display=_tags_display,
        search=_tags_search,
        can_be_unique=False,
        as_text=_tags_display,
    ),
}


def is_empty(value: Any) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def clean_value(field: FieldDefinition, raw: Any, *, from_text: bool = False) -> Any:
    """Parse and validate one value; return what to store, or None for "no value".

    Raises `Invalid` with the reason. `from_text` reads CSV text rather than a JSON value.
    """
    if is_empty(raw):
        return None
    spec = FIELD_TYPES[FieldType(field.type)]
    value = spec.parse_text(raw, field) if from_text else spec.parse_json(raw, field)
    if is_empty(value):
        return None
    spec.validate(value, field)
    return value


def clean_fields(
    definitions: Mapping[str, FieldDefinition],
    values: Mapping[str, Any],
    *,
    current: Mapping[str, Any] | None = None,
    from_text: bool = False,
) -> dict[str, Any]:
    """Merge `values` into `current` key by key and return the new `fields` dict.

    `current=None` means a new profile: defaults fill missing fields and required ones are
    checked. Raises InvalidInput({"fields": {name: [reason]}}) listing every bad key.
    """
    is_new = current is None
    result = dict(current or {})
    errors: dict[str, list[str]] = {}
    for name, raw in values.items():
        field = definitions.get(name)
        if field is None:
            errors[name] = ["Unknown field: this database has no custom field with this name."]
            continue
        try:
            value = clean_value(field, raw, from_text=from_text)
        except Invalid as error:
            errors[name] = [str(error)]
            continue
        if value is None:
            result.pop(name, None)
        else:
            result[name] = value
    for name, field in definitions.items():
        if is_new and name not in result and field.default is not None:
            result[name] = field.default
        # On update only a key being cleared is checked: a field made required later must
        # not block unrelated changes to older profiles that lack it.
        touched = is_new or name in values
        if field.required and touched and name not in result and name not in errors:
            errors[name] = ["This field is required."]
    if errors:
        raise InvalidInput({"fields": errors})
    return result


def display_value(field: FieldDefinition, value: Any) -> str:
    if value is None:
        return ""
    return FIELD_TYPES[FieldType(field.type)].display(value)


def text_value(field: FieldDefinition, value: Any) -> str:
    """The stored value as text the registry reads back unchanged (`clean_value(...,
    from_text=True)`): dates stay ISO, booleans are true/false, tags are comma-separated."""
    if value is None:
        return ""
    return FIELD_TYPES[FieldType(field.type)].as_text(value)


def search_query(field: FieldDefinition, text: str) -> Q:
    """A filter on Profile for `field_name:value` searches; raises `Invalid` on bad text."""
    value = clean_value(field, text, from_text=True)
    if value is None:
        return Q(**{f"fields__{field.name}__isnull": True})
    return FIELD_TYPES[FieldType(field.type)].search(field, value)
