"""Back-office forms of interactions. Admin forms write through the services while
validating (`profiles.forms.ServiceForm`); the profile block's small forms are validated
here and acted on by `views.py`."""

from typing import Any

from django import forms

from profiles.forms import ServiceForm
from profiles.models import Profile

from .models import Scenario, Segment, StepKind, Trigger
from .services import scenarios, segments, triggers

STEP_EXAMPLE = (
    '[{"kind": "send_trigger", "trigger": 1}, {"kind": "wait", "wait_seconds": 86400}, '
    '{"kind": "add_to_segment", "segment": 2}, {"kind": "finish", "result": "welcomed"}]'
)


class SegmentForm(ServiceForm):
    class Meta:
        model = Segment
        fields = ["database", "name", "description"]

    def write(self) -> Segment:
        data = self.cleaned_data
        if self.instance.pk is None:
            return segments.create_segment(**data)
        return segments.update_segment(
            segment=self.instance, name=data["name"], description=data["description"]
        )


class TriggerForm(ServiceForm):
    class Meta:
        model = Trigger
        fields = ["name", "resource", "channel", "subject", "body", "event_type", "is_marketing",
                  "is_active"]  # fmt: skip

    def write(self) -> Trigger:
        if self.instance.pk is None:
            return triggers.create_trigger(**self.cleaned_data)
        changes = {name: self.cleaned_data[name] for name in self.changed_data}
        return triggers.update_trigger(trigger=self.instance, **changes)


class ScenarioForm(ServiceForm):
    steps = forms.JSONField(
        initial=list, help_text=f"The steps in order, e.g. {STEP_EXAMPLE}. Kinds: "
        f"{', '.join(StepKind.values)}.",
    )  # fmt: skip

    class Meta:
        model = Scenario
        fields = ["name", "description", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["steps"] = [
                {key: value for key, value in step.items() if value not in (None, "")}
                for step in self.instance.steps.values(
                    "kind", "wait_seconds", "trigger", "segment", "result"
                )
            ]

    def clean_steps(self) -> list[dict[str, Any]]:
        steps = self.cleaned_data["steps"]
        if not isinstance(steps, list) or not all(isinstance(step, dict) for step in steps):
            raise forms.ValidationError("Give a list of steps, each an object.")
        return [_step_objects(position, step) for position, step in enumerate(steps)]

    def write(self) -> Scenario:
        data = dict(self.cleaned_data)
        return scenarios.save_scenario(scenario=self.instance if self.instance.pk else None,
                                       **data)  # fmt: skip


STEP_KEYS = {"kind", "wait_seconds", "trigger", "segment", "result"}


def _step_objects(position: int, step: dict[str, Any]) -> dict[str, Any]:
    unknown = set(step) - STEP_KEYS
    if unknown:
        raise forms.ValidationError(f"Step {position + 1}: unknown key {sorted(unknown)[0]!r}.")
    step = dict(step)
    for key, model in (("trigger", Trigger), ("segment", Segment)):
        if step.get(key) is not None:
            found = model.objects.filter(pk=step[key]).first() if _is_id(step[key]) else None
            if found is None:
                raise forms.ValidationError(f"Step {position + 1}: no {key} {step[key]!r}.")
            step[key] = found
    return step


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


class ProfileChoiceForm(forms.Form):
    """The profile block's forms name one row (a segment, trigger or scenario) by id."""

    def __init__(self, *args: Any, queryset, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["choice"] = forms.ModelChoiceField(queryset=queryset)


class RelationForm(forms.Form):
    type = forms.SlugField(max_length=63)
    to_profile = forms.ModelChoiceField(queryset=Profile.objects.all(), widget=forms.NumberInput)


class MergeForm(forms.Form):
    loser = forms.ModelChoiceField(
        queryset=Profile.objects.all(), widget=forms.NumberInput, label="Profile id to merge in"
    )
