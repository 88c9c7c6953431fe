"""S3 for a whole database: `audience_counts` resolves every profile's delivery target in one
set-based query, and must put each profile where `delivery_target` would; `manage.py audience`
prints it. Runs on SQLite and PostgreSQL (the query has a branch for each)."""

import json
from collections import Counter
from dataclasses import dataclass

import pytest
from django.core.management import CommandError, call_command

from profiles.models import Profile, ProfileDatabase, Status
from subscriptions import selectors, services
from subscriptions.models import Resource
from subscriptions.selectors import (
    ALL_SUPPRESSED,
    NO_SUBSCRIPTION,
    NONE_SUBSCRIBED,
    TARGET,
    global_status_reason,
)
from tests.profiles.factories import ProfileDatabaseFactory, ProfileFactory
from tests.subscriptions.factories import ResourceFactory, SubscriptionFactory

PHONE = "+442071838750"
OTHER_PHONE = "+442071838751"


@dataclass
class Audience:
    database: ProfileDatabase
    site: Resource
    app: Resource
    expected: dict[str, str]  # profile email -> its reason for (site, email)


@pytest.fixture
def audience(shop) -> Audience:
    """One "Shop" profile per way of (not) being the target of the "Site" resource on email,
    and a target in another database that must not be counted."""
    site = ResourceFactory(name="Site", channels=["email", "sms"])
    app = ResourceFactory(name="App", channels=["email"])
    expected = {}

    def person(name: str, reason: str, status: Status = Status.SUBSCRIBED) -> Profile:
        expected[f"{name}@example.com"] = reason
        return ProfileFactory(database=shop, email=f"{name}@example.com", status=status)

    def subscribe(profile: Profile, contact: str, resource=site, channel="email", **values):
        return SubscriptionFactory(
            profile=profile, resource=resource, channel=channel, contact=contact, **values
        )

    subscribe(person("ann", TARGET), "ann@example.com")
    subscribe(person("bob", global_status_reason("unsubscribed"), Status.UNSUBSCRIBED), "bob@b.io")
    person("cid", global_status_reason("complainer"), Status.COMPLAINER)
    person("dan", NO_SUBSCRIPTION)
    eve = person("eve", NONE_SUBSCRIBED)
    subscribe(eve, "eve@example.com", status=Status.UNSUBSCRIBED)
    services.delete_subscription(subscription=subscribe(eve, "eve@old.example.com"))
    fay = person("fay", ALL_SUPPRESSED)
    subscribe(fay, "Fay@Example.com")
    services.suppress(channel="email", contact="fay@example.com")
    services.delete_subscription(subscription=subscribe(person("gus", NO_SUBSCRIPTION), "gus@g.io"))
    subscribe(person("hal", NO_SUBSCRIPTION), "hal@example.com", resource=app)
    subscribe(person("ivy", NO_SUBSCRIPTION), OTHER_PHONE, channel="sms")
    jay = person("jay", TARGET)
    subscribe(jay, "jay@blocked.io", priority=0)
    subscribe(jay, "jay@example.com", priority=1)
    services.suppress(channel="email", contact="jay@blocked.io")
    kim = person("kim", TARGET)
    subscribe(kim, "kim@old.io", priority=0, status=Status.UNSUBSCRIBED)
    subscribe(kim, "kim@example.com", priority=1)
    lee = person("lee", TARGET)
    subscribe(lee, "lee@example.com")
    subscribe(lee, PHONE, channel="sms")
    services.suppress(channel="sms", contact=PHONE)
    mo = person("mo", NONE_SUBSCRIBED)
    subscribe(mo, "mo@example.com", status=Status.UNCONFIRMED)
    subscribe(mo, "mo@old.io", status=Status.HARD_BOUNCED)
    ned = person("ned", ALL_SUPPRESSED)
    subscribe(ned, "ned@example.com", priority=0)
    subscribe(ned, "ned@old.io", priority=1, status=Status.UNSUBSCRIBED)
    services.suppress(channel="email", contact="ned@example.com")
    subscribe(ProfileFactory(database=ProfileDatabaseFactory()), "out@example.com")
    return Audience(database=shop, site=site, app=app, expected=expected)


def category(target: selectors.DeliveryTarget) -> str:
    """delivery_target explains NONE_SUBSCRIBED with the statuses it found; the count doesn't."""
    return NONE_SUBSCRIBED if target.reason.startswith(NONE_SUBSCRIBED) else target.reason


