"""Normalising the contacts that identify a profile (P4): email and E.164 phones."""

import re

import phonenumbers
from django.conf import settings
from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

from .fields import Invalid, is_empty

PLACEHOLDER_DOMAIN = "localhost"
MAX_PHONES = 20
# The common shape of an address, for which email-validator's answer is known without running
# it: a plain ASCII local part and a lower-cased LDH domain with an alphabetic top-level
# label, no "--" (its Punycode rule) and no special-use name. Imports meet millions of these;
# the library takes about 30 us each. tests/profiles/test_contacts.py checks the two agree.
_PLAIN_EMAIL = re.compile(
    r"(?P<local>[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*)@"
    r"(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?P<tld>[A-Za-z]{2,63}))",
    re.ASCII,
)
_SPECIAL_USE = frozenset(SPECIAL_USE_DOMAIN_NAMES)


def placeholder_email(profile_id: int) -> str:
    """The address a profile without an email gets (P4)."""
    return f"{profile_id}@{PLACEHOLDER_DOMAIN}"


def normalize_email(raw: str) -> str:
    """A syntactically valid address with its domain lower-cased; raises Invalid."""
    if not isinstance(raw, str):
        raise Invalid(f"Expected an email address as text, got {raw!r}.")
    raw = raw.strip()
    plain = _PLAIN_EMAIL.fullmatch(raw)
    if (
        plain
        and len(raw) <= 254
        and len(plain["local"]) <= 64
        and "--" not in plain["domain"]
        and plain["tld"].lower() not in _SPECIAL_USE
    ):
        return f"{plain['local']}@{plain['domain'].lower()}"
    try:
        return validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise Invalid(f"{raw!r} is not a valid email address: {error}") from None


def normalize_phone(raw: str) -> str:
    """The number in E.164 (+447700900123); raises Invalid if it is not a valid number."""
    if not isinstance(raw, str):
        raise Invalid(f"Expected a phone number as text, got {raw!r}.")
    try:
        number = phonenumbers.parse(raw, settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException as error:
        raise Invalid(f"{raw!r} is not a phone number: {error._msg}") from None
    if not phonenumbers.is_valid_number(number):
        raise Invalid(f"{raw!r} is not a valid phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_phones(raw: list[str]) -> list[str]:
    """Every number in E.164, duplicates dropped, the first (primary) kept first."""
    if not isinstance(raw, list | tuple):
        raise Invalid(f"Expected a list of phone numbers, got {raw!r}.")
    if len(raw) > MAX_PHONES:
        raise Invalid(f"A profile holds at most {MAX_PHONES} phone numbers; got {len(raw)}.")
    numbers = (normalize_phone(item) for item in raw if not is_empty(item))
    return list(dict.fromkeys(numbers))
