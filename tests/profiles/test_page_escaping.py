"""Issue 6 item 8: everything a customer could type reaches the staff pages escaped."""

import pytest
from django.urls import reverse
from django.utils import timezone

from history.services import EventDraft, record_many
from profiles import tabs
from tests.profiles.factories import CustomFieldFactory, ProfileFactory
from tests.subscriptions.factories import ResourceFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(2)>'
HOSTILE = SCRIPT + BREAKOUT


def assert_escaped(html: str) -> None:
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in html


@pytest.fixture
def hostile_profile(shop):
    """A profile whose every free-text value, custom field, form data and event data (keys
    and values) holds markup, subscribed on a custom channel with a markup contact."""
    CustomFieldFactory(database=shop, name="nickname", title=HOSTILE, type="line")
    profile = ProfileFactory(
        database=shop, first_name=HOSTILE, last_name=HOSTILE, middle_name=HOSTILE,
        registration_provider=HOSTILE, registration_city=HOSTILE, tracked_city=HOSTILE,
        tracked_region=HOSTILE, tracked_latitude=10.0, tracked_longitude=20.0,
        utm_source=HOSTILE, utm_campaign=HOSTILE,
        fields={"nickname": HOSTILE, "interests": ["<b>", HOSTILE.replace(",", "")]},
    )  # fmt: skip
    now = timezone.now()
    record_many([
        EventDraft(type="form_filled", ts=now, profile_id=profile.pk,
                   database_id=shop.pk, data={"form": HOSTILE, HOSTILE: {"answer": HOSTILE}}),
        EventDraft(type="pixel", ts=now, profile_id=profile.pk, database_id=shop.pk,
                   channel="email", data={"user_agent": HOSTILE, "url": HOSTILE}),
        EventDraft(type="profile_updated", ts=now, profile_id=profile.pk, database_id=shop.pk,
                   data={"changes": {HOSTILE: {"old": HOSTILE, "new": HOSTILE}}}),
    ])  # fmt: skip
    resource = ResourceFactory(name="Site", channels=["custom"], categories=["news"])
    SubscriptionFactory(profile=profile, resource=resource, channel="custom", contact=HOSTILE)
    tabs.add_custom_tab(database=shop, title="<i>x</i>", keys=["fields.nickname"])
    return profile


def test_profile_page_escapes_every_customer_value(client, desk_marketer, hostile_profile):
    client.force_login(desk_marketer)
    for tab in ("main", "personal", "tracked", "additional"):
        response = client.get(reverse("profile-page", args=[hostile_profile.pk]), {"tab": tab})
        assert response.status_code == 200
        html = response.content.decode()
        assert_escaped(html)
        assert "<i>x</i>" not in html and "<b>" not in html


def test_history_rows_escape_event_data(client, desk_marketer, hostile_profile):
    client.force_login(desk_marketer)
    html = client.get(reverse("profile-history-rows", args=[hostile_profile.pk])).content.decode()
    assert_escaped(html)


def test_lists_and_search_escape_names_and_the_query(client, desk_marketer, hostile_profile):
    client.force_login(desk_marketer)
    listed = client.get(reverse("staff-profile-list", args=[hostile_profile.database_id]))
    assert_escaped(listed.content.decode())
    searched = client.get(reverse("quick-search"), {"q": f"{hostile_profile.pk}"})
    assert_escaped(searched.content.decode())
    echoed = client.get(reverse("quick-search"), {"q": HOSTILE}).content.decode()
    assert "<script>alert" not in echoed and "<img src=x" not in echoed


def test_every_form_on_the_profile_page_carries_a_csrf_token(
    client, desk_marketer, hostile_profile
):
    client.force_login(desk_marketer)
    html = client.get(reverse("profile-page", args=[hostile_profile.pk])).content.decode()
    post_forms = html.count('method="post"')
    assert post_forms >= 8
    assert html.count('name="csrfmiddlewaretoken"') == post_forms