def test_audience_counts_every_profile_of_the_database_by_reason_in_one_query(
    audience, django_assert_num_queries
):
    # given the Shop audience

    # when
    with django_assert_num_queries(1):
        counts = selectors.audience_counts(
            database=audience.database, resource=audience.site, channel="email"
        )

    # then
    assert counts == {
        TARGET: 4,
        NO_SUBSCRIPTION: 4,
        NONE_SUBSCRIBED: 2,
        ALL_SUPPRESSED: 2,
        global_status_reason("unsubscribed"): 1,
        global_status_reason("complainer"): 1,
    }
    assert sum(counts.values()) == audience.database.profiles.count() == 14


def test_delivery_target_of_each_profile_gives_the_expected_reason(audience):
    # given the Shop audience

    # when
    reasons = {
        profile.email: category(
            selectors.delivery_target(profile=profile, resource=audience.site, channel="email")
        )
        for profile in audience.database.profiles.all()
    }

    # then
    assert reasons == audience.expected


def test_target_skips_suppressed_and_unsubscribed_contacts_of_higher_priority(audience):
    # given
    profiles = audience.database.profiles

    # when
    contacts = {
        name: selectors.delivery_target(
            profile=profiles.get(email=f"{name}@example.com"), resource=audience.site,
            channel="email",
        ).contact
        for name in ("jay", "kim", "ned")
    }  # fmt: skip

    # then
    assert contacts == {"jay": "jay@example.com", "kim": "kim@example.com", "ned": None}


@pytest.mark.parametrize(
    ("resource", "channel"), [("site", "email"), ("site", "sms"), ("app", "email")]
)
def test_audience_counts_agree_with_delivery_target_profile_by_profile(audience, resource, channel):
    # given
    resource = getattr(audience, resource)

    # when
    counts = selectors.audience_counts(
        database=audience.database, resource=resource, channel=channel
    )
    one_by_one = Counter(
        category(selectors.delivery_target(profile=profile, resource=resource, channel=channel))
        for profile in audience.database.profiles.all()
    )

    # then
    assert counts == dict(one_by_one)


def test_audience_command_prints_counts_by_size_a_total_and_the_query_time(audience, capsys):
    # given the Shop audience

    # when
    call_command(
        "audience", "--database", audience.database.pk, "--resource", audience.site.pk,
        "--channel", "email",
    )  # fmt: skip

    # then
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Audience of 'Shop' for 'Site' email:"
    assert [line.split() for line in lines[1:-1]] == [
        ["no", "subscription", "to", "this", "resource", "and", "channel", "4"],
        ["target", "4"],
        ["every", "subscribed", "contact", "is", "on", "the", "suppression", "list", "2"],
        ["no", "subscription", "here", "is", "subscribed", "2"],
        ["global", "status", "is", "complainer", "1"],
        ["global", "status", "is", "unsubscribed", "1"],
        ["total", "14"],
    ]
    assert lines[-1].startswith("Query took ") and lines[-1].endswith(" ms.")


def test_audience_command_prints_json_with_the_time_apart(audience, capsys):
    # given the Shop audience

    # when
    call_command(
        "audience", "--database", audience.database.pk, "--resource", audience.app.pk,
        "--channel", "email", "--json",
    )  # fmt: skip

    # then
    printed = capsys.readouterr()
    assert json.loads(printed.out) == {
        NO_SUBSCRIPTION: 11,
        global_status_reason("complainer"): 1,
        global_status_reason("unsubscribed"): 1,
        TARGET: 1,
    }
    assert printed.err.startswith("Query took ")


def test_audience_of_an_empty_database_totals_zero(db, capsys):
    # given
    database = ProfileDatabaseFactory(name="Empty")
    resource = ResourceFactory(name="Site")

    # when
    call_command(
        "audience", "--database", database.pk, "--resource", resource.pk, "--channel", "sms"
    )

    # then
    assert capsys.readouterr().out.splitlines()[1].split() == ["total", "0"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"--database": "0"}, "No profile database with id 0."),
        ({"--resource": "0"}, "No resource with id 0."),
        ({"--channel": "push"}, "Resource 'Site' has no 'push' channel (it has: email, sms)."),
        ({"--channel": "fax"}, "Resource 'Site' has no 'fax' channel (it has: email, sms)."),
        ({"--database": None}, "the following arguments are required: --database"),
        ({"--channel": None}, "the following arguments are required: --channel"),
        ({"--database": "Shop"}, "invalid int value: 'Shop'"),
    ],
)
def test_audience_command_refuses_a_missing_or_unknown_database_resource_or_channel(
    shop, changes, message
):
    # given
    site = ResourceFactory(name="Site", channels=["email", "sms"])
    options = {"--database": shop.pk, "--resource": site.pk, "--channel": "email", **changes}
    arguments = [str(part) for name, value in options.items() if value for part in (name, value)]

    # when / then
    with pytest.raises(CommandError) as refused:
        call_command("audience", *arguments)
    assert message in str(refused.value)
