"""G1: IP geolocation from the MaxMind test databases, and G2's profile services that use it.
Expected values: data/geoip/README.md ("Expected lookups"), copied with the databases."""

import io
import logging
import os
import shutil
from dataclasses import fields
from pathlib import Path

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError

from profiles import geoip, services
from profiles.geoip import Location
from profiles.models import Profile
from tests.profiles.factories import ProfileFactory

GEOIP_DATA = Path(__file__).resolve().parents[2] / "data" / "geoip"
GEOLITE = GEOIP_DATA / "GeoLite2-City-Test.mmdb"
GEOIP2 = GEOIP_DATA / "GeoIP2-City-Test.mmdb"

LONDON = Location("GB", "England", "London", "", "Europe/London", 51.5142, -0.0931)
LINKOPING = Location(
    "SE", "Östergötland County", "Linköping", "", "Europe/Stockholm", 58.4167, 15.6167
)
SAN_DIEGO_92105 = Location(
    "US", "California", "San Diego", "92105", "America/Los_Angeles", 32.7405, -117.0935
)


@pytest.fixture
def clock(monkeypatch):
    """geoip's monotonic clock, moved on by hand: `clock.tick()` lets a check interval pass."""

    class Clock:
        now = 1_000_000.0

        def tick(self):
            self.now += geoip.CHECK_INTERVAL

    fake = Clock()
    monkeypatch.setattr(geoip, "monotonic", lambda: fake.now)
    return fake


@pytest.fixture
def db_file(settings, tmp_path):
    """GEOIP_DB_PATH pointed at a copy of GeoLite2-City-Test that a test may replace."""
    path = tmp_path / "city.mmdb"
    shutil.copyfile(GEOLITE, path)
    settings.GEOIP_DB_PATH = path
    return path


def replace_atomically(path: Path, source: Path) -> None:
    """As geoipupdate does: write a new file beside the old one, then rename it over."""
    fresh = path.with_suffix(".new")
    shutil.copyfile(source, fresh)
    os.replace(fresh, path)


@pytest.mark.parametrize(
    ("ip", "expected"),
    [
        ("81.2.69.142", LONDON),
        (
            "2.125.160.216",
            Location("GB", "West Berkshire", "Boxford", "OX1", "Europe/London", 51.75, -1.25),
        ),
        (
            "216.160.83.56",
            Location(
                "US", "Washington", "Milton", "98354", "America/Los_Angeles", 47.2513, -122.3149
            ),
        ),
        ("89.160.20.112", LINKOPING),
        ("67.43.156.1", Location("BT", timezone="Asia/Thimphu", latitude=27.5, longitude=90.5)),
        (
            "202.196.224.1",
            Location(
                "PH", postcode="34021", timezone="Asia/Manila", latitude=13.0, longitude=122.0
            ),
        ),
        (
            "175.16.199.1",
            Location("CN", "Jilin Sheng", "Changchun", "", "Asia/Harbin", 43.88, 125.3228),
        ),
        (
            "2001:480:10::1",
            Location(
                "US", "California", "San Diego", "92101", "America/Los_Angeles", 32.7203, -117.1552
            ),
        ),
        (
            "2001:218::1",
            Location("JP", timezone="Asia/Tokyo", latitude=35.68536, longitude=139.75309),
        ),
        ("::ffff:81.2.69.142", LONDON),  # IPv4-mapped IPv6
        (" 81.2.69.142\n", LONDON),
    ],
)
def test_locate_reads_the_default_test_database(ip, expected):
    assert geoip.locate(ip) == expected


@pytest.mark.parametrize(
    "ip",
    [
        "1.1.1.1",  # not in the file
        "8.8.8.8",
        "214.78.120.1",  # only in GeoIP2-City-Test
        "127.0.0.1",  # not public
        "10.1.2.3",
        "192.168.0.1",
        "fe80::1",
        "::ffff:10.1.2.3",
        "",  # not an address at all
        "81.2.69",
        "999.2.69.142",
        "London",
        "81.2.69.142/31",
        None,
        81,
        ["81.2.69.142"],
    ],
)
def test_locate_answers_none_for_unknown_private_and_invalid_input(ip):
    assert geoip.locate(ip) is None


