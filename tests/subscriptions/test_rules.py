"""S3-S9 rules, each on its own, through the services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from config.exceptions import InvalidInput
from history.models import Event
from profiles import services as profiles
from subscriptions import selectors, services
from subscriptions.models import Subscription, Suppression
from tests.profiles.factories import ProfileFactory
from tests.subscriptions.factories import ResourceFactory


@pytest.fixture
def ann(shop):
    return ProfileFactory(database=shop, email="ann@example.com")


@pytest.fixture
def site(db):
    return ResourceFactory(name="Website")


def add(profile, resource, contact, **options):
    return services.add_subscription(
        profile=profile, resource=resource, channel=options.pop("channel", "email"),
        contact=contact, **options,
    )  # fmt: skip


def priorities(profile, resource, channel="email"):
    live = selectors.profile_subscriptions(profile).filter(resource=resource, channel=channel)
    return {sub.contact: sub.priority for sub in live}


# S3 delivery target


def test_target_is_the_subscribed_one_with_the_highest_priority(ann, site):
    add(ann, site, "low@example.com", priority=5)
    best = add(ann, site, "best@example.com", priority=1)
    add(ann, site, "off@example.com", priority=0, status="unsubscribed")
    target = selectors.delivery_target(profile=ann, resource=site, channel="email")
    assert (target.subscription, target.contact) == (best, "best@example.com")


@pytest.mark.parametrize(
    ("arrange", "reason"),
    [
        (
            lambda p, r: profiles.update_profile(profile=p, values={"status": "complainer"}),
            "global status is complainer",
        ),
        (lambda p, r: None, "no subscription to this resource and channel"),
        (
            lambda p, r: add(p, r, "+447911123456", channel="sms"),
            "no subscription to this resource and channel",
        ),
        (
            lambda p, r: add(p, r, "a@example.com", status="unsubscribed"),
            "no subscription here is subscribed (unsubscribed)",
        ),
        (
            lambda p, r: services.delete_subscription(subscription=add(p, r, "a@example.com")),
            "no subscription to this resource and channel",
        ),
        (
            lambda p, r: (
                add(p, r, "a@example.com"),
                services.suppress(channel="email", contact="A@Example.com"),
            ),
            "every subscribed contact is on the suppression list",
        ),
    ],
    ids=["global-status", "none", "other-channel", "all-unsubscribed", "deleted", "suppressed"],
)
def test_no_target_comes_with_the_reason(ann, site, arrange, reason):
    # given
    arrange(ann, site)
    # when
    target = selectors.delivery_target(profile=ann, resource=site, channel="email")
    # then
    assert (target.subscription, target.contact, target.reason) == (None, None, reason)


def test_a_suppressed_contact_is_skipped_for_the_next_one(ann, site):
    add(ann, site, "first@example.com", priority=0)
    second = add(ann, site, "second@example.com", priority=1)
    services.suppress(channel="email", contact="first@example.com")
    assert (
        selectors.delivery_target(profile=ann, resource=site, channel="email").subscription
        == second
    )


# S4 priority


def test_auto_priority_puts_the_new_one_first_and_moves_the_others_down(ann):
    resource = ResourceFactory(auto_priority=True)
    for contact in ("a@example.com", "b@example.com", "c@example.com"):
        add(ann, resource, contact)
    assert priorities(ann, resource) == {"c@example.com": 0, "b@example.com": 1, "a@example.com": 2}


def test_without_auto_priority_a_new_one_goes_last(ann, site):
    for contact in ("a@example.com", "b@example.com"):
        add(ann, site, contact)
    assert priorities(ann, site) == {"a@example.com": 0, "b@example.com": 1}


def test_explicit_priority_leaves_the_others_unchanged(ann):
    resource = ResourceFactory(auto_priority=True)
    add(ann, resource, "a@example.com")
    add(ann, resource, "b@example.com")
    add(ann, resource, "c@example.com", priority=7)
    assert priorities(ann, resource) == {"b@example.com": 0, "a@example.com": 1, "c@example.com": 7}


def test_a_taken_explicit_priority_is_refused(ann, site):
    add(ann, site, "a@example.com", priority=3)
    with pytest.raises(InvalidInput) as error:
        add(ann, site, "b@example.com", priority=3)
    assert "priority" in error.value.errors


def test_priorities_are_per_resource_and_channel(ann, site):
    other = ResourceFactory()
    add(ann, site, "a@example.com", priority=0)
    add(ann, other, "a@example.com", priority=0)
    add(ann, site, "+447911123456", channel="sms", priority=0)
    assert Subscription.objects.filter(profile=ann, priority=0).count() == 3


# S5 limits and the replacement order


def fill(profile, resource, count, **options):
    return [
        add(profile, resource, f"c{n}@example.com", priority=n, **options) for n in range(count)
    ]


@pytest.mark.parametrize(
    ("deleted", "statuses", "victim"),
    [
        # each case pits one rank of S5's order against the next one
        ([15], {2: "invalid"}, 15),
        ([], {3: "hard_bounced", 9: "invalid"}, 9),
        ([], {3: "hard_bounced", 9: "complainer"}, 3),
        ([], {4: "complainer", 8: "suspended"}, 4),
        ([], {6: "suspended", 2: "unconfirmed"}, 6),
        ([], {11: "unconfirmed"}, 11),
        ([], {}, 19),  # all subscribed: the lowest priority (largest number)
    ],
    ids=[
        "deleted",
        "invalid",
        "hard_bounced",
        "complainer",
        "suspended",
        "unconfirmed",
        "lowest-priority",
    ],  # fmt: skip
)
def test_the_21st_in_a_channel_replaces_one_in_order(ann, site, deleted, statuses, victim):
    # given 20 email subscriptions to one resource (priorities 0..19)
    subs = fill(ann, site, 20)
    for index, status in statuses.items():
        services.change_subscription(subscription=subs[index], status=status)
    for index in deleted:
        services.delete_subscription(subscription=subs[index])
    # when
    newcomer = add(ann, site, "new@example.com", priority=100)
    # then
    group = Subscription.objects.filter(profile=ann, resource=site, channel="email")
    assert group.count() == 20
    assert not group.filter(pk=subs[victim].pk).exists()
    assert group.filter(pk=newcomer.pk).exists()


def test_among_equals_the_oldest_is_replaced(ann, site):
    # given two deleted subscriptions of equal priority (live priorities are unique, so a tie
    # on priority happens among deleted ones), the second one older
    subs = fill(ann, site, 20)
    for index, age in ((12, 30), (13, 60)):
        services.delete_subscription(subscription=subs[index])
        Subscription.objects.filter(pk=subs[index].pk).update(
            priority=500, created_at=timezone.now() - timedelta(days=age)
        )
    # when
    add(ann, site, "new@example.com", priority=100)
    # then
    assert not Subscription.objects.filter(pk=subs[13].pk).exists()
    assert Subscription.objects.filter(pk=subs[12].pk).exists()


def test_a_profile_holds_at_most_200_subscriptions(ann):
    # given 10 resources x 20 = 200 subscriptions, one of them deleted
    resources = [ResourceFactory() for _ in range(10)]
    for resource in resources:
        fill(ann, resource, 20, channel="email")
    doomed = Subscription.objects.filter(profile=ann).order_by("id")[57]
    services.delete_subscription(subscription=doomed)
    extra = ResourceFactory()
    # when
    add(ann, extra, "new@example.com")
    # then
    assert Subscription.objects.filter(profile=ann).count() == 200
    assert not Subscription.objects.filter(pk=doomed.pk).exists()


def test_a_replaced_subscription_added_again_is_a_new_one(ann, site):
    subs = fill(ann, site, 20)
    services.delete_subscription(subscription=subs[0])
    add(ann, site, "new@example.com", priority=100)
    again = add(ann, site, subs[0].contact, priority=101)
    assert again.pk != subs[0].pk


# S6 double opt-in (the public link: test_confirmation.py)


def test_double_opt_in_makes_new_subscriptions_unconfirmed(ann):
    resource = ResourceFactory(double_opt_in=True)
    subscription = add(ann, resource, "a@example.com", status="subscribed")
    assert subscription.status == "unconfirmed"


def test_confirming_records_confirm_and_subscribes_once(ann):
    subscription = add(ann, ResourceFactory(double_opt_in=True), "a@example.com")
    services.confirm_subscription(subscription=subscription)
    services.confirm_subscription(subscription=subscription)
    subscription.refresh_from_db()
    assert subscription.status == "subscribed"
    assert Event.objects.filter(profile_id=ann.pk, type="confirm").count() == 1


# S7 suppression


def test_a_hard_bounced_email_subscription_suppresses_its_address(ann, site):
    subscription = add(ann, site, "Bounce@Example.com")
    services.change_subscription(subscription=subscription, status="hard_bounced")
    assert Suppression.objects.filter(channel="email", contact="bounce@example.com",
                                      reason="hard_bounced").exists()  # fmt: skip


def test_suppressing_twice_keeps_one_entry(db):
    first = services.suppress(channel="email", contact="a@example.com")
    second = services.suppress(channel="email", contact="A@example.com")
    assert first.pk == second.pk


# S8 categories


def test_categories_merge_and_accept_only_the_resources_names(ann, site):
    subscription = add(ann, site, "a@example.com", categories={"news": True})
    services.change_subscription(subscription=subscription, categories={"sales": False})
    subscription.refresh_from_db()
    assert subscription.categories == {"news": True, "sales": False}
    with pytest.raises(InvalidInput) as error:
        services.change_subscription(subscription=subscription, categories={"gossip": True})
    assert "categories" in error.value.errors


# S9 history of status changes


@pytest.mark.parametrize(
    ("new", "event"),
    [
        ("unsubscribed", "unsubscribe"),
        ("hard_bounced", "hard_bounce"),
        ("complainer", "complaint"),
        ("suspended", "unsubscribe"),
    ],
)
def test_every_status_change_is_recorded_with_old_and_new(ann, site, new, event):
    subscription = add(ann, site, "a@example.com")
    services.change_subscription(subscription=subscription, status=new)
    recorded = Event.objects.filter(subscription_id=subscription.pk).order_by("id")
    assert [(e.type, e.data["old"], e.data["new"]) for e in recorded] == [
        ("subscribe", None, "subscribed"),
        (event, "subscribed", new),
    ]


def test_subscribing_back_records_subscribe(ann, site):
    subscription = add(ann, site, "a@example.com", status="unsubscribed")
    services.change_subscription(subscription=subscription, status="subscribed")
    types = list(Event.objects.filter(subscription_id=subscription.pk).values_list("type", "data"))
    assert types[-1] == (
        "subscribe",
        {"old": "unsubscribed", "new": "subscribed", "contact": "a@example.com"},
    )


# Contacts and channels


@pytest.mark.parametrize(
    ("channel", "contact", "key"),
    [("email", "not-an-email", "contact"), ("sms", "12", "contact"), ("telegram", "1", "channel")],
)
def test_bad_contact_or_disabled_channel_is_refused(ann, site, channel, contact, key):
    with pytest.raises(InvalidInput) as error:
        add(ann, site, contact, channel=channel)
    assert key in error.value.errors


@pytest.mark.parametrize(
    ("options", "key"),
    [
        ({"status": "Subscribed"}, "status"),
        ({"categories": ["news"]}, "categories"),
        ({"fields": "size=42"}, "fields"),
    ],
    ids=["unknown-status", "categories-not-an-object", "fields-not-an-object"],
)
def test_a_malformed_status_categories_or_fields_is_refused_not_stored(ann, site, options, key):
    # given input from a file or a script, which no serializer has checked
    # when
    with pytest.raises(InvalidInput) as error:
        add(ann, site, "a@example.com", **options)
    # then
    assert list(error.value.errors) == [key]
    assert not Subscription.objects.exists()


def test_the_same_contact_twice_in_a_channel_is_refused(ann, site):
    add(ann, site, "a@example.com")
    with pytest.raises(InvalidInput):
        add(ann, site, "A@example.com")


def test_deleting_a_profile_removes_its_subscriptions(ann, site, marketer):
    add(ann, site, "a@example.com")
    profiles.delete_profile(profile=ann, actor=marketer)
    assert not Subscription.objects.exists()


def test_a_suppressed_non_ascii_address_is_never_a_target(ann, site):
    # SQLite's LOWER() folds ASCII only; the stored contact_key is folded in Python
    add(ann, site, "Ülla@example.com")
    services.suppress(channel="email", contact="ülla@example.com")
    target = selectors.delivery_target(profile=ann, resource=site, channel="email")
    assert target.reason == "every subscribed contact is on the suppression list"
    assert selectors.audience_counts(database=ann.database, resource=site, channel="email") == {
        "every subscribed contact is on the suppression list": 1
    }


def test_push_tokens_keep_their_case_when_suppressed(ann):
    app = ResourceFactory(channels=["push"])
    add(ann, app, "TokenAbC", channel="push")
    add(ann, app, "tokenabc", channel="push")  # another device, not a duplicate
    services.suppress(channel="push", contact="TokenAbC")
    target = selectors.delivery_target(profile=ann, resource=app, channel="push")
    assert target.contact == "tokenabc"
    assert Suppression.objects.get(channel="push").contact == "TokenAbC"


def test_a_double_opt_in_request_is_recorded_as_subscribe(ann):
    subscription = add(ann, ResourceFactory(double_opt_in=True), "a@example.com")
    (event,) = Event.objects.filter(subscription_id=subscription.pk)
    assert (event.type, event.data["new"]) == ("subscribe", "unconfirmed")


def test_a_deleted_subscription_cannot_change_and_keeps_its_deletion_time(ann, site):
    subscription = add(ann, site, "a@example.com")
    services.delete_subscription(subscription=subscription)
    first = Subscription.objects.get(pk=subscription.pk).deleted_at
    services.delete_subscription(subscription=subscription)
    assert Subscription.objects.get(pk=subscription.pk).deleted_at == first
    with pytest.raises(InvalidInput):
        services.change_subscription(subscription=subscription, status="unsubscribed")


@pytest.mark.parametrize(
    ("channel", "reason", "key"), [("fax", "manual", "channel"), ("email", "because", "reason")]
)
def test_suppress_checks_channel_and_reason(db, channel, reason, key):
    with pytest.raises(InvalidInput) as error:
        services.suppress(channel=channel, contact="a@example.com", reason=reason)
    assert key in error.value.errors
