"""The Interactions block of the profile page and its actions: segments, triggers,
scenarios, relations and merge, with permissions, CSRF, escaping, a validated `next` and a
fixed query count."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory

from interactions.block import INTERACTIONS_BLOCK
from interactions.models import Participation, SegmentMembership, TriggerSend
from interactions.services import scenarios, segments, triggers
from profiles import blocks
from profiles.models import Profile
from tests.conftest import grant
from tests.interactions.factories import (
    RelationFactory,
    ScenarioFactory,
    SegmentFactory,
    TriggerFactory,
)
from tests.profiles.factories import ProfileFactory, UserFactory

PAGE = "/profiles/page-under-test/"
ALL = ("view_segment", "change_segment", "view_trigger", "send_trigger", "view_scenario",
       "engage_scenario", "add_relation", "delete_profile")  # fmt: skip


@pytest.fixture
def staff(marketer):
    return grant(marketer, *ALL)


def request_of(user):
    request = RequestFactory().get(PAGE)
    request.user = type(user).objects.get(pk=user.pk)  # no permission cache yet
    return request


def block_of(user, profile, request=None):
    """This block's context as blocks_for gives it, without the other apps' blocks."""
    request = request or request_of(user)
    if not request.user.has_perms(INTERACTIONS_BLOCK.permissions):
        return None
    return {"profile": profile, "block": INTERACTIONS_BLOCK,
            **INTERACTIONS_BLOCK.context(request, profile)}  # fmt: skip


def test_the_block_is_registered():
    assert "interactions" in [block.key for block in blocks.registered_blocks()]


def fill(shop, profile, n):
    for _ in range(n):
        segments.add_to_segment(segment=SegmentFactory(database=shop), profile_ids=[profile.pk])
        SegmentFactory(database=shop)
        triggers.send_trigger(trigger=TriggerFactory(), profile=profile)
        scenarios.engage(scenario=ScenarioFactory(steps=[{"kind": "wait", "wait_seconds": 9}]),
                         profile=profile)  # fmt: skip
        RelationFactory(from_profile=profile, to_profile=ProfileFactory(database=shop))


@pytest.mark.parametrize("n", [1, 4])
def test_the_block_runs_a_fixed_number_of_queries(shop, staff, n, django_assert_num_queries):
    profile = ProfileFactory(database=shop)
    fill(shop, profile, n)
    request = request_of(staff)
    # user permissions + group permissions, then memberships, segments, triggers, sends,
    # scenarios, participations, relations
    with django_assert_num_queries(9):
        context = block_of(staff, profile, request)
    assert len(context["memberships"]) == len(context["sends"]) == n
    assert len(context["participations"]) == len(context["relations"]) == n
    render_to_string("interactions/profile_block.html", context)


def test_the_block_shows_everything_escaped_with_csrf_forms(shop, staff):
    profile = ProfileFactory(database=shop)
    segment = SegmentFactory(database=shop, name="<b>VIP</b>")
    segments.add_to_segment(segment=segment, profile_ids=[profile.pk])
    TriggerFactory(name="Welcome <script>")
    ScenarioFactory(name="Onboarding")
    html = render_to_string("interactions/profile_block.html", block_of(staff, profile))
    assert "&lt;b&gt;VIP&lt;/b&gt;" in html and "<b>VIP</b>" not in html
    assert "Welcome &lt;script&gt;" in html
    assert "Onboarding" in html
    # remove, send, engage, relate, merge; no add: no other segment in the database
    assert html.count('name="csrfmiddlewaretoken"') == 5
    assert f'value="{PAGE}"' in html


def test_the_block_hides_forms_without_permissions(shop, marketer):
    grant(marketer, "view_segment", "view_trigger", "view_scenario")
    profile = ProfileFactory(database=shop)
    SegmentFactory(database=shop)
    TriggerFactory()
    html = render_to_string("interactions/profile_block.html", block_of(marketer, profile))
    assert "<form" not in html


def test_the_block_needs_view_permissions(shop, marketer):
    assert block_of(marketer, ProfileFactory(database=shop)) is None


@pytest.fixture
def logged_in(client, staff):
    client.force_login(staff)
    return client


def post(client, profile, action, **data):
    return client.post(f"/interactions/profiles/{profile.pk}/{action}/", {"next": PAGE, **data})


def test_staff_add_and_remove_a_segment(logged_in, shop):
    profile, segment = ProfileFactory(database=shop), SegmentFactory(database=shop)
    answer = post(logged_in, profile, "segments/add", choice=segment.pk)
    assert (answer.status_code, answer.url) == (302, PAGE)
    assert SegmentMembership.objects.filter(profile=profile).exists()
    post(logged_in, profile, "segments/remove", choice=segment.pk)
    assert not SegmentMembership.objects.exists()


def test_staff_send_a_trigger_and_engage(logged_in, shop, django_capture_on_commit_callbacks):
    profile = ProfileFactory(database=shop)
    trigger, scenario = TriggerFactory(), ScenarioFactory()
    with django_capture_on_commit_callbacks(execute=True):
        post(logged_in, profile, "triggers/send", choice=trigger.pk)
        post(logged_in, profile, "scenarios/engage", choice=scenario.pk)
    assert TriggerSend.objects.get().status == "no_target"
    assert Participation.objects.get().result == "done"


def test_staff_relate_and_merge(logged_in, shop):
    profile, other, loser = (ProfileFactory(database=shop) for _ in range(3))
    post(logged_in, profile, "relations/add", type="parent", to_profile=other.pk)
    answer = post(logged_in, profile, "merge", loser=loser.pk)
    assert answer.status_code == 302
    assert profile.relations_from.get().to_profile == other
    assert not Profile.objects.filter(pk=loser.pk).exists()


def test_errors_come_back_as_messages(logged_in, shop):
    profile = ProfileFactory(database=shop)
    answer = post(logged_in, profile, "relations/add", type="Bad Type", to_profile=profile.pk)
    messages = [str(message) for message in answer.wsgi_request._messages]
    assert answer.status_code == 302 and messages and messages[0].startswith("type:")
    stranger = SegmentFactory()  # a segment of another database is no choice here
    answer = post(logged_in, profile, "segments/add", choice=stranger.pk)
    assert not SegmentMembership.objects.exists()


def test_an_outside_next_is_not_followed(logged_in, shop):
    profile, segment = ProfileFactory(database=shop), SegmentFactory(database=shop)
    answer = logged_in.post(f"/interactions/profiles/{profile.pk}/segments/add/",
                            {"choice": segment.pk, "next": "https://evil.example/"})  # fmt: skip
    assert answer.status_code == 302
    assert "evil" not in answer.url and str(profile.pk) in answer.url


def test_actions_need_login_permission_and_post(client, shop):
    profile, segment = ProfileFactory(database=shop), SegmentFactory(database=shop)
    url = f"/interactions/profiles/{profile.pk}/segments/add/"
    assert client.post(url, {"choice": segment.pk}).status_code == 302  # to the login page
    client.force_login(UserFactory(is_staff=True))
    assert client.post(url, {"choice": segment.pk}).status_code == 403
    assert not SegmentMembership.objects.exists()


def test_csrf_is_enforced(shop, staff):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    profile, segment = ProfileFactory(database=shop), SegmentFactory(database=shop)
    answer = post(client, profile, "segments/add", choice=segment.pk)
    assert answer.status_code == 403


def test_an_anonymous_request_sees_no_block(shop):
    request = RequestFactory().get(PAGE)
    request.user = AnonymousUser()
    shown = blocks.blocks_for(request, ProfileFactory(database=shop))
    assert "interactions" not in [block.key for block, _ in shown]
