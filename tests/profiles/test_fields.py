"""The custom-field type registry (P3): parsing from JSON and CSV text, validation, display and
`clean_fields`. Field definitions are built, never saved: the registry needs no database."""

import math

import pytest

from config.exceptions import InvalidInput
from profiles.fields import (
    FIELD_TYPES,
    INT64_MAX,
    INT64_MIN,
    LINE_MAX_LENGTH,
    TAG_MAX_LENGTH,
    Invalid,
    clean_fields,
    clean_value,
    display_value,
    text_value,
)
from profiles.models import FieldType
from tests.profiles.factories import CustomFieldFactory

JSON, TEXT = False, True  # the two values of clean_value's `from_text`
BOTH = pytest.mark.parametrize("from_text", [JSON, TEXT], ids=["json", "text"])


def field(type: str, **attributes):
    attributes.setdefault("name", f"my_{type}")
    if type == "enum":
        attributes.setdefault("options", ["basic", "pro"])
    return CustomFieldFactory.build(type=type, **attributes)


def rejection(type: str, raw, *, from_text: bool = False, **attributes) -> str:
    with pytest.raises(Invalid) as error:
        clean_value(field(type, **attributes), raw, from_text=from_text)
    return str(error.value)


def test_registry_has_one_spec_per_field_type():
    assert set(FIELD_TYPES) == set(FieldType)


# Empty means "no value", for every type


@pytest.mark.parametrize("type", FieldType.values)
@pytest.mark.parametrize("raw", [None, "", "   "], ids=["none", "empty", "blank"])
def test_empty_value_means_no_value_for_every_type(type, raw):
    assert clean_value(field(type), raw) is None
    if raw is not None:
        assert clean_value(field(type), raw, from_text=True) is None


@pytest.mark.parametrize("raw", [[], ["", "  "], ",;|", " , | ; "])
def test_tags_with_nothing_but_separators_or_blanks_mean_no_value(raw):
    assert clean_value(field("tags"), raw) is None


@pytest.mark.parametrize("type", FieldType.values)
def test_display_of_a_missing_value_is_empty(type):
    assert display_value(field(type), None) == ""


# Number: a 64-bit signed integer


@pytest.mark.parametrize(
    ("raw", "from_text", "expected"),
    [
        (2**63 - 1, JSON, INT64_MAX),
        (-(2**63), JSON, INT64_MIN),
        ("9223372036854775807", TEXT, INT64_MAX),
        ("-9223372036854775808", TEXT, INT64_MIN),
        ("9223372036854775807", JSON, INT64_MAX),
        (0, JSON, 0),
        ("+42", TEXT, 42),
        (" 42 ", TEXT, 42),
        (" -7", JSON, -7),
    ],
)
def test_number_accepts_whole_numbers_up_to_the_64_bit_bounds(raw, from_text, expected):
    value = clean_value(field("number"), raw, from_text=from_text)

    assert value == expected
    assert type(value) is int


@pytest.mark.parametrize(
    ("raw", "from_text"),
    [
        (2**63, JSON),
        (-(2**63) - 1, JSON),
        ("9223372036854775808", TEXT),
        ("-9223372036854775809", TEXT),
        ("9223372036854775808", JSON),
    ],
)
def test_number_rejects_values_outside_64_bits(raw, from_text):
    assert "64-bit integer range" in rejection("number", raw, from_text=from_text)


@pytest.mark.parametrize(
    ("raw", "from_text", "reason"),
    [
        (3.5, JSON, "Expected a whole number, got the fraction 3.5."),
        (3.0, JSON, "Expected a whole number, got the fraction 3.0."),
        ("3.5", TEXT, "'3.5' is not a whole number."),
        ("3.0", TEXT, "'3.0' is not a whole number."),
        ("3.5", JSON, "'3.5' is not a whole number."),
    ],
)
def test_number_rejects_fractions_asking_for_a_whole_number(raw, from_text, reason):
    assert rejection("number", raw, from_text=from_text) == reason


@pytest.mark.parametrize("raw", [True, False])
def test_number_rejects_booleans_even_though_python_counts_them_as_ints(raw):
    assert "boolean" in rejection("number", raw)


@pytest.mark.parametrize("raw", ["12abc", "1e3", "0x10", "1 000", "--1", "twelve"])
def test_number_rejects_text_that_is_not_an_integer(raw):
    assert rejection("number", raw, from_text=True) == f"{raw!r} is not a whole number."


def test_number_rejects_lists():
    assert rejection("number", [1]) == "Expected a whole number, got a list."


# Float


