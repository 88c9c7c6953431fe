"""S4 and S5 under concurrency: eight threads, each on its own PostgreSQL connection, add
subscriptions to ONE profile at the same moment. `add_subscription` queues them on the profile
row lock, so priorities stay distinct and limits hold; what loses a race is a clean InvalidInput.
"""

import threading
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from django.db import connection

from config.exceptions import InvalidInput
from profiles.models import Profile
from subscriptions import services
from subscriptions.models import Resource, Subscription
from tests.profiles.factories import ProfileFactory
from tests.robustness.factories import at_once as run_together
from tests.subscriptions.factories import ResourceFactory, SubscriptionFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


def at_once(work: Callable[[int], Any]) -> list[Any]:
    return run_together(work, THREADS)


class Watcher(threading.Thread):
    """Counts, on its own connection and until stopped, the committed subscriptions of a
    query; keeps the largest count seen."""

    def __init__(self, count: Callable[[], int]):
        super().__init__()
        self.count, self.largest, self.stopped = count, 0, threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.is_set():
                self.largest = max(self.largest, self.count())
        finally:
            connection.close()

    def __enter__(self) -> "Watcher":
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stopped.set()
        self.join()
        self.largest = max(self.largest, self.count())


def add_in_parallel(
    profile: Profile, resource: Resource, priorities: Sequence[int | None] = (None,) * THREADS
) -> list[Any]:
    """Eight `add_subscription` calls on the same profile, resource and email channel, thread
    `i` adding new<i>@example.com with `priorities[i]`, each loading its own rows first."""

    def add(index: int) -> Subscription:
        return services.add_subscription(
            profile=Profile.objects.get(pk=profile.pk),
            resource=Resource.objects.get(pk=resource.pk),
            channel="email",
            contact=f"new{index}@example.com",
            priority=priorities[index],
        )

    return at_once(add)


def escaped(results: list[Any]) -> list[Exception]:
    """What a caller would see as a 500: any exception but a clean InvalidInput."""
    return [r for r in results if isinstance(r, Exception) and not isinstance(r, InvalidInput)]


def failures(results: list[Any]) -> list[Exception]:
    """Every call that did not return a subscription, InvalidInput included."""
    return [result for result in results if not isinstance(result, Subscription)]


def test_parallel_adds_with_auto_priority_get_distinct_priorities_from_zero():
    # given
    profile = ProfileFactory()
    resource = ResourceFactory(auto_priority=True)

    # when
    results = add_in_parallel(profile, resource)

    # then
    assert failures(results) == []
    live = Subscription.objects.filter(profile=profile, deleted_at__isnull=True)
    assert live.count() == THREADS
    assert sorted(live.values_list("priority", flat=True)) == list(range(THREADS))


def test_parallel_adds_with_one_explicit_priority_let_one_win_and_refuse_the_others():
    # given
    profile = ProfileFactory()
    resource = ResourceFactory()

    # when
    results = add_in_parallel(profile, resource, priorities=[5] * THREADS)

    # then
    assert escaped(results) == []
    winners = [result for result in results if isinstance(result, Subscription)]
    refusals = [result.errors for result in results if isinstance(result, InvalidInput)]
    assert len(winners) == 1
    assert refusals == [{"priority": ["Priority 5 is taken here."]}] * (THREADS - 1)
    assert list(Subscription.objects.filter(profile=profile).values_list("pk", "priority")) == [
        (winners[0].pk, 5)
    ]


@pytest.mark.parametrize(
    ("auto_priority", "priorities"),
    [(True, (None,) * THREADS), (False, range(THREADS))],
    ids=["auto priority", "distinct explicit priorities"],
)
def test_parallel_adds_past_the_channel_limit_replace_in_the_s5_order_and_never_exceed_20(
    auto_priority, priorities
):
    # given 19 email subscriptions: 13 subscribed (the first has the lowest priority), one
    # deleted, one in each replaceable status
    profile = ProfileFactory()
    resource = ResourceFactory(auto_priority=auto_priority)

    def subscribe(priority: int, **values) -> Subscription:
        return SubscriptionFactory(profile=profile, resource=resource, priority=priority, **values)

    subscribed = [subscribe(150 - index) for index in range(13)]
    deleted = subscribe(160)
    services.delete_subscription(subscription=deleted)
    in_replaceable_status = [
        subscribe(170 + place, status=status)
        for place, status in enumerate(services.REPLACED_STATUSES)
    ]
    group = Subscription.objects.filter(profile=profile, resource=resource, channel="email")
    assert group.count() == services.CHANNEL_LIMIT - 1

    # when: the first add fills the group, the seven others each replace one
    with Watcher(group.count) as watcher:
        results = add_in_parallel(profile, resource, priorities)

    # then
    assert failures(results) == []
    assert watcher.largest == services.CHANNEL_LIMIT
    replaced = {deleted.pk, *(item.pk for item in in_replaceable_status), subscribed[0].pk}
    kept = {item.pk for item in subscribed} - replaced
    added = {result.pk for result in results}
    assert set(group.values_list("pk", flat=True)) == kept | added
    assert sorted(group.filter(pk__in=added).values_list("priority", flat=True)) == list(
        range(THREADS)
    )


def test_parallel_adds_past_the_profile_limit_replace_the_oldest_lowest_and_never_exceed_200():
    # given 199 subscriptions over ten other resources (nine groups of 20, one of 19); the adds
    # ask for distinct priorities, so no unique priority refuses one and only the lock can keep
    # them under the limit
    profile = ProfileFactory()
    others = [ResourceFactory() for _ in range(10)]
    Subscription.objects.bulk_create(
        Subscription(
            profile=profile, resource=resource, channel="email",
            contact=f"r{resource.pk}-{priority}@example.com",
            contact_key=f"r{resource.pk}-{priority}@example.com", priority=priority,
        )
        for resource in others
        for priority in range(services.CHANNEL_LIMIT)
    )  # fmt: skip
    Subscription.objects.filter(resource=others[-1], priority=0).delete()
    everything = Subscription.objects.filter(profile=profile)
    assert everything.count() == services.PROFILE_LIMIT - 1
    lowest = everything.filter(priority=services.CHANNEL_LIMIT - 1).order_by("created_at", "id")
    expected_replaced = set(lowest.values_list("pk", flat=True)[: THREADS - 1])

    # when: the first add fills the profile, the seven others each replace one
    with Watcher(everything.count) as watcher:
        results = add_in_parallel(profile, ResourceFactory(), priorities=range(THREADS))

    # then
    assert failures(results) == []
    assert watcher.largest == services.PROFILE_LIMIT
    assert everything.count() == services.PROFILE_LIMIT
    assert not everything.filter(pk__in=expected_replaced).exists()
    assert all(everything.filter(pk=result.pk).exists() for result in results)
