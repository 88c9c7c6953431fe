"""The Django admin of segments, triggers and scenarios: writes go through the services,
their errors show on the form; sends, participations and relations are read-only lists."""

import pytest

from history.models import Event
from interactions.models import Scenario, Segment, Trigger
from interactions.services import segments
from tests.interactions.factories import (
    RelationFactory,
    ScenarioFactory,
    SegmentFactory,
    TriggerFactory,
)
from tests.profiles.factories import ProfileFactory
from tests.subscriptions.factories import ResourceFactory


@pytest.fixture
def staff(admin_client):
    return admin_client


def errors_of(response) -> dict:
    return response.context["adminform"].form.errors


def test_a_segment_is_created_and_its_name_checked(staff, shop):
    answer = staff.post("/admin/interactions/segment/add/",
                        {"database": shop.pk, "name": "VIP", "description": ""})  # fmt: skip
    assert answer.status_code == 302
    again = staff.post("/admin/interactions/segment/add/",
                       {"database": shop.pk, "name": "VIP", "description": ""})  # fmt: skip
    assert "name" in errors_of(again)
    assert Segment.objects.count() == 1


def test_the_segment_list_counts_members(staff, shop, django_assert_max_num_queries):
    for _ in range(3):
        segment = SegmentFactory(database=shop, name="<i>x</i>" if _ == 0 else f"S{_}")
        segments.add_to_segment(segment=segment, profile_ids=[ProfileFactory(database=shop).pk])
    # session, user, segments with counts (count + page), database filter choices
    with django_assert_max_num_queries(8):
        page = staff.get("/admin/interactions/segment/")
    assert page.status_code == 200
    assert "&lt;i&gt;x&lt;/i&gt;" in page.content.decode()


def test_a_trigger_is_validated_by_its_service(staff):
    resource = ResourceFactory(channels=["email"])
    body = {"name": "Welcome", "resource": resource.pk, "channel": "sms", "subject": "Hi",
            "body": "Hello {{ nickname }}", "event_type": "", "is_marketing": "on",
            "is_active": "on"}  # fmt: skip
    answer = staff.post("/admin/interactions/trigger/add/", body)
    assert set(errors_of(answer)) == {"channel", "body"}
    fixed = body | {"channel": "email", "body": "Hello {{ first_name }}"}
    assert staff.post("/admin/interactions/trigger/add/", fixed).status_code == 302
    assert Trigger.objects.get().body == "Hello {{ first_name }}"


def test_a_scenario_takes_its_steps_as_json(staff, shop):
    trigger, segment = TriggerFactory(), SegmentFactory(database=shop)
    steps = (f'[{{"kind": "send_trigger", "trigger": {trigger.pk}}}, '
             f'{{"kind": "add_to_segment", "segment": {segment.pk}}}]')  # fmt: skip
    answer = staff.post("/admin/interactions/scenario/add/",
                        {"name": "Onboarding", "is_active": "on", "steps": steps})  # fmt: skip
    assert answer.status_code == 302
    scenario = Scenario.objects.get()
    assert list(scenario.steps.values_list("position", "kind")) == [
        (0, "send_trigger"), (1, "add_to_segment")
    ]  # fmt: skip
    page = staff.get(f"/admin/interactions/scenario/{scenario.pk}/change/")
    assert "send_trigger" in page.content.decode()


@pytest.mark.parametrize(
    "steps", ['{"kind": "wait"}', '[{"kind": "wait"}]', '[{"kind": "send_trigger", "trigger": 99}]',
              '[{"kind": "finish", "colour": "red"}]', '[{"kind": "wait", "wait_seconds": -1}]'],
)  # fmt: skip
def test_bad_scenario_steps_show_on_the_form(staff, steps, db):
    answer = staff.post("/admin/interactions/scenario/add/", {"name": "S", "steps": steps})
    assert answer.status_code == 200
    assert "steps" in errors_of(answer)
    assert not Scenario.objects.exists()


def test_read_only_lists_render(staff, shop):
    RelationFactory()
    ScenarioFactory()
    for url in ("triggersend", "participation", "relation"):
        assert staff.get(f"/admin/interactions/{url}/").status_code == 200
    assert staff.get("/admin/interactions/relation/add/").status_code == 403


def test_deleting_a_segment_in_the_admin_records_nothing_and_goes(staff, shop):
    segment = SegmentFactory(database=shop)
    answer = staff.post(f"/admin/interactions/segment/{segment.pk}/delete/", {"post": "yes"})
    assert answer.status_code == 302
    assert not Segment.objects.exists()
    assert not Event.objects.filter(type="segment_exited").exists()