def test_a_record_without_any_location_is_none(settings):
    # given a file whose record for 214.1.1.1 holds only traits.is_anycast
    settings.GEOIP_DB_PATH = GEOIP2
    # then
    assert geoip.locate("214.1.1.1") is None
    assert geoip.locate("214.78.120.1") == SAN_DIEGO_92105


def test_a_replaced_file_is_read_after_the_check_interval(db_file, clock):
    # given
    assert geoip.locate("214.78.120.1") is None
    assert geoip.database_info().type == "GeoLite2-City"
    # when
    replace_atomically(db_file, GEOIP2)
    # then the file is looked at again only once the interval has passed
    assert geoip.locate("214.78.120.1") is None
    clock.tick()
    assert geoip.locate("214.78.120.1") == SAN_DIEGO_92105
    assert geoip.database_info().type == "GeoIP2-City"
    assert geoip.locate("81.2.69.142") == LONDON


def test_a_file_rewritten_in_place_is_read_again(db_file, clock):
    # given
    assert geoip.locate("214.78.120.1") is None
    # when the new file has another size and modification time
    shutil.copyfile(GEOIP2, db_file)
    clock.tick()
    # then
    assert geoip.locate("214.78.120.1") == SAN_DIEGO_92105


def test_a_missing_file_is_logged_once_and_picked_up_when_it_appears(
    settings, tmp_path, clock, caplog
):
    # given
    path = tmp_path / "absent.mmdb"
    settings.GEOIP_DB_PATH = path
    # when
    with caplog.at_level(logging.WARNING, logger="profiles.geoip"):
        first = geoip.locate("81.2.69.142")
        clock.tick()
        second = geoip.locate("81.2.69.142")
    # then
    assert first is second is None
    assert not geoip.is_available()
    assert [record.getMessage() for record in caplog.records] == [
        f"No GeoIP database file at {path} (GEOIP_DB_PATH). IP addresses will not be located."
    ]
    with pytest.raises(geoip.DatabaseUnavailable, match="No GeoIP database file"):
        geoip.database_info()
    # when the file arrives
    shutil.copyfile(GEOLITE, path)
    clock.tick()
    # then
    assert geoip.locate("81.2.69.142") == LONDON


def test_a_corrupt_file_is_logged_and_locates_nothing(settings, tmp_path, caplog):
    # given
    path = tmp_path / "corrupt.mmdb"
    path.write_bytes(b"not a MaxMind database" * 100)
    settings.GEOIP_DB_PATH = path
    # when
    with caplog.at_level(logging.WARNING, logger="profiles.geoip"):
        located = geoip.locate("81.2.69.142")
    # then
    assert located is None
    assert "Cannot read the GeoIP database" in caplog.text
    with pytest.raises(geoip.DatabaseUnavailable, match="Is this a valid MaxMind DB file"):
        geoip.database_info()


# manage.py geoip_check


def test_geoip_check_prints_the_database_and_each_location():
    out = io.StringIO()
    call_command("geoip_check", "81.2.69.142", "2001:218::1", "10.0.0.1", stdout=out)
    assert out.getvalue().splitlines() == [
        f"Database: {GEOLITE}",
        "Type: GeoLite2-City, built 2026-02-04 22:49:29 UTC",
        "81.2.69.142: country=GB region=England city=London postcode= timezone=Europe/London "
        "latitude=51.5142 longitude=-0.0931",
        "2001:218::1: country=JP region= city= postcode= timezone=Asia/Tokyo "
        "latitude=35.68536 longitude=139.75309",
        "10.0.0.1: not found",
        "Located 2 of 3 addresses.",
    ]