@pytest.mark.parametrize(
    ("raw", "from_text", "expected"),
    [
        (3, JSON, 3.0),
        (3.5, JSON, 3.5),
        ("2.5", TEXT, 2.5),
        ("-.5", TEXT, -0.5),
        ("1e3", TEXT, 1000.0),
        ("1.5E-3", JSON, 0.0015),
        (" 3.5 ", TEXT, 3.5),
    ],
)
def test_float_accepts_integers_decimals_and_exponents(raw, from_text, expected):
    value = clean_value(field("float"), raw, from_text=from_text)

    assert value == expected
    assert type(value) is float


@pytest.mark.parametrize(
    ("raw", "from_text"),
    [
        (math.nan, JSON),
        (math.inf, JSON),
        (-math.inf, JSON),
        ("1e999", TEXT),
        ("-1e999", JSON),
        pytest.param(10**400, JSON, id="json-int-beyond-float-range"),
    ],
)
def test_float_rejects_nan_and_infinity(raw, from_text):
    assert rejection("float", raw, from_text=from_text) == "The number must be finite."


@pytest.mark.parametrize("raw", ["nan", "inf", "Infinity", "3,5", "1.2.3", "abc"])
def test_float_rejects_text_that_is_not_a_decimal_number(raw):
    assert "use a dot as the decimal separator" in rejection("float", raw, from_text=True)


def test_float_rejects_booleans():
    assert rejection("float", True) == "Expected a number, got a boolean."


# Line: any text


@pytest.mark.parametrize(
    "raw", ["Ann", "  padded  ", "Zoë — 東京", "a,b|c;d", "x" * LINE_MAX_LENGTH]
)
@BOTH
def test_line_keeps_any_text_unchanged(raw, from_text):
    assert clean_value(field("line"), raw, from_text=from_text) == raw


def test_line_rejects_text_over_the_length_limit():
    reason = rejection("line", "x" * (LINE_MAX_LENGTH + 1))

    assert reason == f"Text is {LINE_MAX_LENGTH + 1} characters long; the limit is 4000."


def test_line_rejects_nul_characters():
    assert rejection("line", "a\x00b") == "Text must not contain NUL characters."


@pytest.mark.parametrize(("raw", "kind"), [(5, "a number"), (["a"], "a list"), (True, "a boolean")])
def test_line_rejects_json_that_is_not_text(raw, kind):
    assert rejection("line", raw) == f"Expected text, got {kind}."


# Date: RFC 3339 with an offset, or a bare date; date-times are stored in UTC


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("2019-08-22T00:00:00.000Z", "2019-08-22T00:00:00Z"),
        ("2019-08-22", "2019-08-22"),
        ("2019-08-22T03:00:00+03:00", "2019-08-22T00:00:00Z"),
        ("2019-08-21T22:30:00-02:00", "2019-08-22T00:30:00Z"),
        ("2019-08-22T10:00:00.250Z", "2019-08-22T10:00:00.250000Z"),
        ("2019-08-22 10:00:00Z", "2019-08-22T10:00:00Z"),
        ("2019-08-22t10:00:00z", "2019-08-22T10:00:00Z"),
        ("2020-02-29", "2020-02-29"),
        (" 2019-08-22 ", "2019-08-22"),
    ],
)
@BOTH
def test_date_accepts_rfc3339_and_bare_dates_normalised_to_utc(raw, stored, from_text):
    assert clean_value(field("date"), raw, from_text=from_text) == stored


@pytest.mark.parametrize(
    "raw", ["2019-08-22T10:00:00", "2019-08-22T10:00", "2019-08-22T10:00+03:00"]
)
@BOTH
def test_date_rejects_times_without_an_offset(raw, from_text):
    reason = rejection("date", raw, from_text=from_text)

    assert reason == f"{raw!r} is not a date: use YYYY-MM-DD or RFC 3339 (2019-08-22T10:00:00Z)."


@pytest.mark.parametrize(
    "raw",
    [
        "2019-02-30",
        "2019-02-29",
        "2019-13-01",
        "2019-08-22T25:00:00Z",
        "2019-08-22T10:00:00+24:00",
        "0001-01-01T00:00:00+01:00",  # before year 1 once in UTC
        "9999-12-31T23:59:59-01:00",  # after year 9999 once in UTC
    ],
)
@BOTH
def test_date_rejects_impossible_dates(raw, from_text):
    assert rejection("date", raw, from_text=from_text).startswith(f"{raw!r} is not a real date")


@pytest.mark.parametrize("raw", ["22.08.2019", "20190822", "yesterday", "2019-8-22"])
def test_date_rejects_other_formats(raw):
    assert "use YYYY-MM-DD or RFC 3339" in rejection("date", raw, from_text=True)


def test_date_rejects_a_json_timestamp_number():
    assert (
        rejection("date", 1566432000) == "Expected a date (YYYY-MM-DD or RFC 3339), got a number."
    )


