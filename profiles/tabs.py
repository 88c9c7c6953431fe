"""The tabs of the profile page (P9): the six standard tabs, the staff's own tabs, the Main
tab's chosen fields and the pinned default tab, stored per database in `TabLayout`.

A field is named by a key: a standard column (`email`, `tracked_city`) or `fields.<name>` for
a custom field. `STANDARD_TABS` is the one table of which standard fields each tab shows.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from config.exceptions import InvalidInput

from . import fields as registry
from .models import CustomField, Profile, ProfileDatabase, TabLayout

CUSTOM_PREFIX = "fields."
MAX_CUSTOM_TABS = 10
MAX_TITLE_LENGTH = 40

STANDARD_TABS: dict[str, tuple[str, tuple[str, ...]]] = {
    "main": ("Main", ()),  # its fields come from the layout
    "personal": ("Personal", ("first_name", "last_name", "middle_name", "birthday", "gender")),
    "contact": ("Contact", ("email", "phones")),
    "registration": (
        "Registration",
        (
            "registration_date",
            "registration_ip",
            "registration_city",
            "registration_country",
            "registration_link",
            "registration_provider",
        ),
    ),  # fmt: skip
    "tracked": (
        "Tracked",
        (
            "tracked_ip",
            "tracked_city",
            "tracked_country",
            "tracked_region",
            "tracked_postcode",
            "tracked_timezone",
            "tracked_latitude",
            "tracked_longitude",
        ),
    ),  # fmt: skip
    "additional": ("Additional fields", ()),  # every custom field of the database
}
DEFAULT_MAIN_FIELDS = ("email", "phones", "first_name", "last_name", "birthday", "gender")
STANDARD_LABELS = {
    key: Profile._meta.get_field(key).verbose_name.capitalize()
    for _, keys in STANDARD_TABS.values()
    for key in keys
}


@dataclass(frozen=True)
class Tab:
    key: str
    title: str
    rows: list[tuple[str, str]]  # (label, displayed value)
    is_custom: bool = False


def field_labels(definitions: Sequence[CustomField]) -> dict[str, str]:
    """Every field key a tab may show, with its label, in the order of the tabs."""
    labels = dict(STANDARD_LABELS)
    labels.update({CUSTOM_PREFIX + field.name: field.title or field.name for field in definitions})
    return labels


def layout_of(database: ProfileDatabase) -> TabLayout:
    """The stored layout, or an unsaved one with the defaults (one query)."""
    layout = TabLayout.objects.filter(database=database).first()
    return layout or TabLayout(database=database, main_fields=list(DEFAULT_MAIN_FIELDS))


def page_tabs(profile: Profile, layout: TabLayout, definitions: Sequence[CustomField]) -> list[Tab]:
    """The six standard tabs, then the custom ones, with their values; no query."""
    labels = field_labels(definitions)
    by_name = {field.name: field for field in definitions}
    row = lambda key: (labels[key], display(profile, key, by_name))  # noqa: E731
    known = lambda keys: [row(key) for key in keys if key in labels]  # noqa: E731
    tabs = []
    for key, (title, keys) in STANDARD_TABS.items():
        if key == "main":
            keys = layout.main_fields
        elif key == "additional":
            keys = [CUSTOM_PREFIX + field.name for field in definitions]
        tabs.append(Tab(key, title, known(keys)))
    for custom in layout.custom_tabs:
        tabs.append(Tab(custom["key"], custom["title"], known(custom["fields"]), is_custom=True))
    return tabs


def display(profile: Profile, key: str, definitions: Mapping[str, CustomField]) -> str:
    """A field's value as text for the page ("" when empty)."""
    if key.startswith(CUSTOM_PREFIX):
        name = key[len(CUSTOM_PREFIX) :]
        value = profile.fields.get(name)
        if registry.is_empty(value) or name not in definitions:
            return ""
        return registry.display_value(definitions[name], value)
    return _text(getattr(profile, key))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def tab_keys(layout: TabLayout) -> list[str]:
    return [*STANDARD_TABS, *(custom["key"] for custom in layout.custom_tabs)]


# Writes (the settings dialog)


def _stored_layout(database: ProfileDatabase) -> TabLayout:
    layout, _ = TabLayout.objects.select_for_update().get_or_create(
        database=database, defaults={"main_fields": list(DEFAULT_MAIN_FIELDS)}
    )
    return layout


def _checked_fields(database: ProfileDatabase, keys: Sequence[str]) -> list[str]:
    labels = field_labels(list(database.fields.all()))
    unknown = [key for key in keys if key not in labels]
    if unknown:
        raise InvalidInput({"fields": [f"Unknown field: {', '.join(unknown)}."]})
    return list(dict.fromkeys(keys))


@transaction.atomic
def choose_main_fields(*, database: ProfileDatabase, keys: Sequence[str]) -> TabLayout:
    """The fields the Main tab shows, in the given order."""
    layout = _stored_layout(database)
    layout.main_fields = _checked_fields(database, keys)
    layout.save(update_fields=["main_fields", "updated_at"])
    return layout


@transaction.atomic
def pin_tab(*, database: ProfileDatabase, key: str) -> TabLayout:
    """The tab the profile page opens on."""
    layout = _stored_layout(database)
    if key not in tab_keys(layout):
        raise InvalidInput({"default_tab": [f"No tab is named {key!r}."]})
    layout.default_tab = key
    layout.save(update_fields=["default_tab", "updated_at"])
    return layout


@transaction.atomic
def add_custom_tab(*, database: ProfileDatabase, title: str, keys: Sequence[str]) -> TabLayout:
    """A tab of the staff's own, showing the chosen fields."""
    title = title.strip()
    layout = _stored_layout(database)
    errors = {}
    if not title or len(title) > MAX_TITLE_LENGTH:
        errors["title"] = [f"Enter a title of 1 to {MAX_TITLE_LENGTH} characters."]
    elif any(tab["title"].lower() == title.lower() for tab in layout.custom_tabs):
        errors["title"] = ["A tab of this title exists already."]
    if len(layout.custom_tabs) >= MAX_CUSTOM_TABS:
        errors["title"] = [f"A database has at most {MAX_CUSTOM_TABS} custom tabs."]
    if not keys:
        errors["fields"] = ["Choose at least one field."]
    if errors:
        raise InvalidInput(errors)
    key = _new_tab_key(layout, title)
    tab = {"key": key, "title": title, "fields": _checked_fields(database, keys)}
    layout.custom_tabs = [*layout.custom_tabs, tab]
    layout.save(update_fields=["custom_tabs", "updated_at"])
    return layout


def _new_tab_key(layout: TabLayout, title: str) -> str:
    base = "custom-" + (slugify(title)[:20] or "tab")
    taken = set(tab_keys(layout))
    key, number = base, 1
    while key in taken:
        number += 1
        key = f"{base}-{number}"
    return key


@transaction.atomic
def remove_custom_tab(*, database: ProfileDatabase, key: str) -> TabLayout:
    """Drop a custom tab; if it was pinned, Main becomes the default again."""
    layout = _stored_layout(database)
    kept = [tab for tab in layout.custom_tabs if tab["key"] != key]
    if len(kept) == len(layout.custom_tabs):
        raise InvalidInput({"tab": [f"No custom tab is named {key!r}."]})
    layout.custom_tabs = kept
    if layout.default_tab == key:
        layout.default_tab = "main"
    layout.save(update_fields=["custom_tabs", "default_tab", "updated_at"])
    return layout
