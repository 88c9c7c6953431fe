"""No input may cause a 500: every interactions endpoint answers 400 (or 404/409) with the
field named, for wrong types, unknown keys and references to nothing."""

import pytest

from tests.conftest import grant
from tests.interactions.factories import ScenarioFactory, SegmentFactory, TriggerFactory
from tests.profiles.factories import ProfileFactory

BAD_BODIES = [
    {}, {"unknown": 1}, {"profile": "x"}, {"profile": None}, {"profile": [1]},
    {"profiles": [0]}, {"profiles": "1,2"}, {"profiles": [True]}, "text", [1],
]  # fmt: skip


@pytest.fixture
def allowed(api, marketer):
    grant(marketer, *(f"{action}_{model}" for action in ("view", "add", "change", "delete")
                      for model in ("segment", "trigger", "scenario", "relation")),
          "send_trigger", "engage_scenario", "delete_profile")  # fmt: skip
    return api


@pytest.mark.parametrize("body", BAD_BODIES)
def test_bad_bodies_answer_400(allowed, shop, body):
    segment, trigger, scenario = SegmentFactory(database=shop), TriggerFactory(), ScenarioFactory()
    urls = [
        f"/api/v1/segments/{segment.pk}/members/", f"/api/v1/triggers/{trigger.pk}/send/",
        f"/api/v1/scenarios/{scenario.pk}/engage/", "/api/v1/segments/", "/api/v1/triggers/",
        "/api/v1/scenarios/", "/api/v1/relations/", "/api/v1/identify/", "/api/v1/profiles/merge/",
    ]  # fmt: skip
    for url in urls:
        answer = allowed.post(url, body, format="json")
        assert answer.status_code == 400, (url, answer.status_code)


def test_scenario_steps_of_the_wrong_shape_answer_400(allowed):
    for steps in ("x", [1], [{"kind": "wait", "wait_seconds": -5}], [{"kind": "send_trigger",
                                                                     "trigger": 999}]):  # fmt: skip
        answer = allowed.post("/api/v1/scenarios/", {"name": "S", "steps": steps}, format="json")
        assert answer.status_code == 400, steps
        assert "steps" in answer.json()


def test_missing_objects_answer_404_and_used_ones_409(allowed, shop):
    profile = ProfileFactory(database=shop)
    assert allowed.post("/api/v1/triggers/999/send/", {"profile": profile.pk}).status_code == 404
    assert allowed.get("/api/v1/segments/999/members/").status_code == 404
    segment = SegmentFactory(database=shop)
    ScenarioFactory(steps=[{"kind": "add_to_segment", "segment": segment}])
    assert allowed.delete(f"/api/v1/segments/{segment.pk}/").status_code == 409


def test_an_inactive_trigger_or_scenario_is_refused(
    allowed, shop, django_capture_on_commit_callbacks
):
    profile = ProfileFactory(database=shop)
    trigger, scenario = TriggerFactory(is_active=False), ScenarioFactory(is_active=False)
    sent = allowed.post(f"/api/v1/triggers/{trigger.pk}/send/", {"profile": profile.pk})
    engaged = allowed.post(f"/api/v1/scenarios/{scenario.pk}/engage/", {"profile": profile.pk})
    assert (sent.status_code, engaged.status_code) == (400, 400)
    assert "trigger" in sent.json() and "scenario" in engaged.json()
