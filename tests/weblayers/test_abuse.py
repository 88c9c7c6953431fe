"""Abuse of the public endpoints: floods, huge or malformed bodies and parameters. None may
cause a 500, write anything, or answer with personal data."""

import json

import pytest
from django.test import Client

from history.models import Event
from profiles.models import Profile
from tests.profiles.factories import ProfileFactory
from weblayers import views

from .factories import FormFactory, PixelFactory

pytestmark = pytest.mark.django_db


def test_a_flood_of_submissions_is_cut_off_per_address(shop):
    form = FormFactory(database=shop)
    limit, _ = views.LIMITS["form-submit"]
    statuses = [
        Client().post(f"/f/{form.slug}/", {"email": f"p{n}@example.com"}).status_code
        for n in range(limit + 3)
    ]
    assert statuses == [200] * limit + [429] * 3
    assert Profile.objects.filter(database=shop).count() == limit
    other = Client(REMOTE_ADDR="10.9.8.7").post(f"/f/{form.slug}/", {"email": "x@example.com"})
    assert other.status_code == 200


def test_a_flood_of_pixel_hits_is_cut_off(shop, settings):
    pixel = PixelFactory(database=shop)
    limit, _ = views.LIMITS["pixel"]
    client = Client()
    statuses = {client.get(f"/px/{pixel.pixel_id}.gif").status_code for _ in range(limit)}
    assert statuses == {200}
    assert client.get(f"/px/{pixel.pixel_id}.gif").status_code == 429
    assert Event.objects.filter(type="pixel").count() == limit


def test_huge_bodies_are_refused_before_reading(shop):
    form = FormFactory(database=shop)
    huge = json.dumps({"email": "a@example.com", "name": "x" * (views.MAX_BODY + 1)})
    answer = Client().post(f"/f/{form.slug}/", huge, content_type="application/json")
    assert answer.status_code == 413
    html = Client().post(f"/f/{form.slug}/", {"name": "x" * (views.MAX_BODY + 1)})
    assert html.status_code == 413
    assert not Profile.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[1, 2]",
        json.dumps({"email": ["a@example.com"]}),
        json.dumps({f"k{n}": "v" for n in range(100)}),
        json.dumps({"email": "a@example.com", "name": "n" * 1001}),
        json.dumps({"email": "a@example.com", "name": "n" * 151}),
    ],
)
def test_malformed_json_submissions_answer_400(shop, body):
    form = FormFactory(database=shop)
    answer = Client().post(f"/f/{form.slug}/", body, content_type="application/json")
    assert answer.status_code == 400
    assert "errors" in answer.json()
    assert not Profile.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        {"url": "javascript:alert(1)"},
        {"url": "https://x.example/" + "a" * 2100},
        {"value": "NaN"},
        {"value": "1e400"},
        {"value": "ten"},
        {"goal": "g" * 101},
        {"d": "[1]"},
        {"d": "{" * 5000},
    ],
)
def test_bad_pixel_parameters_answer_400_and_record_nothing(shop, query):
    pixel = PixelFactory(database=shop)
    answer = Client().get(f"/px/{pixel.pixel_id}.json", query)
    assert answer.status_code == 400
    assert not Event.objects.exists()


def test_unknown_or_closed_forms_and_pixels_answer_404(shop):
    closed = FormFactory(database=shop, is_active=False)
    assert Client().get(f"/f/{closed.slug}/").status_code == 404
    assert Client().get("/f/nope/").status_code == 404
    assert Client().get("/px/nope-nope.gif").status_code == 404
    assert Client().get("/px/" + "a" * 100 + ".gif").status_code == 404


def test_answers_carry_no_personal_data(shop):
    ProfileFactory(database=shop, email="known@example.com", first_name="Secret")
    form = FormFactory(database=shop)
    answer = Client().post(
        f"/f/{form.slug}/", {"email": "known@example.com"}, content_type="application/json"
    )
    assert answer.json() == {"ok": True, "message": "Thank you!"}
    assert b"Secret" not in answer.content


def test_cors_preflight_only_for_listed_origins(shop):
    form = FormFactory(database=shop, allowed_origins=["https://shop.example.com"])
    allowed = Client().options(f"/f/{form.slug}/", HTTP_ORIGIN="https://shop.example.com")
    assert allowed.status_code == 204
    assert allowed["Access-Control-Allow-Origin"] == "https://shop.example.com"
    refused = Client().options(f"/f/{form.slug}/", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in refused
