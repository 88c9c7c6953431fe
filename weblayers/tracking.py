"""Pixel hits (D4) and tracked link clicks (P12): what the public endpoints record.

A hit is first reduced to a small, checked `Hit` (the view answers its GIF at once); recording
it (geodata, user agent, the `pixel` event, the profile's tracked location and UTM) may run in a
Celery task, so everything in a Hit is plain JSON.
"""

import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.core import signing
from django.db import transaction
from django.urls import reverse

from history import services as history
from history.models import EventType
from profiles import geoip
from profiles import services as profiles
from profiles.models import Profile
from subscriptions.devices import parse_user_agent

from .models import Pixel
from .services import UTM_KEYS

MAX_URL = 2000
MAX_GOAL = 100
MAX_PIXEL_DATA = 4096
LINK_SALT = "weblayers.link"


class BadHit(ValueError):
    """A parameter of a public request is malformed; the message names it."""


@dataclass(frozen=True)
class Hit:
    pixel: int
    goal: str
    value: str | None
    url: str
    ip: str
    user_agent: str
    pixel_data: dict = field(default_factory=dict)
    utm: dict = field(default_factory=dict)
    profile: int | None = None
    visitor: str = ""


def read_hit(pixel: Pixel, params, *, ip: str, user_agent: str) -> dict[str, Any]:
    """The checked parameters of one hit, as keyword arguments of Hit (less profile/visitor).
    Raises BadHit naming the first bad parameter."""
    goal = params.get("goal", "") or pixel.goal
    if len(goal) > MAX_GOAL:
        raise BadHit(f"goal: at most {MAX_GOAL} characters.")
    return {
        "pixel": pixel.pk, "goal": goal, "value": _value(params.get("value", "")),
        "url": _url(params.get("url", "")), "ip": ip, "user_agent": user_agent[:512],
        "pixel_data": _pixel_data(params.get("d", "")),
        "utm": {key: params[key][:255] for key in UTM_KEYS if params.get(key)},
    }  # fmt: skip


def _value(raw: str) -> str | None:
    if not raw:
        return None
    try:
        number = Decimal(raw[:40])
    except InvalidOperation:
        raise BadHit("value: enter a number.") from None
    if not number.is_finite() or abs(number) >= 10**12:
        raise BadHit("value: enter a finite number below 10^12.")
    return str(number)


def _url(raw: str) -> str:
    if not raw:
        return ""
    if len(raw) > MAX_URL or urlsplit(raw).scheme not in ("http", "https"):
        raise BadHit(f"url: an http(s) URL of at most {MAX_URL} characters.")
    return raw


def _pixel_data(raw: str) -> dict:
    if not raw:
        return {}
    if len(raw) > MAX_PIXEL_DATA:
        raise BadHit(f"d: at most {MAX_PIXEL_DATA} characters of JSON.")
    try:
        data = json.loads(raw)
    except ValueError:
        raise BadHit("d: not valid JSON.") from None
    if not isinstance(data, dict):
        raise BadHit("d: a JSON object.")
    return data


@transaction.atomic
def record_hit(hit: Hit) -> None:
    """Record the `pixel` event with geodata and device, and update the profile's tracked
    location and (when the pixel says so) UTM tags."""
    pixel = Pixel.objects.get(pk=hit.pixel)
    profile = Profile.objects.filter(pk=hit.profile).first() if hit.profile else None
    location = geoip.locate(hit.ip)
    history.record(
        type=EventType.PIXEL, profile=profile, visitor=hit.visitor,
        object_type="weblayers.pixel", object_id=pixel.pk,
        data={
            "pixel": pixel.pixel_id, "goal": hit.goal, "value": hit.value, "url": hit.url,
            "ip": hit.ip, "geo": asdict(location) if location else {},
            "device": parse_user_agent(hit.user_agent), "pixel_data": hit.pixel_data,
        },
    )  # fmt: skip
    if profile is not None:
        profiles.track_locations({profile.pk: hit.ip})
        if pixel.update_utm and hit.utm:
            profiles.update_profile(profile=profile, values=hit.utm)


def link_url(*, profile: Profile, url: str, update_utm: bool = False) -> str:
    """A tracked link to `url` for `profile` (path of `/l/<token>/`): opening it records a
    `click` and, with `update_utm`, stores the URL's utm_* tags on the profile (P12)."""
    _url(url)
    token = signing.dumps({"p": profile.pk, "u": url, "m": update_utm}, salt=LINK_SALT)
    return reverse("weblayers:link", args=[token])


def open_link(token: str, *, ip: str = "", user_agent: str = "") -> str:
    """Record the click a link token names and return where to go. Raises
    signing.BadSignature for a forged token."""
    payload = signing.loads(token, salt=LINK_SALT)
    url = payload["u"]
    profile = Profile.objects.filter(pk=payload["p"]).first()
    if profile is not None:
        _click(profile, url, update_utm=payload["m"], ip=ip)
    return url


@transaction.atomic
def _click(profile: Profile, url: str, *, update_utm: bool, ip: str) -> None:
    history.record(type=EventType.CLICK, profile=profile, data={"url": url, "ip": ip})
    query = parse_qs(urlsplit(url).query)
    utm = {key: query[key][0][:255] for key in UTM_KEYS if query.get(key)}
    if update_utm and utm:
        profiles.update_profile(profile=profile, values=utm)
