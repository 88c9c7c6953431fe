"""Device fields of a subscription (S2) read from a User-Agent header (G3, P11).

Parsing uses ua-parser with the regexes bundled in ua-parser-builtins (uap-core). The library
picks its fastest installed resolver: pure Python here, about 0.5 ms per new user agent;
`ua-parser[regex]` (ua-parser-rs) would cut that about tenfold with no change to this module.
"""

import functools

import ua_parser

# Longer headers are junk or attacks; every uap-core test string is far shorter than this.
MAX_USER_AGENT_LENGTH = 2000

FIELDS = (
    "device_type",
    "device_model",
    "device_brand",
    "platform",
    "platform_version",
    "browser",
    "browser_version",
)

TABLET_FAMILIES = frozenset({"iPad", "Generic Tablet", "Kindle", "Kindle Fire", "Kindle Fire HD"})
PHONE_FAMILIES = frozenset({"iPhone", "iPod", "Generic Smartphone"})
PHONE_PLATFORMS = frozenset(
    {
        "iOS",
        "Android",
        "HarmonyOS",
        "Windows Phone",
        "Windows Mobile",
        "BlackBerry OS",
        "Symbian OS",
        "Symbian^3",
        "Symbian^3 Anna",
        "Symbian^3 Belle",
        "KaiOS",
        "Firefox OS",
        "Sailfish",
        "MeeGo",
        "Maemo",
        "Bada",
    }
)
DESKTOP_PLATFORMS = frozenset(
    {
        "Windows",
        "Mac OS X",
        "Chrome OS",
        "Linux",
        "Ubuntu",
        "Debian",
        "Fedora",
        "Red Hat",
        "Gentoo",
        "Mandriva",
        "FreeBSD",
        "OpenBSD",
        "NetBSD",
        "Solaris",
    }
)


def parse_user_agent(user_agent: str) -> dict[str, str]:
    """Device fields of a subscription (S2) read from a User-Agent header (G3). Keys, always all
    present, "" when unknown: device_type ("mobile" | "tablet" | "desktop" | "bot" | "" ),
    device_model, device_brand, platform (OS family, e.g. "Android", "iOS", "Windows",
    "Mac OS X"), platform_version (e.g. "14", "17.4.1"), browser (family, e.g. "Chrome",
    "Mobile Safari"), browser_version (e.g. "120.0.6099").

    Input longer than MAX_USER_AGENT_LENGTH is cut to that length first; empty input gives all "".
    Results are cached: the same few user agents make up most real traffic.
    """
    user_agent = (user_agent or "").strip()[:MAX_USER_AGENT_LENGTH]
    return dict(_parse(user_agent))


# Holds the finished fields, so a repeat costs a dict copy (ua-parser's own cache keeps only its
# parse results, and the device type would still be worked out again).
@functools.lru_cache(maxsize=4096)
def _parse(user_agent: str) -> dict[str, str]:
    if not user_agent:
        return dict.fromkeys(FIELDS, "")
    result = ua_parser.parse(user_agent).with_defaults()
    browser, os, device = result.user_agent, result.os, result.device
    return {
        "device_type": device_type(user_agent, device.family, os.family),
        "device_model": device.model or "",
        "device_brand": device.brand or "",
        "platform": _known(os.family),
        "platform_version": _version(os.major, os.minor, os.patch, os.patch_minor),
        "browser": _known(browser.family),
        "browser_version": _version(
            browser.major, browser.minor, browser.patch, browser.patch_minor
        ),
    }


def device_type(user_agent: str, device_family: str, platform: str) -> str:
    """The kind of device, from the parsed device and OS families; the first rule that holds:

    1. bot: uap-core names every crawler's device "Spider" (Googlebot, Bingbot, ...);
    2. tablet: an iPad, Kindle or "Generic Tablet";
    3. mobile: an iPhone, iPod or "Generic Smartphone";
    4. tablet: an Android browser ("Mozilla/...") without the "Mobile" token (Google asks
       browsers to send it on phones, not on tablets);
    5. mobile: a phone OS (iOS, Android, Windows Phone, BlackBerry, Symbian, KaiOS, ...) or a
       "Mobi" token (the test MDN recommends); so an Android app's own user agent (Dalvik,
       okhttp, ...), which does not say, counts as a phone;
    6. desktop: a desktop OS (Windows, Mac OS X, Chrome OS, Linux and its distributions, the BSDs)
       with no particular device ("Other") or a Mac ("Mac", "MacBookPro11,1", ...);
    7. otherwise "" (TVs, consoles, watches, feature phones without a known OS, HTTP libraries).

    Safari on iPadOS 13+ sends a Mac user agent by default, so those iPads read as desktop.
    """
    if device_family == "Spider":
        return "bot"
    if device_family in TABLET_FAMILIES:
        return "tablet"
    if device_family in PHONE_FAMILIES:
        return "mobile"
    if platform == "Android" and user_agent.startswith("Mozilla/") and "Mobile" not in user_agent:
        return "tablet"
    if platform in PHONE_PLATFORMS or "Mobi" in user_agent:
        return "mobile"
    is_computer = device_family == "Other" or device_family.startswith("Mac")
    if platform in DESKTOP_PLATFORMS and is_computer:
        return "desktop"
    return ""


def _known(family: str) -> str:
    return "" if family == "Other" else family


def _version(*parts: str | None) -> str:
    """Dotted version from the leading parts that are present: ("17", "4", None, None) -> "17.4"."""
    present = []
    for part in parts:
        if not part:
            break
        present.append(part)
    return ".".join(present)