def test_stored_dates_sort_as_text_in_time_order():
    raws = ["2019-08-22T03:00:00+03:00", "2019-08-21", "2019-08-22T01:00:00+00:00", "2018-12-31"]

    stored = [clean_value(field("date"), raw) for raw in raws]

    assert sorted(stored) == [
        "2018-12-31",
        "2019-08-21",
        "2019-08-22T00:00:00Z",
        "2019-08-22T01:00:00Z",
    ]


# Boolean: true/false, yes/no, 1/0 in any case


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("yes", True),
        ("YES", True),
        ("Yes", True),
        ("true", True),
        ("True", True),
        ("1", True),
        ("no", False),
        ("No", False),
        ("false", False),
        ("FALSE", False),
        ("0", False),
        (" yes ", True),
    ],
)
@BOTH
def test_boolean_reads_yes_no_true_false_and_digits_in_any_case(raw, expected, from_text):
    assert clean_value(field("boolean"), raw, from_text=from_text) is expected


@pytest.mark.parametrize(("raw", "expected"), [(True, True), (False, False), (1, True), (0, False)])
def test_boolean_reads_json_booleans_and_0_1(raw, expected):
    assert clean_value(field("boolean"), raw) is expected


@pytest.mark.parametrize("raw", ["maybe", "y", "on", "2", "-1"])
@BOTH
def test_boolean_rejects_other_words(raw, from_text):
    reason = rejection("boolean", raw, from_text=from_text)

    assert reason == f"{raw!r} is not a boolean: use true/false, yes/no or 1/0."


@pytest.mark.parametrize("raw", [2, 1.0, ["yes"]])
def test_boolean_rejects_other_json_values(raw):
    assert rejection("boolean", raw) == f"Expected true or false, got {raw!r}."


# Enum: one of the field's options


@BOTH
def test_enum_accepts_one_of_its_options(from_text):
    assert clean_value(field("enum"), " pro ", from_text=from_text) == "pro"


@pytest.mark.parametrize("raw", ["gold", "Pro", "basic,pro"])
@BOTH
def test_enum_rejects_a_value_outside_its_options_listing_them(raw, from_text):
    reason = rejection("enum", raw, from_text=from_text)

    assert reason == f"{raw!r} is not one of the options: basic, pro."


def test_enum_rejects_a_json_number():
    assert rejection("enum", 1) == "Expected one of the options, got a number."


# IP: IPv4 only


@pytest.mark.parametrize(
    ("raw", "stored"), [("81.2.69.142", "81.2.69.142"), (" 10.0.0.1 ", "10.0.0.1")]
)
@BOTH
def test_ip_accepts_ipv4(raw, stored, from_text):
    assert clean_value(field("ip"), raw, from_text=from_text) == stored


@pytest.mark.parametrize("raw", ["2001:db8::1", "::ffff:81.2.69.142", "::1"])
@BOTH
def test_ip_rejects_ipv6_saying_it_is_ipv6(raw, from_text):
    reason = rejection("ip", raw, from_text=from_text)

    assert reason == f"{raw!r} is an IPv6 address; this field takes IPv4 only."


@pytest.mark.parametrize("raw", ["999.1.1.1", "1.2.3", "01.2.3.4", "1.2.3.4/24", "localhost"])
@BOTH
def test_ip_rejects_malformed_addresses_saying_they_are_invalid(raw, from_text):
    reason = rejection("ip", raw, from_text=from_text)

    assert reason == f"{raw!r} is not a valid IPv4 address."


# Tags: `,` `|` and `;` separate tags, so no tag may contain them


@BOTH
def test_tags_split_on_all_three_separators(from_text):
    assert clean_value(field("tags"), "a,b|c;d", from_text=from_text) == ["a", "b", "c", "d"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("vip, new ;  vip | b2b", ["vip", "new", "b2b"]),
        (["vip", "new", "vip", " new "], ["vip", "new"]),
        ("a,,b; ;", ["a", "b"]),
        (["z", "a", "m"], ["z", "a", "m"]),
        (["Vip", "vip"], ["Vip", "vip"]),
    ],
)
def test_tags_are_trimmed_deduplicated_and_keep_their_order(raw, expected):
    assert clean_value(field("tags"), raw) == expected


@pytest.mark.parametrize("separator", [",", "|", ";"])
def test_tags_reject_a_list_element_containing_a_separator(separator):
    tag = f"b{separator}c"

    reason = rejection("tags", ["a", tag])

    assert reason == f"Tag {tag!r} contains a separator (, | ;); send it as separate tags."


def test_tags_reject_an_overlong_tag():
    assert f"longer than {TAG_MAX_LENGTH} characters" in rejection("tags", "x" * 201)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (5, "Expected a list of tags or a separated string, got a number."),
        ({"a": 1}, "Expected a list of tags or a separated string, got an object."),
        (["a", 1], "Every tag must be text; got a number 1."),
    ],
)
def test_tags_reject_json_that_is_not_text(raw, reason):
    assert rejection("tags", raw) == reason


