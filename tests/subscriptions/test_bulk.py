"""subscribe_many (X1, X2: subscribe on import): add_subscription's rules (S2-S9) for many
requests at once, in a number of queries that does not grow with them."""

import math
import threading
import time
from dataclasses import dataclass

import pytest
from django.db import connection
from django.db.models import Count, Max

from config.exceptions import InvalidInput
from history.models import Event
from profiles.models import Profile
from subscriptions import services
from subscriptions.models import Resource, Subscription, Suppression, contact_key
from subscriptions.services import SubscribeOutcome, SubscriptionRequest
from tests.profiles.factories import ProfileDatabaseFactory, ProfileFactory, UserFactory
from tests.subscriptions.factories import ResourceFactory, SubscriptionFactory, SuppressionFactory

UNKNOWN = 10**9  # no profile or resource has this id

# (who, resource, channel, contact, other request values, the outcome both paths must give:
# "new", "known" (the profile has this contact live there) or the key of the error)
SCRIPT = [
    ("ann", "site", "email", "ann@example.com", {"categories": {"news": True}}, "new"),
    ("ann", "site", "email", "ANN@Example.com", {}, "known"),  # twice in one call
    ("ann", "doi", "email", "ann@example.com", {"status": "subscribed"}, "new"),  # unconfirmed
    ("ann", "auto", "email", "a1@example.com", {}, "new"),
    ("ann", "auto", "email", "a2@example.com", {}, "new"),  # 0, and a1 moves to 1
    ("ann", "shop", "email", "ann@example.com", {"fields": {"points": 5}}, "new"),  # size: m
    ("ann", "shop", "email", "ann2@example.com", {"fields": {"points": "many"}}, "fields"),
    ("ann", "shop", "email", "ann3@example.com", {"fields": ["points"]}, "fields"),
    ("ann", "site", "email", "not-an-email", {}, "contact"),
    ("ann", "site", "email", "x@example.com", {"categories": {"gossip": True}}, "categories"),
    ("ann", "site", "telegram", "12345", {}, "channel"),
    ("ann", "site", "email", "y@example.com", {"status": "bogus"}, "status"),
    ("ann", "gone", "email", "ann@example.com", {}, "resource"),
    ("nobody", "site", "email", "who@example.com", {}, "profile"),
    ("ann", "site", "email", "blocked@example.com", {}, "new"),  # suppressed: still added
    ("ann", "site", "email", "Bounced@Example.com", {"status": "hard_bounced"}, "new"),
    ("ann", "site", "sms", "+447911123456", {"status": "unsubscribed"}, "new"),
    ("bob", "site", "email", "BOB@example.com", {}, "known"),  # stored before
    ("bob", "site", "email", "bob@example.com", {"categories": {"x": True}}, "categories"),
    ("bob", "auto", "email", "bob-new@example.com", {}, "new"),  # moves bob's stored one down
    ("cat", "site", "email", "cat-new@example.com", {}, "new"),  # the 21st: replaces one (S5)
    ("cat", "site", "email", "cat-newer@example.com", {}, "new"),  # and again
    ("dan", "site", "email", "dan2@example.com", {}, "new"),  # after dan's stored one: 1
    ("dan", "site", "email", "dan3@example.com", {}, "new"),  # then 2
    ("eve", "site", "email", "eve@example.com", {}, "new"),  # the 201st: replaces one (S5)
    ("fay", "auto", "push", "TokenAbC", {}, "new"),
    ("fay", "auto", "push", "tokenabc", {}, "new"),  # push tokens keep their case
    ("fay", "doi", "email", "fay@example.com", {"categories": {"sales": False}}, "new"),
]


@dataclass
class World:
    """One data set; the equivalence test builds two alike, told apart by their names."""

    tag: str
    profiles: dict[str, Profile]
    resources: dict[str, Resource]


