"""D4 pixels and P12 link clicks: events with goal, value, URL, geodata, device and raw
pixel_data; the profile named by a signed parameter or cookie; UTM from links when enabled."""

import json

import pytest
from django.test import Client

from history.models import Event
from tests.profiles.factories import ProfileFactory
from weblayers import identity, tracking, views

from .factories import PixelFactory

pytestmark = pytest.mark.django_db

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)


def test_gif_hit_records_a_pixel_event_for_the_signed_profile(shop):
    # given
    pixel = PixelFactory(database=shop)
    ann = ProfileFactory(database=shop)
    query = {
        "goal": "purchase", "value": "19.90", "url": "https://shop.example.com/cart",
        "d": json.dumps({"cart": [1, 2]}), identity.TOKEN_PARAM: identity.profile_token(ann),
    }  # fmt: skip
    # when
    answer = Client().get(
        f"/px/{pixel.pixel_id}.gif", query, REMOTE_ADDR="81.2.69.142", HTTP_USER_AGENT=IPHONE
    )
    # then a 1x1 GIF, and the event with everything the hit said
    assert answer.status_code == 200 and answer["Content-Type"] == "image/gif"
    assert answer.content == views.GIF
    event = Event.objects.get(type="pixel")
    assert event.profile_id == ann.pk
    assert (event.data["goal"], event.data["value"], event.data["url"]) == (
        "purchase", "19.90", "https://shop.example.com/cart",
    )  # fmt: skip
    assert (event.data["geo"]["city"], event.data["geo"]["country"]) == ("London", "GB")
    assert event.data["device"]["platform"] == "iOS"
    assert event.data["pixel_data"] == {"cart": [1, 2]}
    ann.refresh_from_db()
    assert ann.tracked_city == "London"


def test_unknown_visitor_gets_a_cookie_and_an_anonymous_event(shop):
    pixel = PixelFactory(database=shop)
    answer = Client().get(f"/px/{pixel.pixel_id}.json")
    assert answer.json() == {"ok": True}
    visitor = answer.cookies[identity.VISITOR_COOKIE].value
    event = Event.objects.get(type="pixel")
    assert (event.profile_id, event.visitor, event.data["goal"]) == (None, visitor, "view")


def test_forged_or_foreign_tokens_identify_nobody(shop, other_shop=None):
    pixel = PixelFactory(database=shop)
    ann = ProfileFactory(database=shop)
    stranger = ProfileFactory()  # another database
    for token in (ann.xxh + ":AAAAAAAAAAAAAAAAAAAAAAAAAAA", identity.profile_token(stranger)):
        Client().get(f"/px/{pixel.pixel_id}.gif", {identity.TOKEN_PARAM: token})
    assert list(Event.objects.filter(type="pixel").values_list("profile_id", flat=True)) == [
        None, None,
    ]  # fmt: skip


def test_pixel_updates_utm_only_when_enabled(shop):
    ann = ProfileFactory(database=shop)
    token = identity.profile_token(ann)
    for pixel in (PixelFactory(database=shop), PixelFactory(database=shop, update_utm=True)):
        source = "off" if not pixel.update_utm else "newsletter"
        Client().get(f"/px/{pixel.pixel_id}.gif", {"utm_source": source, "tp": token})
    ann.refresh_from_db()
    assert ann.utm_source == "newsletter"


def test_json_pixel_accepts_a_posted_body_with_cors_for_listed_origins(shop):
    pixel = PixelFactory(database=shop, allowed_origins=["https://shop.example.com"])
    body = {"goal": "signup", "value": 12.5, "pixel_data": {"plan": "pro"}}
    answer = Client().post(
        f"/px/{pixel.pixel_id}.json", body, content_type="application/json",
        HTTP_ORIGIN="https://shop.example.com",
    )  # fmt: skip
    assert answer["Access-Control-Allow-Origin"] == "https://shop.example.com"
    event = Event.objects.get(type="pixel")
    assert (event.data["value"], event.data["pixel_data"]) == ("12.5", {"plan": "pro"})
    other = Client().get(f"/px/{pixel.pixel_id}.json", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in other


def test_link_click_records_the_click_and_updates_utm_when_enabled(shop):
    ann = ProfileFactory(database=shop)
    url = "https://shop.example.com/sale?utm_source=mail&utm_campaign=spring"
    answer = Client().get(tracking.link_url(profile=ann, url=url, update_utm=True))
    assert answer.status_code == 302 and answer["Location"] == url
    ann.refresh_from_db()
    assert (ann.utm_source, ann.utm_campaign) == ("mail", "spring")
    assert Event.objects.get(type="click", profile=ann).data["url"] == url
    plain = ProfileFactory(database=shop)
    Client().get(tracking.link_url(profile=plain, url=url))
    plain.refresh_from_db()
    assert plain.utm_source == ""


def test_tampered_link_is_refused_and_redirects_nowhere():
    answer = Client().get("/l/eyJ1IjoiaHR0cHM6Ly9ldmlsLmV4YW1wbGUifQ:1abc:forged/")
    assert answer.status_code == 400
    assert not Event.objects.exists()
