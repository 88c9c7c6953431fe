"""Profile field placeholders in trigger subjects and bodies (I2): `{{ first_name }}`,
`{{ email }}`, `{{ fields.tariff }}`. Only these plain names are allowed, so a message can
reach nothing but the profile's own values; an unknown name is refused when the trigger is
saved, and an empty value renders as an empty string."""

import re
from typing import Any

PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
STANDARD = (
    "id", "md5", "xxh", "email", "phone", "first_name", "last_name", "middle_name",
    "birthday", "gender", "registration_city", "registration_country", "tracked_city",
    "tracked_country", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
)  # fmt: skip
CUSTOM = re.compile(r"fields\.([a-z][a-z0-9_]*)\Z")


def unknown_placeholders(text: str) -> list[str]:
    """The placeholders of `text` that name no standard field and no `fields.<slug>`."""
    return [
        name
        for name in PLACEHOLDER.findall(text)
        if name not in STANDARD and not CUSTOM.match(name)
    ]


def render(text: str, profile) -> str:
    values = profile_values(profile)
    return PLACEHOLDER.sub(lambda match: _text(values, match.group(1)), text)


def profile_values(profile) -> dict[str, Any]:
    values = {name: getattr(profile, name, "") for name in STANDARD if name != "phone"}
    values["phone"] = profile.phones[0] if profile.phones else ""
    values["__fields"] = profile.fields or {}
    return values


def _text(values: dict[str, Any], name: str) -> str:
    custom = CUSTOM.match(name)
    value = values["__fields"].get(custom.group(1)) if custom else values.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)
