"""I3 scenarios: define the ordered steps, engage a profile, and advance participants in
batches (the beat task): wait, send a trigger, add to or remove from a segment, finish."""

import logging
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from config.exceptions import InvalidInput
from history import services as history
from history.models import EventType
from profiles.models import Profile

from ..models import Participation, Scenario, ScenarioStep, StepKind
from . import segments, triggers

logger = logging.getLogger(__name__)
OBJECT_TYPE = "interactions.scenario"
ADVANCE_BATCH = 500
COMPLETED = "completed"
# What each kind of step needs besides its kind.
STEP_NEEDS = {
    StepKind.WAIT: "wait_seconds",
    StepKind.SEND_TRIGGER: "trigger",
    StepKind.ADD_TO_SEGMENT: "segment",
    StepKind.REMOVE_FROM_SEGMENT: "segment",
    StepKind.FINISH: None,
}


@transaction.atomic
def save_scenario(
    *, scenario: Scenario | None = None, steps: list[dict[str, Any]] | None, **attributes: Any
) -> Scenario:
    """Create or update a scenario and replace its steps (None keeps them), numbered in the
    given order. Participants on the way go on by position in the new steps."""
    _check_steps(steps or [])
    scenario = scenario or Scenario()
    for name, value in attributes.items():
        setattr(scenario, name, value)
    if Scenario.objects.filter(name=scenario.name).exclude(pk=scenario.pk).exists():
        raise InvalidInput({"name": ["A scenario with this name already exists."]})
    scenario.save()
    if steps is None:
        return scenario
    scenario.steps.all().delete()
    ScenarioStep.objects.bulk_create(
        ScenarioStep(scenario=scenario, position=position, **step)
        for position, step in enumerate(steps)
    )
    return scenario


def _check_steps(steps: list[dict[str, Any]]) -> None:
    errors = []
    for number, step in enumerate(steps, start=1):
        kind = step.get("kind")
        need = STEP_NEEDS.get(kind)
        if kind not in STEP_NEEDS:
            errors.append(f"Step {number}, kind: choose one of {', '.join(STEP_NEEDS)}.")
        elif need and step.get(need) is None:
            errors.append(f"Step {number}, {need}: a {kind} step needs it.")
        elif kind == StepKind.WAIT and not _seconds(step["wait_seconds"]):
            errors.append(f"Step {number}, wait_seconds: a whole number of seconds, 0 or more.")
    if errors:
        raise InvalidInput({"steps": errors})


def _seconds(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


@transaction.atomic
def engage(
    *, scenario: Scenario, profile: Profile, actor: AbstractBaseUser | None = None
) -> Participation:
    """Start the profile on the scenario's first step (I3), recorded as `scenario_entered`;
    the steps run after commit. A profile already on the way is refused."""
    if not scenario.is_active:
        raise InvalidInput({"scenario": ["This scenario is switched off."]})
    running = Participation.objects.filter(scenario=scenario, profile=profile)
    if running.filter(status=Participation.Status.ACTIVE).exists():
        raise InvalidInput({"profile": ["This profile is already in this scenario."]})
    participation = Participation.objects.create(
        scenario=scenario, profile=profile, next_run_at=timezone.now()
    )
    _event(participation, EventType.SCENARIO_ENTERED, actor=actor)
    from .. import tasks

    transaction.on_commit(lambda: tasks.advance_scenarios.delay([participation.pk]))
    return participation


def advance_due(*, batch_size: int = ADVANCE_BATCH, ids: list[int] | None = None) -> int:
    """Run the due steps of up to `batch_size` active participations (or of `ids`), each in
    its own transaction, locked and skipped by a concurrent run; return how many ran."""
    due = Participation.objects.filter(
        status=Participation.Status.ACTIVE, next_run_at__lte=timezone.now()
    )
    if ids is not None:
        due = due.filter(pk__in=ids)
    chosen = list(due.order_by("next_run_at").values_list("pk", flat=True)[:batch_size])
    advanced = 0
    for pk in chosen:
        try:
            advanced += _advance_one(pk)
        except Exception:  # one broken participant must not stop the batch; it stays due
            logger.exception("Scenario participation %s could not advance", pk)
    return advanced


@transaction.atomic
def _advance_one(pk: int) -> bool:
    locked = Participation.objects.select_for_update(skip_locked=True).filter(
        pk=pk, status=Participation.Status.ACTIVE, next_run_at__lte=timezone.now()
    )
    participation = locked.select_related("scenario", "profile").first()
    if participation is None:
        return False
    steps = list(participation.scenario.steps.select_related("trigger", "segment"))
    try:
        with transaction.atomic():
            _run_steps(participation, steps)
    except InvalidInput as error:
        _finish(participation, Participation.Status.FAILED, _reason(error, participation))
    return True


def _run_steps(participation: Participation, steps: list[ScenarioStep]) -> None:
    while participation.current_step < len(steps):
        step = steps[participation.current_step]
        participation.current_step += 1
        if step.kind == StepKind.FINISH:
            _finish(participation, Participation.Status.FINISHED, step.result or COMPLETED)
            return
        if step.kind == StepKind.WAIT:
            participation.next_run_at = timezone.now() + timedelta(seconds=step.wait_seconds)
            participation.save(update_fields=["current_step", "next_run_at"])
            return
        _run_action(step, participation.profile)
    _finish(participation, Participation.Status.FINISHED, COMPLETED)


def _run_action(step: ScenarioStep, profile: Profile) -> None:
    if step.kind == StepKind.SEND_TRIGGER:
        triggers.send_trigger(trigger=step.trigger, profile=profile)
    elif step.kind == StepKind.ADD_TO_SEGMENT:
        segments.add_to_segment(segment=step.segment, profile_ids=[profile.pk], source="scenario")
    else:
        segments.remove_from_segment(
            segment=step.segment, profile_ids=[profile.pk], source="scenario"
        )


def _reason(error: InvalidInput, participation: Participation) -> str:
    messages = [str(item) for value in error.errors.values() for item in value]
    return f"step {participation.current_step}: {' '.join(messages)}"[:500]


def _finish(participation: Participation, status: str, result: str) -> None:
    participation.status, participation.result = status, result
    participation.finished_at, participation.next_run_at = timezone.now(), None
    participation.save(
        update_fields=["status", "result", "current_step", "finished_at", "next_run_at"]
    )
    _event(participation, EventType.SCENARIO_FINISHED, data={"status": status, "result": result})


def _event(participation: Participation, type: EventType, actor=None, data=None) -> None:
    history.record(
        type=type, profile=participation.profile, actor=actor, object_type=OBJECT_TYPE,
        object_id=participation.scenario_id,
        data={"scenario": participation.scenario.name, "participation": participation.pk,
              **(data or {})},
    )  # fmt: skip
