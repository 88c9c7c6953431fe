"""P13 global control group: deterministic membership, the mark on the profile, the
gcg_entered event, and exclusion from marketing (not transactional) delivery targets."""

import pytest

from history.models import Event
from interactions import control_group
from profiles.services import profile_digests
from subscriptions import selectors
from tests.profiles.factories import ProfileFactory
from tests.subscriptions.factories import ResourceFactory, SubscriptionFactory

XXHS = [profile_digests(n)[1] for n in range(1, 2001)]


def test_no_share_means_no_members(settings):
    settings.GCG_SHARE_PERCENT = 0
    assert not any(control_group.is_member(xxh) for xxh in XXHS)


@pytest.mark.parametrize("share", [10, 50])
def test_membership_follows_the_share_and_is_stable(settings, share):
    settings.GCG_SHARE_PERCENT = share
    members = [xxh for xxh in XXHS if control_group.is_member(xxh)]
    assert abs(len(members) / len(XXHS) * 100 - share) < 4
    assert members == [xxh for xxh in XXHS if control_group.is_member(xxh)]


def test_the_salt_changes_who_is_a_member(settings):
    settings.GCG_SHARE_PERCENT = 50
    first = {xxh for xxh in XXHS if control_group.is_member(xxh)}
    settings.GCG_SALT = "another salt"
    assert first != {xxh for xxh in XXHS if control_group.is_member(xxh)}


@pytest.fixture
def everyone_held_out(settings):
    settings.GCG_SHARE_PERCENT = 100


def test_a_member_is_marked_and_its_entry_recorded(shop, everyone_held_out):
    profile = ProfileFactory(database=shop)
    assert profile.in_control_group
    assert Event.objects.filter(profile_id=profile.pk, type="gcg_entered").count() == 1


def test_a_member_gets_no_marketing_message_but_transactional_ones(shop, everyone_held_out):
    # given
    profile = ProfileFactory(database=shop)
    resource = ResourceFactory()
    subscription = SubscriptionFactory(profile=profile, resource=resource)
    # when
    marketing = selectors.delivery_target(profile=profile, resource=resource, channel="email")
    transactional = selectors.delivery_target(
        profile=profile, resource=resource, channel="email", marketing=False
    )
    # then
    assert (marketing.subscription, marketing.reason) == (None, selectors.CONTROL_GROUP)
    assert transactional.subscription == subscription


def test_the_audience_holds_out_the_control_group_for_marketing_only(shop, settings):
    # given some profiles in and some out of the group
    settings.GCG_SHARE_PERCENT = 50
    resource = ResourceFactory()
    profiles = [ProfileFactory(database=shop) for _ in range(12)]
    for profile in profiles:
        SubscriptionFactory(profile=profile, resource=resource)
    members = sum(profile.in_control_group for profile in profiles)
    assert 0 < members < 12
    # when
    marketing = selectors.audience_counts(database=shop, resource=resource, channel="email")
    transactional = selectors.audience_counts(
        database=shop, resource=resource, channel="email", marketing=False
    )
    # then
    assert marketing == {selectors.CONTROL_GROUP: members, "target": 12 - members}
    assert transactional == {"target": 12}


def test_the_api_answers_the_control_group_reason(shop, everyone_held_out, api, marketer):
    from tests.conftest import grant

    grant(marketer, "view_subscription")
    profile = ProfileFactory(database=shop)
    resource = ResourceFactory()
    SubscriptionFactory(profile=profile, resource=resource)
    url = f"/api/v1/profiles/{profile.id}/delivery-target/"
    marketer_client = api
    marketer_client.force_authenticate(type(marketer).objects.get(pk=marketer.pk))
    body = marketer_client.get(url, {"resource": resource.id, "channel": "email"}).json()
    assert body["reason"] == selectors.CONTROL_GROUP
    body = marketer_client.get(url, {"resource": resource.id, "channel": "email",
                                     "marketing": "false"}).json()  # fmt: skip
    assert body["contact"] is not None
