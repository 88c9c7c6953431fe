"""Quick search (P15) through `selectors.search_profiles` and the registry's `search_query`, on
real profiles of the `shop` database (tariff enum, age number, interests tags)."""

import pytest

from profiles.fields import Invalid, search_query
from profiles.models import Profile
from profiles.selectors import search_profiles
from tests.profiles.factories import CustomFieldFactory, ProfileDatabaseFactory, ProfileFactory


def found(text: str, queryset=None, database=None) -> set[int]:
    queryset = Profile.objects.all() if queryset is None else queryset
    return set(search_profiles(queryset, text, database=database).values_list("pk", flat=True))


@pytest.fixture
def shop_fields(shop):
    """The shop plus a date field (`joined`) and a boolean (`vip`)."""
    CustomFieldFactory(database=shop, name="joined", type="date")
    CustomFieldFactory(database=shop, name="vip", type="boolean")
    return shop


def profile(database, **fields) -> Profile:
    return ProfileFactory(database=database, fields=fields)


def test_enum_search_finds_profiles_with_that_option(shop):
    # given
    pro = profile(shop, tariff="pro")
    profile(shop, tariff="basic")
    profile(shop)

    # when / then
    assert found("tariff:pro") == {pro.pk}


@pytest.mark.parametrize("text", ["age:33", "age:+33", "age: 33 "])
def test_number_search_matches_the_whole_number(shop, text):
    thirty_three = profile(shop, age=33)
    profile(shop, age=333)
    profile(shop, age=3)

    assert found(text) == {thirty_three.pk}


def test_tags_search_finds_profiles_carrying_the_tag_not_a_longer_one(shop):
    # given
    first = profile(shop, interests=["a", "b"])
    last = profile(shop, interests=["b", "a"])
    profile(shop, interests=["ab", "ba"])
    profile(shop)

    # then
    assert found("interests:a") == {first.pk, last.pk}


def test_tags_search_with_several_tags_needs_them_all(shop):
    both = profile(shop, interests=["a", "b", "c"])
    profile(shop, interests=["a"])
    profile(shop, interests=["b"])

    assert found("interests:a|b") == {both.pk}


def test_tags_search_finds_non_ascii_tags(shop):
    skier = profile(shop, interests=["ски", "café"])
    profile(shop, interests=["cafe"])

    assert found("interests:café") == {skier.pk}
    assert found("interests:ски") == {skier.pk}


def test_date_search_by_a_bare_day_finds_dates_and_date_times_of_that_utc_day(shop_fields):
    # given: a bare date, and two date-times that fall on 22 August once in UTC
    bare = profile(shop_fields, joined="2019-08-22")
    moscow_morning = profile(shop_fields, joined="2019-08-22T03:00:00+03:00")
    azores_evening = profile(shop_fields, joined="2019-08-21T23:30:00-01:00")
    profile(shop_fields, joined="2019-08-23")
    profile(shop_fields, joined="2019-08-22T01:00:00+03:00")  # 21 August in UTC

    # when / then
    assert found("joined:2019-08-22") == {bare.pk, moscow_morning.pk, azores_evening.pk}


def test_date_search_by_a_date_time_matches_the_same_instant_in_any_offset(shop_fields):
    instant = profile(shop_fields, joined="2019-08-22T00:00:00.000Z")
    profile(shop_fields, joined="2019-08-22")

    assert found("joined:2019-08-22T03:00:00+03:00") == {instant.pk}


@pytest.mark.parametrize(
    ("text", "wanted"), [("vip:yes", True), ("vip:1", True), ("vip:No", False)]
)
def test_boolean_search_reads_any_boolean_word(shop_fields, text, wanted):
    people = {flag: profile(shop_fields, vip=flag) for flag in (True, False)}
    profile(shop_fields, age=1)

    assert found(text) == {people[wanted].pk}


def test_empty_value_finds_profiles_without_the_field(shop):
    profile(shop, tariff="pro")
    without = profile(shop, age=33)

    assert found("tariff:") == {without.pk}


