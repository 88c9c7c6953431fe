"""Sending (I2) and scenario advancing (I3) through a real Celery worker on Redis."""

import time

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from interactions import tasks
from interactions.models import Participation, TriggerSend
from interactions.services import scenarios, triggers
from tests.interactions.factories import ScenarioFactory, SegmentFactory, TriggerFactory
from tests.profiles.factories import ProfileFactory
from tests.subscriptions.factories import ResourceFactory, SubscriptionFactory

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def wait_for(check, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the worker did not finish in time"
        time.sleep(0.1)


@pytest.fixture
def subscribed(shop):
    resource = ResourceFactory()
    profile = ProfileFactory(database=shop, first_name="Ann")
    SubscriptionFactory(profile=profile, resource=resource, contact="ann@shop.example")
    return profile, resource


def test_a_worker_delivers_a_queued_send(subscribed, celery_worker):
    # given a send queued while no worker runs
    profile, resource = subscribed
    with transaction.atomic():
        send = triggers.send_trigger(trigger=TriggerFactory(resource=resource), profile=profile)
    assert TriggerSend.objects.get(pk=send.pk).status == "queued"
    # when a worker takes it
    with celery_worker():
        wait_for(lambda: TriggerSend.objects.get(pk=send.pk).status != "queued")
    # then
    assert TriggerSend.objects.get(pk=send.pk).status == "delivered"
    assert [message.subject for message in mail.outbox] == ["Hello Ann"]


def test_a_worker_runs_engaged_and_due_participants(subscribed, shop, celery_worker):
    # given a profile engaged in a scenario that sends, waits, then tags
    profile, resource = subscribed
    segment = SegmentFactory(database=shop)
    steps = [{"kind": "send_trigger", "trigger": TriggerFactory(resource=resource)},
             {"kind": "wait", "wait_seconds": 3600},
             {"kind": "add_to_segment", "segment": segment}]  # fmt: skip
    scenario = ScenarioFactory(steps=steps)
    with transaction.atomic():
        participation = scenarios.engage(scenario=scenario, profile=profile)
    with celery_worker():
        # when the worker takes the engagement: it sends and waits
        wait_for(lambda: Participation.objects.get(pk=participation.pk).current_step == 2)
        wait_for(lambda: TriggerSend.objects.filter(status="delivered").exists())
        # when the wait is over and the beat task is sent
        Participation.objects.filter(pk=participation.pk).update(next_run_at=timezone.now())
        tasks.advance_scenarios.delay()
        wait_for(lambda: Participation.objects.get(pk=participation.pk).status != "active")
    # then
    participation.refresh_from_db()
    assert (participation.status, participation.result) == ("finished", "completed")
    assert segment.memberships.filter(profile=profile).exists()