def make_world(tag: str) -> World:
    database = ProfileDatabaseFactory(name=f"Shop {tag}")
    profiles = {
        name: ProfileFactory(database=database, email=f"{name}@example.com")
        for name in ("ann", "bob", "cat", "dan", "eve", "fay")
    }
    resources = {
        "site": ResourceFactory(name=f"Website {tag}"),
        "doi": ResourceFactory(name=f"Newsletter {tag}", double_opt_in=True),
        "auto": ResourceFactory(name=f"App {tag}", auto_priority=True),
        "shop": ResourceFactory(name=f"Shop {tag}"),
    }
    shop = resources["shop"]
    services.create_subscription_field(
        resource=shop, name="size", type="enum", options=["s", "m", "l"], default="m"
    )
    services.create_subscription_field(resource=shop, name="points", type="number")
    _store_subscriptions(profiles, resources, tag)
    return World(tag, profiles, resources)


def _store_subscriptions(profiles: dict[str, Profile], resources: dict[str, Resource], tag: str):
    """bob: his address on the site, one on the auto-priority app; cat: 20 on the site, one
    of them deleted and one suspended; dan: one on the site; eve: 200 over ten other
    resources; and a suppressed address."""
    site, auto = resources["site"], resources["auto"]
    SubscriptionFactory(profile=profiles["bob"], resource=site, contact="bob@example.com")
    SubscriptionFactory(profile=profiles["bob"], resource=auto, contact="bob-old@example.com")
    cats = [
        SubscriptionFactory(profile=profiles["cat"], resource=site, contact=f"c{n}@example.com")
        for n in range(services.CHANNEL_LIMIT)
    ]
    services.change_subscription(subscription=cats[3], status="suspended")
    services.delete_subscription(subscription=cats[7])
    SubscriptionFactory(profile=profiles["dan"], resource=site, contact="dan@example.com")
    others = [ResourceFactory(name=f"Other {tag} {n}") for n in range(10)]
    Subscription.objects.bulk_create(
        Subscription(
            profile=profiles["eve"], resource=resource, channel="email", priority=priority,
            contact=f"{number}-{priority}@example.com",
            contact_key=f"{number}-{priority}@example.com",
        )
        for number, resource in enumerate(others)
        for priority in range(services.CHANNEL_LIMIT)
    )  # fmt: skip
    SuppressionFactory(contact="blocked@example.com")


def requests_for(world: World) -> list[SubscriptionRequest]:
    return [
        SubscriptionRequest(
            profile_id=world.profiles[who].pk if who in world.profiles else UNKNOWN,
            resource_id=world.resources[what].pk if what in world.resources else UNKNOWN,
            channel=channel,
            contact=contact,
            **values,
        )  # fmt: skip
        for who, what, channel, contact, values, _ in SCRIPT
    ]


def one_by_one(requests: list[SubscriptionRequest], actor) -> list[SubscribeOutcome]:
    """What subscribe_many promises, spelled out with add_subscription: a contact already
    live there is answered with its subscription instead of an error; unknown ids refused."""
    outcomes = []
    for request in requests:
        profile = Profile.objects.filter(pk=request.profile_id).first()
        resource = Resource.objects.filter(pk=request.resource_id).first()
        if profile is None:
            errors = {"profile": [f"No profile has id {request.profile_id}."]}
            outcomes.append(SubscribeOutcome(None, created=False, errors=errors))
            continue
        if resource is None:
            errors = {"resource": [f"No resource has id {request.resource_id}."]}
            outcomes.append(SubscribeOutcome(None, created=False, errors=errors))
            continue
        try:
            subscription = services.add_subscription(
                profile=profile, resource=resource, channel=request.channel,
                contact=request.contact, status=request.status, categories=request.categories,
                fields=request.fields, actor=actor,
            )  # fmt: skip
        except InvalidInput as error:
            if error.errors != {"contact": ["This profile already has this contact here."]}:
                outcomes.append(SubscribeOutcome(None, created=False, errors=error.errors))
                continue
            key = contact_key(
                request.channel, services.normalize_contact(request.channel, request.contact)
            )
            known = Subscription.objects.get(
                profile=profile, resource=resource, channel=request.channel, contact_key=key,
                deleted_at__isnull=True,
            )  # fmt: skip
            outcomes.append(SubscribeOutcome(known.pk, created=False, errors={}))
        else:
            outcomes.append(SubscribeOutcome(subscription.pk, created=True, errors={}))
    return outcomes