def test_geoip_check_refuses_an_invalid_address():
    with pytest.raises(CommandError, match=r"Not IP addresses: 81\.2\.69, London\.") as error:
        call_command("geoip_check", "81.2.69.142", "81.2.69", "London", stdout=io.StringIO())
    assert error.value.returncode == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "No GeoIP database file at"), (b"\x00" * 500, "Cannot read the GeoIP database")],
)
def test_geoip_check_fails_without_a_usable_database(settings, tmp_path, content, message):
    path = tmp_path / "city.mmdb"
    if content is not None:
        path.write_bytes(content)
    settings.GEOIP_DB_PATH = path
    with pytest.raises(CommandError, match=message):
        call_command("geoip_check", "81.2.69.142", stdout=io.StringIO())


def test_geoip_check_exits_non_zero_from_the_command_line(settings, tmp_path, capsys):
    settings.GEOIP_DB_PATH = tmp_path / "absent.mmdb"
    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(["manage.py", "geoip_check", "81.2.69.142"])
    assert exit_.value.code == 1
    assert "CommandError: No GeoIP database file at" in capsys.readouterr().err


# Services (G2)


@pytest.mark.parametrize(
    ("given", "city", "country"),
    [
        ({}, "London", "GB"),
        ({"registration_city": "", "registration_country": ""}, "London", "GB"),
        ({"registration_city": "Camden"}, "Camden", "GB"),
        ({"registration_country": "IE"}, "London", "IE"),
    ],
)
def test_registration_geo_fills_only_what_is_missing(given, city, country):
    values = {"email": "ann@example.com", "registration_ip": "81.2.69.142", **given}
    filled = services.registration_geo(values)
    assert (filled["registration_city"], filled["registration_country"]) == (city, country)
    assert filled["email"] == "ann@example.com"
    assert values == {"email": "ann@example.com", "registration_ip": "81.2.69.142", **given}


@pytest.mark.parametrize("ip", [None, "", "10.0.0.1", "8.8.8.8"])
def test_registration_geo_without_a_known_ip_changes_nothing(ip):
    values = {"registration_ip": ip, "registration_city": ""}
    assert services.registration_geo(values) == values


def test_track_locations_updates_a_batch_in_one_query(shop, django_assert_num_queries):
    # given
    ann, bob, cem = (ProfileFactory(database=shop) for _ in range(3))
    # when: one UPDATE, whatever the number of profiles
    with django_assert_num_queries(1):
        written = services.track_locations(
            {ann.pk: "81.2.69.142", bob.pk: "89.160.20.112", cem.pk: "81.2.69.142"}
        )
    # then
    assert written == 3
    ann.refresh_from_db()
    assert tracked(ann) == ("81.2.69.142", LONDON)
    bob.refresh_from_db()
    assert tracked(bob) == ("89.160.20.112", LINKOPING)


def test_an_ip_located_nowhere_clears_the_tracked_location(shop):
    # given
    ann = ProfileFactory(database=shop)
    services.track_locations({ann.pk: "81.2.69.142"})
    # when
    services.track_locations({ann.pk: "10.0.0.7"})
    # then
    ann.refresh_from_db()
    assert tracked(ann) == ("10.0.0.7", Location())


def test_without_a_database_only_the_tracked_ip_changes(shop, settings, tmp_path):
    # given
    ann = ProfileFactory(database=shop)
    services.track_locations({ann.pk: "81.2.69.142"})
    settings.GEOIP_DB_PATH = tmp_path / "absent.mmdb"
    # when
    services.track_locations({ann.pk: "89.160.20.112"})
    # then
    ann.refresh_from_db()
    assert tracked(ann) == ("89.160.20.112", LONDON)


def test_track_locations_skips_values_that_are_not_addresses(shop):
    ann = ProfileFactory(database=shop)
    assert services.track_locations({ann.pk: "not an ip", 424242: "81.2.69.142"}) == 0
    assert Profile.objects.get(pk=ann.pk).tracked_ip is None


def tracked(profile: Profile) -> tuple[str | None, Location]:
    location = Location(*(getattr(profile, f"tracked_{key.name}") for key in fields(Location)))
    return profile.tracked_ip, location