# Display


@pytest.mark.parametrize(
    ("type", "stored", "shown"),
    [
        ("number", INT64_MAX, "9223372036854775807"),
        ("float", 2.5, "2.5"),
        ("line", "Ann", "Ann"),
        ("date", "2019-08-22T00:00:00Z", "2019-08-22 00:00:00 UTC"),
        ("date", "2019-08-22", "2019-08-22"),
        ("boolean", True, "Yes"),
        ("boolean", False, "No"),
        ("enum", "pro", "pro"),
        ("ip", "81.2.69.142", "81.2.69.142"),
        ("tags", ["a", "b"], "a, b"),
    ],
)
def test_display_shows_stored_values_for_people(type, stored, shown):
    assert display_value(field(type), stored) == shown


@pytest.mark.parametrize(
    ("type", "stored", "text"),
    [
        ("number", INT64_MIN, "-9223372036854775808"),
        ("float", -2.5e-7, "-2.5e-07"),
        ("line", " Ann, Lee ", " Ann, Lee "),
        ("date", "2019-08-22T10:00:00.500000Z", "2019-08-22T10:00:00.500000Z"),
        ("date", "2019-08-22", "2019-08-22"),
        ("boolean", True, "true"),
        ("boolean", False, "false"),
        ("enum", "pro", "pro"),
        ("ip", "81.2.69.142", "81.2.69.142"),
        ("tags", ["a b", "c"], "a b, c"),
    ],
)
def test_text_value_reads_back_to_the_stored_value(type, stored, text):
    # text_value writes what CSV exports and form inputs hold; the text parser reads it back
    assert text_value(field(type), stored) == text
    assert clean_value(field(type), text, from_text=TEXT) == stored


# clean_fields: the whole `fields` object of a profile


@pytest.fixture
def definitions():
    return {
        "tariff": field("enum", name="tariff"),
        "age": field("number", name="age"),
        "interests": field("tags", name="interests"),
        "vip": field("boolean", name="vip", default=False),
    }


def field_errors(definitions, values, **options) -> dict:
    with pytest.raises(InvalidInput) as error:
        clean_fields(definitions, values, **options)
    return error.value.errors["fields"]


def test_clean_fields_reports_an_unknown_field_name(definitions):
    errors = field_errors(definitions, {"shoe_size": 42})

    assert errors == {
        "shoe_size": ["Unknown field: this database has no custom field with this name."]
    }


def test_clean_fields_reports_a_required_field_missing_on_create(definitions):
    definitions["age"].required = True

    assert field_errors(definitions, {"tariff": "pro"}) == {"age": ["This field is required."]}


def test_clean_fields_reports_a_required_field_cleared_on_update(definitions):
    definitions["age"].required = True

    errors = field_errors(definitions, {"age": None}, current={"age": 33})

    assert errors == {"age": ["This field is required."]}


def test_clean_fields_applies_defaults_on_create(definitions):
    assert clean_fields(definitions, {"age": 33}) == {"age": 33, "vip": False}


def test_clean_fields_given_value_wins_over_the_default(definitions):
    assert clean_fields(definitions, {"vip": "yes"}) == {"vip": True}


def test_clean_fields_never_applies_defaults_on_update(definitions):
    assert clean_fields(definitions, {"age": 34}, current={"tariff": "pro"}) == {
        "tariff": "pro",
        "age": 34,
    }


def test_clean_fields_merges_key_by_key_and_none_or_empty_clears(definitions):
    # given
    current = {"tariff": "pro", "age": 33, "interests": ["a"], "vip": True}

    # when
    result = clean_fields(
        definitions, {"age": 34, "interests": None, "tariff": ""}, current=current
    )

    # then
    assert result == {"age": 34, "vip": True}
    assert current == {"tariff": "pro", "age": 33, "interests": ["a"], "vip": True}


def test_clean_fields_reports_every_bad_key_at_once(definitions):
    definitions["interests"].required = True

    errors = field_errors(
        definitions, {"tariff": "gold", "age": 3.5, "vip": "maybe", "shoe_size": 42}
    )

    assert errors == {
        "tariff": ["'gold' is not one of the options: basic, pro."],
        "age": ["Expected a whole number, got the fraction 3.5."],
        "vip": ["'maybe' is not a boolean: use true/false, yes/no or 1/0."],
        "shoe_size": ["Unknown field: this database has no custom field with this name."],
        "interests": ["This field is required."],
    }


def test_clean_fields_reads_a_csv_row_as_text(definitions):
    row = {"tariff": "basic", "age": " 33 ", "interests": "a|b;a", "vip": "Yes"}

    result = clean_fields(definitions, row, from_text=True)

    assert result == {"tariff": "basic", "age": 33, "interests": ["a", "b"], "vip": True}