def test_search_query_filters_profiles_directly(shop):
    pro = profile(shop, tariff="pro")
    profile(shop, tariff="basic")
    tariff = shop.fields.get(name="tariff")

    assert list(Profile.objects.filter(search_query(tariff, "pro"))) == [pro]


def test_unknown_field_name_is_an_error(shop):
    with pytest.raises(Invalid, match="No custom field is named 'shoe_size'."):
        found("shoe_size:42")


def test_field_of_another_database_is_unknown_when_searching_one_database(shop):
    other = ProfileDatabaseFactory(name="Newsletter")
    CustomFieldFactory(database=other, name="nickname", type="line")

    with pytest.raises(Invalid, match="No custom field is named 'nickname'."):
        found("nickname:ann", Profile.objects.filter(database=shop), database=shop)


def test_field_search_across_databases_uses_each_databases_field(shop):
    # given "tariff" is an enum in the shop and free text in the newsletter database
    other = ProfileDatabaseFactory(name="Newsletter")
    CustomFieldFactory(database=other, name="tariff", type="line")
    in_shop = profile(shop, tariff="pro")
    in_newsletter = profile(other, tariff="pro")
    profile(other, tariff="pro plus")

    assert found("tariff:pro") == {in_shop.pk, in_newsletter.pk}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("age:abc", "'abc' is not a whole number."),
        ("age:3.5", "'3.5' is not a whole number."),
        ("age:9223372036854775808", "outside the 64-bit integer range"),
        ("tariff:gold", "'gold' is not one of the options: basic, pro."),
        ("interests:a|" + "x" * 201, "longer than 200 characters"),
        ("vip:maybe", "'maybe' is not a boolean"),
        ("joined:2019-02-30", "'2019-02-30' is not a real date"),
        ("joined:2019-08-22T10:00:00", "use YYYY-MM-DD or RFC 3339"),
    ],
)
def test_value_of_the_wrong_type_is_an_error(shop_fields, text, reason):
    profile(shop_fields, age=33)

    with pytest.raises(Invalid) as error:
        found(text)
    assert reason in str(error.value)


# Standard identifiers


@pytest.mark.parametrize(
    "text", ["ann.lee@example.com", "ANN.LEE@EXAMPLE.COM", " Ann.Lee@Example.com "]
)
def test_email_search_ignores_case(shop, text):
    ann = ProfileFactory(database=shop, email="Ann.Lee@Example.COM")
    ProfileFactory(database=shop, email="lee@example.com")

    assert found(text) == {ann.pk}


@pytest.mark.parametrize("text", ["+447400123456", "+44 7400 123456", "+1 (201) 555-0123"])
def test_phone_search_finds_any_of_the_profiles_numbers(shop, text):
    ann = ProfileFactory(database=shop, phones=["+447400123456", "+12015550123"])
    ProfileFactory(database=shop, phones=["+447400123457"])

    assert found(text) == {ann.pk}


def test_profile_id_search_finds_exactly_that_profile(shop):
    profiles = [ProfileFactory(database=shop) for _ in range(12)]

    assert found(str(profiles[0].pk)) == {profiles[0].pk}
    assert found(str(profiles[10].pk)) == {profiles[10].pk}


@pytest.mark.parametrize("identifier", ["md5", "xxh"])
def test_digest_search_finds_the_profile_in_any_case(shop, identifier):
    ann = ProfileFactory(database=shop)
    ProfileFactory(database=shop)
    digest = getattr(ann, identifier)

    assert found(digest) == {ann.pk}
    assert found(digest.upper()) == {ann.pk}


def test_name_search_matches_first_and_last_name(shop):
    ann = ProfileFactory(database=shop, first_name="Ann", last_name="Lee")
    ProfileFactory(database=shop, first_name="Ann", last_name="Smith")

    assert found("ann lee") == {ann.pk}
