"""I3 scenarios: steps in order, engage by hand and API, the beat task advancing in batches,
participation status and result, scenario_entered / scenario_finished events."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from config.exceptions import InvalidInput
from history.models import Event
from interactions.models import Participation, TriggerSend
from interactions.services import scenarios
from tests.conftest import grant
from tests.interactions.factories import ScenarioFactory, SegmentFactory, TriggerFactory
from tests.profiles.factories import ProfileDatabaseFactory, ProfileFactory
from tests.subscriptions.factories import ResourceFactory, SubscriptionFactory


@pytest.fixture
def welcome(shop):
    """Send a welcome, wait a day, put into "Welcomed", finish as "welcomed"."""
    resource = ResourceFactory()
    trigger = TriggerFactory(resource=resource, name="Welcome")
    segment = SegmentFactory(database=shop, name="Welcomed")
    steps = [
        {"kind": "send_trigger", "trigger": trigger},
        {"kind": "wait", "wait_seconds": 86400},
        {"kind": "add_to_segment", "segment": segment},
        {"kind": "finish", "result": "welcomed"},
    ]
    return ScenarioFactory(name="Onboarding", steps=steps), resource, segment


def engage(scenario, profile, capture, actor=None) -> Participation:
    with capture(execute=True):
        participation = scenarios.engage(scenario=scenario, profile=profile, actor=actor)
    participation.refresh_from_db()
    return participation


def later(participation):
    Participation.objects.filter(pk=participation.pk).update(
        next_run_at=timezone.now() - timedelta(seconds=1)
    )


def test_a_participant_goes_through_the_steps(shop, welcome, django_capture_on_commit_callbacks):
    # given
    scenario, resource, segment = welcome
    ann = ProfileFactory(database=shop)
    SubscriptionFactory(profile=ann, resource=resource)
    # when engaged, the first steps run at once, up to the wait
    participation = engage(scenario, ann, django_capture_on_commit_callbacks)
    # then
    assert (participation.status, participation.current_step) == ("active", 2)
    assert participation.next_run_at > timezone.now() + timedelta(hours=23)
    assert TriggerSend.objects.get().status == "delivered" and len(mail.outbox) == 1
    assert scenarios.advance_due() == 0  # not due yet
    # when the day has passed and the beat task runs
    later(participation)
    with django_capture_on_commit_callbacks(execute=True):
        assert scenarios.advance_due() == 1
    # then
    participation.refresh_from_db()
    assert (participation.status, participation.result) == ("finished", "welcomed")
    assert segment.memberships.filter(profile=ann).exists()
    finished = Event.objects.get(profile_id=ann.pk, type="scenario_finished")
    assert finished.data["result"] == "welcomed"
    assert Event.objects.filter(profile_id=ann.pk, type="scenario_entered").count() == 1


def test_a_step_that_cannot_run_fails_the_participation(shop, django_capture_on_commit_callbacks):
    other = SegmentFactory(database=ProfileDatabaseFactory())
    scenario = ScenarioFactory(steps=[{"kind": "add_to_segment", "segment": other}])
    participation = engage(
        scenario, ProfileFactory(database=shop), django_capture_on_commit_callbacks
    )
    assert participation.status == "failed"
    assert participation.result.startswith("step 1: No profile of this segment's database")
    assert Event.objects.get(type="scenario_finished").data["status"] == "failed"


def test_running_past_the_last_step_completes(shop, django_capture_on_commit_callbacks):
    scenario = ScenarioFactory(steps=[])
    participation = engage(
        scenario, ProfileFactory(database=shop), django_capture_on_commit_callbacks
    )
    assert (participation.status, participation.result) == ("finished", "completed")


def test_a_profile_is_engaged_once_at_a_time(shop):
    scenario = ScenarioFactory(steps=[{"kind": "wait", "wait_seconds": 60}])
    ann = ProfileFactory(database=shop)
    scenarios.engage(scenario=scenario, profile=ann)
    with pytest.raises(InvalidInput) as error:
        scenarios.engage(scenario=scenario, profile=ann)
    assert "profile" in error.value.errors


def test_the_beat_task_advances_in_batches(shop, django_capture_on_commit_callbacks):
    scenario = ScenarioFactory(steps=[{"kind": "wait", "wait_seconds": 60}])
    for _ in range(3):
        later(scenarios.engage(scenario=scenario, profile=ProfileFactory(database=shop)))
    assert scenarios.advance_due(batch_size=2) == 2
    assert scenarios.advance_due(batch_size=2) == 1
    assert set(Participation.objects.values_list("status", flat=True)) == {"active"}
    for participation in Participation.objects.all():
        later(participation)
    scenarios.advance_due()
    assert set(Participation.objects.values_list("result", flat=True)) == {"completed"}


@pytest.mark.parametrize(
    ("steps", "error"),
    [([{"kind": "jump"}], "kind"), ([{"kind": "wait"}], "wait_seconds"),
     ([{"kind": "send_trigger"}], "trigger")],
)  # fmt: skip
def test_bad_steps_are_refused(steps, error, db):
    with pytest.raises(InvalidInput) as raised:
        ScenarioFactory(steps=steps)
    assert error in raised.value.errors["steps"][0]


def test_api_creates_a_scenario_and_engages(
    api, marketer, shop, django_capture_on_commit_callbacks
):
    grant(marketer, "add_scenario", "view_scenario", "engage_scenario", "view_participation")
    segment = SegmentFactory(database=shop)
    body = {"name": "Tag", "steps": [{"kind": "add_to_segment", "segment": segment.pk},
                                     {"kind": "finish", "result": "tagged"}]}  # fmt: skip
    created = api.post("/api/v1/scenarios/", body, format="json")
    assert created.status_code == 201, created.json()
    assert [step["position"] for step in created.json()["steps"]] == [0, 1]
    ann = ProfileFactory(database=shop)
    url = f"/api/v1/scenarios/{created.json()['id']}/"
    with django_capture_on_commit_callbacks(execute=True):
        engaged = api.post(url + "engage/", {"profile": ann.pk})
    assert engaged.status_code == 201, engaged.json()
    listed = api.get(url + "participations/").json()["results"]
    assert [(item["status"], item["result"]) for item in listed] == [("finished", "tagged")]
    assert api.post(url + "engage/", {"profile": "x"}).status_code == 400
    bad = api.post("/api/v1/scenarios/", {"name": "B", "steps": [{"kind": "wait"}]}, format="json")
    assert bad.status_code == 400 and "steps" in bad.json()


def test_engaging_needs_its_permission(api, shop):
    scenario = ScenarioFactory()
    ann = ProfileFactory(database=shop)
    assert (
        api.post(f"/api/v1/scenarios/{scenario.pk}/engage/", {"profile": ann.pk}).status_code == 403
    )


def test_a_broken_participant_does_not_stop_the_batch(shop, monkeypatch, caplog):
    scenario = ScenarioFactory(steps=[{"kind": "finish", "result": "done"}])
    first, second = (
        scenarios.engage(scenario=scenario, profile=ProfileFactory(database=shop)) for _ in range(2)
    )
    original = scenarios._run_steps

    def breaking(participation, steps):
        if participation.pk == first.pk:
            raise RuntimeError("disk full")
        original(participation, steps)

    monkeypatch.setattr(scenarios, "_run_steps", breaking)
    assert scenarios.advance_due() == 1
    statuses = dict(Participation.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "active", second.pk: "finished"}
    assert "could not advance" in caplog.text