def marks() -> dict[str, int]:
    return {
        "event": Event.objects.aggregate(last=Max("id"))["last"] or 0,
        "suppression": Suppression.objects.aggregate(last=Max("id"))["last"] or 0,
    }


def state(world: World, outcomes: list[SubscribeOutcome], since: dict[str, int]) -> dict:
    """Everything the two paths must agree on, ids replaced by names: the outcomes, the
    world's subscriptions, the events and suppressions written since `since`."""
    people = {profile.pk: name for name, profile in world.profiles.items()}
    places = {resource.pk: name for name, resource in world.resources.items()}
    subscriptions = Subscription.objects.filter(profile__in=world.profiles.values())
    names = {
        sub.pk: (people[sub.profile_id], places.get(sub.resource_id, "other"), sub.channel,
                 sub.contact)
        for sub in subscriptions
    }  # fmt: skip
    rows = [
        (*names[sub.pk], sub.status, sub.priority, sub.categories, sub.fields,
         sub.deleted_at is not None, [getattr(sub, key) for key in services.DEVICE_FIELDS])
        for sub in subscriptions
    ]  # fmt: skip
    database = world.profiles["ann"].database_id
    events = [
        (people[event.profile_id], event.type, event.channel, places[event.resource_id],
         names[event.subscription_id], event.data, event.actor_id, event.database_id == database)
        for event in Event.objects.filter(profile_id__in=people, id__gt=since["event"])
    ]  # fmt: skip
    # an error may name a resource, whose name tells the worlds apart
    outcomes = [
        (outcome.created, names.get(outcome.subscription_id),
         repr(outcome.errors).replace(world.tag, "<tag>"))
        for outcome in outcomes
    ]  # fmt: skip
    suppressions = Suppression.objects.filter(id__gt=since["suppression"])
    return {
        "outcomes": outcomes,
        "subscriptions": sorted(rows, key=repr),
        "events": sorted(events, key=repr),
        "suppressions": sorted(suppressions.values_list("channel", "contact", "reason")),
    }


def kinds(outcomes: list[SubscribeOutcome]) -> list[str]:
    return [
        next(iter(outcome.errors)) if outcome.errors else "new" if outcome.created else "known"
        for outcome in outcomes
    ]


def test_subscribe_many_does_what_add_subscription_does_one_by_one(db):
    # given two alike data sets, and an importing user
    expected_world, actual_world = make_world("north"), make_world("south")
    importer = UserFactory(username="importer")

    # when the script runs through add_subscription on one, subscribe_many on the other
    before = marks()
    expected_outcomes = one_by_one(requests_for(expected_world), importer)
    expected = state(expected_world, expected_outcomes, before)
    for suppression in Suppression.objects.filter(id__gt=before["suppression"]):
        services.unsuppress(suppression=suppression)  # the list is global: start alike
    before = marks()
    actual_outcomes = services.subscribe_many(requests_for(actual_world), actor=importer)
    actual = state(actual_world, actual_outcomes, before)

    # then the script's outcomes, and the same stored state, events and suppressions
    assert kinds(expected_outcomes) == [line[-1] for line in SCRIPT]
    assert kinds(actual_outcomes) == [line[-1] for line in SCRIPT]
    for part in ("outcomes", "subscriptions", "events", "suppressions"):
        assert actual[part] == expected[part], part


