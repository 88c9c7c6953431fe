"""Device fields read from user agents (G3), checked on uap-core's own test cases
(tests/data/useragents/, see its README)."""

from pathlib import Path

import pytest
import yaml

from subscriptions.devices import FIELDS, MAX_USER_AGENT_LENGTH, parse_user_agent

DATA = Path(__file__).parents[1] / "data" / "useragents"
VERSION_PARTS = ("major", "minor", "patch", "patch_minor")

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 12_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/12.1.1 EdgiOS/44.5.0.10 Mobile/15E148 Safari/604.1"
)
IPAD = (
    "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 Safari/604.1 (Brave)"
)
ANDROID_PHONE = (
    "Mozilla/5.0 (Linux; Android 11; GM1917) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/100.0.4896.127 Mobile Safari/537.36"
)
ANDROID_TABLET = (
    "Mozilla/5.0 (Linux; Android 16; SM-X115 Build/BP2A.250605.031.A3) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/145.0.7632.122 Safari/537.36 OPT/2.9"
)
WINDOWS_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/68.0.3440.106 Safari/537.36 CitrixChromeApp"
)
MAC_SAFARI = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_3) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/13.0.5 Safari/605.1.15"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def uap_cases(file_name: str) -> list[pytest.param]:
    text = (DATA / file_name).read_text(encoding="utf-8")
    cases = yaml.load(text, Loader=yaml.CSafeLoader)["test_cases"]
    return [pytest.param(case, id=f"{n}-{case['family']}") for n, case in enumerate(cases)]


def expected_family(case: dict) -> str:
    return "" if case["family"] == "Other" else case["family"]


def expected_version(case: dict) -> str:
    present = []
    for part in VERSION_PARTS:
        if not case.get(part):
            break
        present.append(case[part])
    return ".".join(present)


def browser_version_matches(version: str, case: dict) -> bool:
    """Most of test_ua.yaml's cases do not list patch_minor, and so say nothing about a fourth
    part after a patch."""
    expected = expected_version(case)
    fourth_part_open = case.get("patch") and "patch_minor" not in case
    return version == expected or bool(fourth_part_open and version.startswith(f"{expected}."))


@pytest.mark.parametrize("case", uap_cases("test_ua.yaml"))
def test_browser_and_version_match_uap_core(case):
    fields = parse_user_agent(case["user_agent_string"])

    assert fields["browser"] == expected_family(case)
    assert browser_version_matches(fields["browser_version"], case), fields["browser_version"]


@pytest.mark.parametrize("case", uap_cases("test_os.yaml"))
def test_platform_and_version_match_uap_core(case):
    fields = parse_user_agent(case["user_agent_string"])

    assert fields["platform"] == expected_family(case)
    assert fields["platform_version"] == expected_version(case)


@pytest.mark.parametrize("case", uap_cases("test_device.yaml"))
def test_device_brand_and_model_match_uap_core(case):
    fields = parse_user_agent(case["user_agent_string"])

    assert fields["device_brand"] == (case["brand"] or "")
    assert fields["device_model"] == (case["model"] or "")


@pytest.mark.parametrize(
    ("user_agent", "device_type"),
    [
        pytest.param(IPHONE, "mobile", id="iphone"),
        pytest.param(ANDROID_PHONE, "mobile", id="android-phone"),
        pytest.param(IPAD, "tablet", id="ipad"),
        pytest.param(ANDROID_TABLET, "tablet", id="android-tablet-without-mobile-token"),
        pytest.param(WINDOWS_CHROME, "desktop", id="windows-chrome"),
        pytest.param(MAC_SAFARI, "desktop", id="mac-safari"),
        pytest.param(GOOGLEBOT, "bot", id="googlebot"),
    ],
)
def test_device_type_of_real_user_agents(user_agent, device_type):
    assert parse_user_agent(user_agent)["device_type"] == device_type


def test_hand_picked_user_agents_come_from_the_uap_core_data():
    picked = {IPHONE, IPAD, ANDROID_PHONE, ANDROID_TABLET, WINDOWS_CHROME, MAC_SAFARI, GOOGLEBOT}
    in_data = {
        param.values[0]["user_agent_string"]
        for file_name in ("test_ua.yaml", "test_os.yaml", "test_device.yaml")
        for param in uap_cases(file_name)
    }

    assert picked <= in_data


def test_every_field_is_read_from_an_android_phone():
    assert parse_user_agent(ANDROID_PHONE) == {
        "device_type": "mobile",
        "device_model": "OnePlus GM1917",
        "device_brand": "OnePlus",
        "platform": "Android",
        "platform_version": "11",
        "browser": "Chrome Mobile",
        "browser_version": "100.0.4896.127",
    }


@pytest.mark.parametrize("user_agent", ["", "   ", None])
def test_empty_user_agent_gives_every_field_empty(user_agent):
    assert parse_user_agent(user_agent) == dict.fromkeys(FIELDS, "")


def test_unknown_client_gives_empty_fields_not_other():
    fields = parse_user_agent("tessera-test-client")

    assert fields == dict.fromkeys(FIELDS, "")


def test_text_past_the_length_limit_is_not_read():
    # given a desktop browser whose header only turns into Googlebot's after the limit
    padding = " x" * MAX_USER_AGENT_LENGTH
    user_agent = f"{WINDOWS_CHROME}{padding} (compatible; Googlebot/2.1)"

    # when
    fields = parse_user_agent(user_agent)

    # then
    assert fields["device_type"] == "desktop"
    assert fields["browser"] == "Chrome"


def test_changing_a_result_leaves_the_cached_one_untouched():
    fields = parse_user_agent(IPAD)
    fields["device_type"] = "desktop"

    assert parse_user_agent(IPAD)["device_type"] == "tablet"
