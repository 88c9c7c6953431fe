"""Normalising the contacts that identify a profile (P2, P4), checked against third-party
data: libphonenumber's example numbers and the is_email test vectors (see tests/data/)."""

import csv
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from itertools import zip_longest
from pathlib import Path

import phonenumbers
import pytest
from email_validator import EmailNotValidError, validate_email

from profiles.contacts import (
    MAX_PHONES,
    normalize_email,
    normalize_phone,
    normalize_phones,
    placeholder_email,
)
from profiles.fields import Invalid

DATA = Path(__file__).resolve().parent.parent / "data"


# Phones: libphonenumber's valid example numbers, one per region and number type


def read_libphonenumber_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        header, *rows = csv.reader(file, delimiter=";", skipinitialspace=True)
    names = [name.strip() for name in header]
    # Empty trailing cells are left out of some rows.
    return [dict(zip_longest(names, (cell.strip() for cell in row), fillvalue="")) for row in rows]


def load_example_numbers() -> list[tuple[str, str, str, str]]:
    """(calling code, region, type, national significant number) for every example."""
    return [
        (path.stem, row["Region"], row["Type"], row["Number"])
        for path in sorted((DATA / "phones/libphonenumber/examples").glob("*.csv"))
        for row in read_libphonenumber_csv(path)
    ]


# Metadata newer than the phonenumbers release we pin (9.0.43) makes these three invalid
# there; the data's README lists them. Drop them from this set when phonenumbers catches up.
NEWER_THAN_PHONENUMBERS = {("BJ", "85751234"), ("BJ", "81123456"), ("ZW", "1312345")}
ALL_EXAMPLES = load_example_numbers()
EXAMPLES = [row for row in ALL_EXAMPLES if (row[1], row[3]) not in NEWER_THAN_PHONENUMBERS]
EXAMPLES_BY_REGION: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
for calling_code, region, number_type, number in EXAMPLES:
    EXAMPLES_BY_REGION[region].append((calling_code, number_type, number))
NATIONAL_PREFIX = {
    row["Calling Code"]: row["National Prefix"]
    for row in read_libphonenumber_csv(DATA / "phones/libphonenumber/metadata.csv")
}


def test_copied_phone_examples_are_complete():
    assert len(ALL_EXAMPLES) == 1148
    assert len(EXAMPLES_BY_REGION) == 246
    assert NATIONAL_PREFIX["7"] == "8"


@pytest.mark.parametrize("region", sorted(EXAMPLES_BY_REGION))
def test_every_example_number_normalises_to_e164_valid_for_its_region(region):
    # given every example of the region (fixed line, mobile, toll free, ...) written in E.164
    failures = []
    for calling_code, number_type, number in EXAMPLES_BY_REGION[region]:
        written = f"+{calling_code}{number}"

        # when
        e164 = normalize_phone(written)

        # then phonenumbers reads our answer back as a valid number of the same region
        parsed = phonenumbers.parse(e164)
        if e164 != written or not phonenumbers.is_valid_number_for_region(parsed, region):
            failures.append((number_type, written, e164))
    assert failures == []


@pytest.mark.parametrize(
    "written",
    [
        "+44 7400 123456",
        "+44-7400-123456",
        "+44 (7400) 123-456",
        " +447400123456 ",
        "+4407400123456",
    ],
)
def test_international_numbers_written_with_spaces_dashes_or_a_trunk_zero_normalise(written):
    assert normalize_phone(written) == "+447400123456"


RU_EXAMPLES = [row for row in EXAMPLES if row[1] == "RU"]


@pytest.mark.parametrize(("calling_code", "region", "number_type", "number"), RU_EXAMPLES)
def test_national_numbers_need_a_default_region(
    settings, calling_code, region, number_type, number
):
    # given a Russian number written as at home, with the trunk prefix and no "+7"
    written = NATIONAL_PREFIX[calling_code] + number
    settings.PHONE_DEFAULT_REGION = None

    # then it cannot be read without a default region
    with pytest.raises(Invalid, match="is not a phone number: Missing or invalid default region"):
        normalize_phone(written)

    # and it is read as Russian with one
    settings.PHONE_DEFAULT_REGION = "RU"
    assert normalize_phone(written) == f"+7{number}"
    assert normalize_phone(number) == f"+7{number}"


def test_default_region_leaves_international_numbers_alone(settings):
    settings.PHONE_DEFAULT_REGION = "RU"

    assert normalize_phone("+44 7400 123456") == "+447400123456"