def test_the_script_exercises_the_rules_it_claims_to(db):
    # given
    world = make_world("north")
    ann, bob, cat, eve = (world.profiles[name] for name in ("ann", "bob", "cat", "eve"))
    site, auto = world.resources["site"], world.resources["auto"]
    cat_before = set(Subscription.objects.filter(profile=cat).values_list("contact", flat=True))

    # when
    outcomes = services.subscribe_many(requests_for(world))

    # then: DOI, auto priority inside one call and over a stored one, defaults of fields
    by_contact = {
        (sub.profile_id, sub.resource_id, sub.contact): sub
        for sub in Subscription.objects.filter(deleted_at__isnull=True)
    }
    assert by_contact[ann.pk, world.resources["doi"].pk, "ann@example.com"].status == "unconfirmed"
    assert by_contact[ann.pk, auto.pk, "a1@example.com"].priority == 1
    assert by_contact[ann.pk, auto.pk, "a2@example.com"].priority == 0
    assert by_contact[bob.pk, auto.pk, "bob-old@example.com"].priority == 1
    assert by_contact[ann.pk, world.resources["shop"].pk, "ann@example.com"].fields == {
        "size": "m", "points": 5
    }  # fmt: skip
    # S5: cat's deleted one, then her suspended one, were replaced; eve stays at 200
    cat_after = set(Subscription.objects.filter(profile=cat).values_list("contact", flat=True))
    assert cat_before - cat_after == {"c7@example.com", "c3@example.com"}
    assert Subscription.objects.filter(profile=eve).count() == services.PROFILE_LIMIT
    # the duplicate in the call and the stored one are answered with their ids
    outcome = dict(zip([line[:2] + line[3:4] for line in SCRIPT], outcomes, strict=True))
    first = outcome["ann", "site", "ann@example.com"].subscription_id
    again = outcome["ann", "site", "ANN@Example.com"]
    assert again == SubscribeOutcome(first, created=False, errors={})
    stored = Subscription.objects.get(profile=bob, resource=site, contact="bob@example.com")
    known = outcome["bob", "site", "BOB@example.com"]
    assert known == SubscribeOutcome(stored.pk, created=False, errors={})
    # S7: the hard-bounced address went on the list
    assert Suppression.objects.filter(contact="bounced@example.com", reason="hard_bounced").exists()


def test_running_the_same_requests_again_changes_nothing(db):
    # given an import that ran once
    world = make_world("north")
    first = services.subscribe_many(requests_for(world))
    stored = sorted(Subscription.objects.values_list("pk", "status", "priority", "categories"))
    events = Event.objects.count()

    # when it runs again
    second = services.subscribe_many(requests_for(world))

    # then what it added is answered as known, with the same ids, and nothing changed
    assert second == [
        SubscribeOutcome(outcome.subscription_id, created=False, errors={})
        if not outcome.errors
        else outcome
        for outcome in first
    ]
    assert sorted(Subscription.objects.values_list("pk", "status", "priority", "categories")) == (
        stored
    )
    assert Event.objects.count() == events


# Query budgets


def extra_insert_statements(new: int) -> int:
    """SQLite's backend splits a bulk INSERT into statements of at most 999 parameters (38
    subscriptions, 71 events); PostgreSQL takes one INSERT and one COPY (not counted)."""
    if connection.vendor != "sqlite" or not new:
        return 0
    statements = 0
    for model in (Subscription, Event):
        fields = [field for field in model._meta.concrete_fields if not field.primary_key]
        statements += math.ceil(new / connection.ops.bulk_batch_size(fields, [None] * new)) - 1
    return statements


# SAVEPOINT; profiles FOR UPDATE; resources; their fields; stored subscriptions of the groups;
# subscriptions per profile; SAVEPOINT, INSERT subscriptions, RELEASE; record_many's SAVEPOINT,
# INSERT events (COPY on PostgreSQL, which the count does not see), RELEASE; RELEASE.
QUERIES = 13


