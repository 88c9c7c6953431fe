"""P7: everything Tessera holds about one person, as one JSON document or one CSV file.

The profile representation comes first; every other app adds what it holds about the person
as a section: `register("orders", orders_of)` from its AppConfig.ready, where `orders_of(profile)`
returns an iterable of dicts (subscriptions, suppressions and history register themselves so).
Sections are written in the order they were registered, item by item as their iterables give
them, so a section that iterates its queryset in chunks (history) streams in constant memory.

- JSON: `{"profile": {...}, "exported_at": "...", "<section>": [{...}, ...], ...}`.
- CSV: one file in long form, `section,item,field,value`: one row per value, `item` numbering
  the section's entries from 1, nested keys joined with dots (`registration.city`,
  `data.url`), lists and objects written as JSON. Every section fits one header that way,
  including those added later by other apps.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest
from django.utils import timezone

from audit.models import Action
from audit.services import record_action
from config import csv_output

from .api.serializers import ProfileSerializer
from .models import Profile

Section = Callable[[Profile], Iterable[Mapping[str, Any]]]
CSV_HEADER = ("section", "item", "field", "value")
_RESERVED = {"profile", "exported_at"}
_SECTIONS: dict[str, Section] = {}


def register(name: str, section: Section) -> None:
    """Add a section of personal data, written after those registered before it."""
    if name in _RESERVED or _SECTIONS.get(name, section) is not section:
        raise ValueError(f"A personal data section named {name!r} already exists.")
    _SECTIONS[name] = section


def sections() -> dict[str, Section]:
    return dict(_SECTIONS)


def _profile(profile: Profile, request: HttpRequest | None) -> dict[str, Any]:
    return ProfileSerializer(profile, context={"request": request} if request else {}).data


def json_lines(profile: Profile, *, request: HttpRequest | None = None) -> Iterator[str]:
    """The whole document, in pieces, one section entry per line."""
    _journal(profile, "json")
    return _json_lines(profile, request)


def _json_lines(profile: Profile, request: HttpRequest | None) -> Iterator[str]:
    encode = DjangoJSONEncoder().encode
    yield f'{{"profile": {encode(_profile(profile, request))},\n'
    yield f'"exported_at": {encode(timezone.now())}'
    for name, section in _SECTIONS.items():
        separator = f",\n{encode(name)}: [\n"
        for item in section(profile):
            yield separator + encode(item)
            separator = ",\n"
        yield f",\n{encode(name)}: []" if separator != ",\n" else "\n]"
    yield "}\n"


def csv_lines(profile: Profile, *, request: HttpRequest | None = None) -> Iterator[str]:
    """The header, then one `section,item,field,value` line per value."""
    _journal(profile, "csv")
    return csv_output.csv_lines(CSV_HEADER, _csv_rows(profile, request))


def _csv_rows(profile: Profile, request: HttpRequest | None) -> Iterator[list[Any]]:
    for key, value in _flat(_profile(profile, request)):
        yield ["profile", 1, key, value]
    for name, section in _SECTIONS.items():
        for number, item in enumerate(section(profile), start=1):
            for key, value in _flat(item):
                yield [name, number, key, value]


_ENCODER = DjangoJSONEncoder()


def _flat(item: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in item.items():
        if isinstance(value, Mapping) and value:
            yield from _flat(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", _cell(value)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return value
    if isinstance(value, date):  # datetimes too: RFC 3339, as the API writes them
        return _ENCODER.default(value)
    return _ENCODER.encode(value)


def _journal(profile: Profile, format: str) -> None:
    """Recorded when the export is asked for, while the request is being served (A3)."""
    record_action(action=Action.EXPORT, target=profile, changes={"format": format})


FORMATS = {"json": json_lines, "csv": csv_lines}
CONTENT_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8"}
