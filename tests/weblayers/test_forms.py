"""D2: the public form endpoint creates or updates the profile, subscribes it (double opt-in
when the resource wants it), stores UTM when the form says so (P12), records form_filled."""

import pytest
from django.test import Client

from history.models import Event
from profiles.models import Profile
from subscriptions.models import Subscription
from tests.profiles.factories import ProfileFactory
from tests.subscriptions.factories import ResourceFactory
from weblayers import identity

from .factories import FormFactory

pytestmark = pytest.mark.django_db


def post_json(client, url, body, **extra):
    return client.post(url, body, content_type="application/json", **extra)


def test_html_form_is_shown_with_its_inputs_escaped(shop):
    form = FormFactory(database=shop, name="<b>Join</b>")
    page = Client().get(f"/f/{form.slug}/")
    assert page.status_code == 200
    assert b"&lt;b&gt;Join&lt;/b&gt;" in page.content and b'name="email"' in page.content


def test_json_submission_creates_a_profile_and_records_form_filled(shop):
    form = FormFactory(database=shop)
    answer = post_json(
        Client(), f"/f/{form.slug}/", {"email": "Ann@Example.com", "name": "Ann", "plan": "pro"}
    )
    assert answer.status_code == 200
    assert answer.json() == {"ok": True, "message": "Thank you!"}
    profile = Profile.objects.get(database=shop, email__iexact="ann@example.com")
    assert (profile.first_name, profile.fields["tariff"]) == ("Ann", "pro")
    event = Event.objects.get(profile=profile, type="form_filled")
    assert event.data["values"] == {"email": "Ann@Example.com", "name": "Ann", "plan": "pro"}
    assert identity.PROFILE_COOKIE in answer.cookies


def test_submission_updates_the_existing_profile_by_email(shop):
    ann = ProfileFactory(database=shop, email="ann@example.com", first_name="Ann")
    form = FormFactory(database=shop)
    Client().post(f"/f/{form.slug}/", {"email": "ANN@example.com", "name": "Anna"})
    ann.refresh_from_db()
    assert ann.first_name == "Anna"
    assert Profile.objects.filter(database=shop).count() == 1


def test_bad_values_answer_400_naming_the_input_without_echoing_data(shop):
    form = FormFactory(database=shop)
    answer = post_json(Client(), f"/f/{form.slug}/", {"email": "ann@example.com", "plan": "gold"})
    assert answer.status_code == 400
    assert answer.json() == {"errors": {"plan": ["Enter a valid value."]}}
    missing = post_json(Client(), f"/f/{form.slug}/", {"name": "Ann"})
    assert missing.json() == {"errors": {"email": ["This field is required."]}}
    html = Client().post(f"/f/{form.slug}/", {"email": "not-an-email"})
    assert html.status_code == 400 and b"Enter a valid value." in html.content
    assert not Profile.objects.filter(database=shop).exists()


def test_double_opt_in_resource_leaves_the_subscription_unconfirmed(shop):
    resource = ResourceFactory(channels=["email"], double_opt_in=True)
    form = FormFactory(database=shop, resource=resource, channel="email")
    post_json(Client(), f"/f/{form.slug}/", {"email": "ann@example.com"})
    post_json(Client(), f"/f/{form.slug}/", {"email": "ann@example.com"})  # again: no error
    subscription = Subscription.objects.get(resource=resource)
    assert (subscription.contact, subscription.status) == ("ann@example.com", "unconfirmed")


def test_utm_is_stored_only_when_the_form_says_so(shop):
    with_utm = FormFactory(database=shop, update_utm=True)
    without = FormFactory(database=shop)
    Client().post(f"/f/{with_utm.slug}/?utm_source=google", {"email": "a@example.com"})
    post_json(Client(), f"/f/{without.slug}/", {"email": "b@example.com", "utm_source": "x"})
    assert Profile.objects.get(email="a@example.com").utm_source == "google"
    assert Profile.objects.get(email="b@example.com").utm_source == ""


def test_signed_profile_cookie_identifies_the_profile_and_a_forged_one_does_not(shop):
    ann = ProfileFactory(database=shop, email="ann@example.com")
    form = FormFactory(database=shop, inputs=[{"name": "name", "target": "first_name"}])
    client = Client()
    client.cookies[identity.PROFILE_COOKIE] = identity.profile_token(ann)
    client.post(f"/f/{form.slug}/", {"name": "Annie"})
    ann.refresh_from_db()
    assert ann.first_name == "Annie"
    forged = Client()
    forged.cookies[identity.PROFILE_COOKIE] = ann.xxh + ":forged-signature"
    forged.post(f"/f/{form.slug}/", {"name": "Mallory"})
    ann.refresh_from_db()
    assert ann.first_name == "Annie"


def test_form_api_checks_the_input_mapping(admin_client, shop):
    body = {
        "name": "Join", "slug": "join", "database": shop.pk,
        "inputs": [{"name": "email", "target": "email"}, {"name": "x", "target": "fields.nope"}],
    }  # fmt: skip
    answer = admin_client.post("/api/v1/forms/", body, content_type="application/json")
    assert answer.status_code == 400
    assert answer.json() == {"inputs": ["Input 'x': unknown target 'fields.nope'."]}
    body["inputs"].pop()
    assert admin_client.post("/api/v1/forms/", body, content_type="application/json").json()[
        "url"
    ] == ("/f/join/")