@pytest.mark.parametrize("size", [12, 200])
def test_the_number_of_queries_does_not_grow_with_the_requests(
    db, size, django_assert_max_num_queries
):
    # given an app with double opt-in, auto priority and a field with a default, a website
    # without auto priority, and a quarter of `size` profiles of each kind:
    # - `fresh` have no subscription yet and get two addresses on the app (S4 in the call);
    # - `again` have their address on the app already (a re-import);
    # - `more` have their address on the website and get another one there (it goes last)
    app = ResourceFactory(double_opt_in=True, auto_priority=True)
    services.create_subscription_field(resource=app, name="size", type="number", default=1)
    site = ResourceFactory()
    fresh, again, more = (ProfileFactory.create_batch(size // 4) for _ in range(3))
    for profile in again:
        SubscriptionFactory(profile=profile, resource=app, contact=profile.email)
    for profile in more:
        SubscriptionFactory(profile=profile, resource=site, contact=profile.email)
    requests = [
        *(SubscriptionRequest(profile.pk, app.pk, "email", contact, categories={"news": True})
          for profile in fresh for contact in (profile.email, f"second-{profile.pk}@example.com")),
        *(SubscriptionRequest(profile.pk, app.pk, "email", profile.email.upper())
          for profile in again),
        *(SubscriptionRequest(profile.pk, site.pk, "email", f"more-{profile.pk}@example.com")
          for profile in more),
    ]  # fmt: skip
    added = size // 4 * 3
    events = Event.objects.count()

    # when
    with django_assert_max_num_queries(QUERIES + extra_insert_statements(added)):
        outcomes = services.subscribe_many(requests)

    # then
    assert [outcome.created for outcome in outcomes] == (
        [True] * (size // 2) + [False] * (size // 4) + [True] * (size // 4)
    )
    assert Event.objects.count() == events + added
    live = Subscription.objects.filter(deleted_at__isnull=True)
    assert {
        (sub.contact.startswith("second-"), sub.priority, sub.status, sub.fields["size"])
        for sub in live.filter(profile__in=fresh)
    } == {(True, 0, "unconfirmed", 1), (False, 1, "unconfirmed", 1)}
    assert set(live.filter(contact__startswith="more-").values_list("priority", flat=True)) == {1}


# add_subscription's path, per profile that needs it: the lookup of its contact; the counts
# for the limits (two); two UPDATEs that move the others down; SAVEPOINT, INSERT, RELEASE;
# the event's SAVEPOINT, INSERT (COPY on PostgreSQL), RELEASE; its own SAVEPOINT and RELEASE.
QUERIES_PER_PROFILE_ONE_BY_ONE = 13


@pytest.mark.parametrize("size", [3, 12])
def test_profiles_whose_subscriptions_move_cost_a_bounded_number_of_queries_each(
    db, size, django_assert_max_num_queries
):
    # given profiles with a live subscription on an auto-priority resource (S4 moves it)
    resource = ResourceFactory(auto_priority=True)
    profiles = ProfileFactory.create_batch(size)
    for profile in profiles:
        SubscriptionFactory(profile=profile, resource=resource, contact="old@example.com")
    requests = [SubscriptionRequest(p.pk, resource.pk, "email", p.email) for p in profiles]

    # when
    budget = QUERIES + QUERIES_PER_PROFILE_ONE_BY_ONE * size
    with django_assert_max_num_queries(budget):
        outcomes = services.subscribe_many(requests)

    # then
    assert all(outcome.created for outcome in outcomes)
    assert set(
        Subscription.objects.filter(contact="old@example.com").values_list("priority", flat=True)
    ) == {1}


# Concurrent writers


def test_a_priority_taken_behind_the_lock_sends_the_call_one_by_one(db, monkeypatch):
    # given two fresh profiles, and a writer that skips the profile lock and takes priority 0
    # of ann's group between subscribe_many's reads and its bulk insert
    resource = ResourceFactory()
    ann, bob = ProfileFactory.create_batch(2)
    plan = services._plan

    def plan_then_sneak_in(checked):
        planned = plan(checked)
        Subscription.objects.bulk_create([
            Subscription(profile=ann, resource=resource, channel="email", priority=0,
                         contact="sneaky@example.com", contact_key="sneaky@example.com")
        ])  # fmt: skip
        return planned

    monkeypatch.setattr(services, "_plan", plan_then_sneak_in)
    requests = [
        SubscriptionRequest(ann.pk, resource.pk, "email", "ann@example.com"),
        SubscriptionRequest(bob.pk, resource.pk, "email", "bob@example.com"),
        SubscriptionRequest(ann.pk, resource.pk, "email", "sneaky@example.com"),
    ]

    # when
    outcomes = services.subscribe_many(requests)

    # then the call went one by one: ann's new one comes after the sneaked one
    sneaky = Subscription.objects.get(contact="sneaky@example.com")
    assert [(o.created, o.errors) for o in outcomes] == [(True, {}), (True, {}), (False, {})]
    assert outcomes[2].subscription_id == sneaky.pk
    assert dict(Subscription.objects.filter(profile=ann).values_list("contact", "priority")) == {
        "sneaky@example.com": 0,
        "ann@example.com": 1,
    }
    assert Event.objects.filter(type="subscribe", resource_id=resource.pk).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_imports_at_once_leave_one_live_subscription_per_contact():
    # given 40 profiles on an auto-priority resource; import A covers the first 30 in id
    # order, import B the last 30 backwards; each asks for the profile's address and one
    # address of its own
    resource = ResourceFactory(auto_priority=True)
    profiles = ProfileFactory.create_batch(40)

    def requests(name: str, covered: list[Profile]) -> list[SubscriptionRequest]:
        return [
            SubscriptionRequest(profile.pk, resource.pk, "email", contact)
            for profile in covered
            for contact in (profile.email, f"{name}-{profile.pk}@example.com")
        ]

    imports = [requests("a", profiles[:30]), requests("b", profiles[10:][::-1])]

    # when both run at the same moment, each on its own connection
    results = at_once([lambda batch=batch: services.subscribe_many(batch) for batch in imports])

    # then neither failed, each shared address was added once and known to the other import,
    # and every profile's priorities run from 0 without a gap
    assert not [result for result in results if isinstance(result, Exception)]
    shared = [
        outcome
        for result, batch in zip(results, imports, strict=True)
        for outcome, request in zip(result, batch, strict=True)
        if not request.contact.startswith(("a-", "b-"))
    ]
    assert sum(outcome.created for outcome in shared) == 40
    assert all(not outcome.errors for result in results for outcome in result)
    live = Subscription.objects.filter(resource=resource, deleted_at__isnull=True)
    keys = list(live.values_list("profile_id", "contact_key"))
    assert len(keys) == len(set(keys)) == 40 + 30 + 30
    for profile in profiles:
        priorities = sorted(live.filter(profile=profile).values_list("priority", flat=True))
        assert priorities == list(range(len(priorities)))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_imports_at_once_into_other_resources_keep_every_profile_within_200(monkeypatch):
    # given 20 profiles with 199 subscriptions each; imports A and B add one address to each,
    # on two other resources: no priority of one can collide with the other's, so only the
    # profile locks make the second count the first one's subscription (S5). Each import
    # pauses between its reads and its writes, so that without the locks both would read 199.
    plan = services._plan
    monkeypatch.setattr(services, "_plan", lambda checked: (plan(checked), time.sleep(0.3))[0])
    profiles = ProfileFactory.create_batch(20)
    fillers = [ResourceFactory() for _ in range(10)]
    Subscription.objects.bulk_create(
        Subscription(
            profile=profile, resource=resource, channel="email", priority=priority,
            contact=f"{profile.pk}-{resource.pk}-{priority}@example.com",
            contact_key=f"{profile.pk}-{resource.pk}-{priority}@example.com",
        )
        for profile in profiles
        for resource in fillers
        for priority in range(services.CHANNEL_LIMIT)
        if (resource, priority) != (fillers[0], 0)
    )  # fmt: skip
    imports = [
        [SubscriptionRequest(profile.pk, resource.pk, "email", profile.email) for profile in order]
        for resource, order in ((ResourceFactory(), profiles), (ResourceFactory(), profiles[::-1]))
    ]

    # when
    results = at_once([lambda batch=batch: services.subscribe_many(batch) for batch in imports])

    # then both added every address, and the second to lock a profile replaced one of its own
    assert all(outcome.created for result in results for outcome in result)
    counts = Subscription.objects.filter(profile__in=profiles).values_list("profile_id")
    assert {count for _, count in counts.annotate(Count("pk"))} == {services.PROFILE_LIMIT}


def at_once(calls: list) -> list:
    """Run the calls in threads released together by a barrier; each result is the return
    value or the exception raised. Every thread closes its connection."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = calls[index]()
        except Exception as error:  # the test inspects what escaped
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
