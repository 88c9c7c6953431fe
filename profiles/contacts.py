"""Normalising the contacts that identify a profile (P4): email and E.164 phones."""

import phonenumbers
from django.conf import settings
from email_validator import EmailNotValidError, validate_email

from .fields import Invalid, is_empty

PLACEHOLDER_DOMAIN = "localhost"
MAX_PHONES = 20


def placeholder_email(profile_id: int) -> str:
    """The address a profile without an email gets (P4)."""
    return f"{profile_id}@{PLACEHOLDER_DOMAIN}"


def normalize_email(raw: str) -> str:
    """A syntactically valid address with its domain lower-cased; raises Invalid."""
    if not isinstance(raw, str):
        raise Invalid(f"Expected an email address as text, got {raw!r}.")
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized
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