@pytest.mark.parametrize("region", ["GB", "RU", "US", "DE", "FR", "IN", "BR", "CN", "JP", "AU"])
def test_invalid_numbers_of_a_region_are_rejected(region):
    # given a number of the right shape that no range of the region holds
    invalid = phonenumbers.invalid_example_number(region)
    written = phonenumbers.format_number(invalid, phonenumbers.PhoneNumberFormat.E164)

    with pytest.raises(Invalid) as error:
        normalize_phone(written)
    assert str(error.value) == f"{written!r} is not a valid phone number."


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "abc",
        "+",
        "+0 123 4567",  # calling codes never start with 0
        "+44",
        "+999 1234567",  # no such country calling code
        "+44 7400 123456 789 012 345",
        "+1 555",
        "call me",
    ],
)
def test_garbage_is_not_a_phone_number(settings, garbage):
    settings.PHONE_DEFAULT_REGION = "RU"

    with pytest.raises(Invalid, match="phone number"):
        normalize_phone(garbage)


@pytest.mark.parametrize("raw", [79161234567, None, ["+447400123456"]])
def test_a_phone_number_must_be_text(raw):
    with pytest.raises(Invalid, match="Expected a phone number as text"):
        normalize_phone(raw)


def test_phones_drop_duplicates_keeping_the_primary_first():
    raw = [
        "+44 7400 123456",
        "+1 201-555-0123",
        "+447400123456",
        "+12015550123",
        "+7 912 345-67-89",
    ]

    assert normalize_phones(raw) == ["+447400123456", "+12015550123", "+79123456789"]


def test_phones_skip_blank_entries():
    assert normalize_phones(["", "  ", None, "+12015550123"]) == ["+12015550123"]


def test_one_bad_phone_rejects_the_list():
    with pytest.raises(Invalid, match="'12' is not a phone number"):
        normalize_phones(["+447400123456", "12"])


def test_phones_reject_a_number_that_is_not_text_instead_of_crashing():
    with pytest.raises(Invalid, match="Expected a phone number as text, got 79161234567"):
        normalize_phones(["+447400123456", 79161234567])


def test_phones_must_be_a_list_not_one_string():
    with pytest.raises(Invalid, match="Expected a list of phone numbers"):
        normalize_phones("+447400123456")


def test_phones_are_limited_per_profile():
    numbers = [f"+1201555{index:04d}" for index in range(MAX_PHONES + 1)]

    with pytest.raises(Invalid, match=f"at most {MAX_PHONES} phone numbers; got 21"):
        normalize_phones(numbers)


# Emails: the is_email test vectors

CONTROL_PICTURES = {code: code - 0x2400 for code in range(0x2400, 0x2420)}


def load_email_vectors() -> list[tuple[str, str, str]]:
    """(id, address, category); control characters are stored as control pictures."""
    tests = ElementTree.parse(DATA / "emails/isemail/tests.xml").getroot().iter("test")
    return [
        (
            test.get("id"),
            (test.findtext("address") or "").translate(CONTROL_PICTURES),
            test.findtext("category"),
        )
        for test in tests
    ]


# Selection rule. normalize_email is syntax-only (no DNS) and, by design, trims surrounding
# white space (addresses pasted or read from CSV cells), so each vector is judged on its
# trimmed address:
# - ISEMAIL_VALID_CATEGORY and ISEMAIL_DNSWARN (valid syntax; the DNS part does not apply) must
#   be accepted, ISEMAIL_ERR must be rejected;
# - RFC5321, CFWS, DEPREC and RFC5322 are left out: whether quoted local parts, comments,
#   address literals or obsolete syntax count as valid depends on the grammar chosen (policy);
# - a vector with surrounding white space takes the category of the vector that is its trimmed
#   address (all of them trim to test 8, `test@iana.org`), or is left out if there is none;
# - test 5, `test@io`, is left out: RFC-valid, but email-validator refuses dotless domains on
#   purpose (no public mail domain is one), a policy of the library we chose.
ACCEPTED_CATEGORIES = {"ISEMAIL_VALID_CATEGORY", "ISEMAIL_DNSWARN"}
REJECTED_CATEGORIES = {"ISEMAIL_ERR"}
LEFT_OUT = {"5"}
EMAIL_VECTORS = load_email_vectors()
CATEGORY_OF_ADDRESS = {address: category for _, address, category in EMAIL_VECTORS}


