"""Checks of standard profile values shared by the API serializers and the admin forms.
They raise Django's ValidationError, which both DRF and Django forms show on the field."""

import re
import zoneinfo
from functools import cache

from django.core.exceptions import ValidationError


def normalize_country(value: str) -> str:
    """An ISO 3166 alpha-2 code in upper case, or ""."""
    value = value.strip().upper()
    if value and not re.fullmatch(r"[A-Z]{2}", value):
        raise ValidationError("Use a two-letter ISO 3166 country code, e.g. GB.")
    return value


def check_timezone(value: str) -> str:
    """An IANA time zone name, or ""."""
    value = value.strip()
    if value and value not in _time_zones():
        raise ValidationError(f"{value!r} is not an IANA time zone (Europe/London).")
    return value


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())