def judged_category(address: str, category: str) -> str | None:
    if address == address.strip():
        return category
    return CATEGORY_OF_ADDRESS.get(address.strip())


def select_vectors(categories: set[str]) -> list:
    return [
        pytest.param(address, id=f"isemail-{test_id}")
        for test_id, address, category in EMAIL_VECTORS
        if test_id not in LEFT_OUT and judged_category(address, category) in categories
    ]


ACCEPTED = select_vectors(ACCEPTED_CATEGORIES)
REJECTED = select_vectors(REJECTED_CATEGORIES)
# Punycode domains come back in Unicode, so both spellings of one address match.
NORMALISED = {"test@xn--hxajbheg2az3al.xn--jxalpdlp": "test@παράδειγμα.δοκιμή"}


def test_email_vector_selection_covers_both_outcomes():
    assert len(EMAIL_VECTORS) == 164
    # accepted: 21 valid or DNS-warned (test 5 left out) + 24 that trim to test@iana.org;
    # rejected: the 66 errors less the 16 that trim to test@iana.org
    assert (len(ACCEPTED), len(REJECTED)) == (45, 50)


@pytest.mark.parametrize("address", ACCEPTED)
def test_valid_email_vectors_are_accepted_unchanged_but_trimmed(address):
    trimmed = address.strip()

    assert normalize_email(address) == NORMALISED.get(trimmed, trimmed)


@pytest.mark.parametrize("address", REJECTED)
def test_invalid_email_vectors_are_rejected(address):
    with pytest.raises(Invalid) as error:
        normalize_email(address)
    assert str(error.value).startswith(f"{address!r} is not a valid email address: ")


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("Ann.Lee@Example.COM", "Ann.Lee@example.com"),
        ("ANN@EXAMPLE.COM", "ANN@example.com"),
        ("ann@BÜCHER.example", "ann@bücher.example"),
        ("ann@xn--bcher-kva.example", "ann@bücher.example"),
    ],
)
def test_email_domain_is_lower_cased_and_local_part_kept(raw, normalised):
    assert normalize_email(raw) == normalised


@pytest.mark.parametrize("raw", [None, 42, ["ann@example.com"]])
def test_email_must_be_text(raw):
    with pytest.raises(Invalid, match="Expected an email address as text"):
        normalize_email(raw)


def test_placeholder_email_uses_the_profile_id():
    assert placeholder_email(1017) == "1017@localhost"


# The plain-address fast path of normalize_email must answer exactly as email-validator does.


def _library_answer(address: str) -> str:
    try:
        return validate_email(address.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        return "refused"


def _our_answer(address: str) -> str:
    try:
        return normalize_email(address)
    except Invalid:
        return "refused"


def _customer_emails() -> list[str]:
    with open(DATA / "csv/customers-10000.csv", newline="", encoding="utf-8") as file:
        return [row["Email"] for row in csv.DictReader(file)]


# Shapes at the edges of the fast path: case, dots, "--", special-use and numeric TLDs,
# label and part lengths, characters outside it.
EDGE_ADDRESSES = [
    "Ann.Lee@Example.COM", "a@ab--cd.com", "a@b.c1", "a@b.co", "a..b@c.com", ".a@c.com",
    "a.@c.com", "a@b.test", "a@foo.local", "a@x.LOCALHOST", "a@localhost.com", "a@-b.com",
    "a@b-.com", "a@b.c", "a+tag@sub.example.org", "a%b@example.org", "_@example.org",
    f"{'x' * 64}@example.com", f"{'x' * 65}@example.com", f"a@{'d' * 63}.com",
    f"a@{'d' * 64}.com", f"a@{'d' * 60}.{'e' * 60}.{'f' * 60}.{'g' * 60}.com",
    "a@xn--80ak6aa92e.com", "a@b.xn--p1ai", "o'neil@example.com", "ann@exa_mple.com",
    "ann@123.com", "ann@example.123", " padded@example.com ",
]  # fmt: skip


@pytest.mark.parametrize("address", [address for _, address, _ in EMAIL_VECTORS] + EDGE_ADDRESSES)
def test_fast_path_agrees_with_email_validator(address):
    assert _our_answer(address) == _library_answer(address)


def test_fast_path_agrees_on_ten_thousand_customer_emails():
    emails = _customer_emails()
    assert len(emails) == 10_000
    assert [_our_answer(email) for email in emails] == [_library_answer(e) for e in emails]
