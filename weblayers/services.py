"""Writes of the web layers: form definitions and submissions (D2), with UTM (P12).

`submit_form` is what the public `/f/<slug>/` endpoint calls: it finds the profile (the signed
profile of the request, else by email in the form's database), creates or updates it through
`profiles.services`, subscribes it through `subscriptions.services` (which applies the
resource's double opt-in), stores the utm_* tags when the form says so, and records
`form_filled` with the submitted values.
"""

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from config.exceptions import InvalidInput
from history import services as history
from history.models import EventType, ImportSource
from profiles import selectors as profile_selectors
from profiles import services as profiles
from profiles.models import CustomField, Gender, Profile
from subscriptions import services as subscriptions

from .models import Form

TEXT_TARGETS = ("first_name", "last_name", "middle_name")
TARGETS = ("email", "phone", *TEXT_TARGETS, "birthday", "gender")
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
MAX_INPUTS = 30
MAX_VALUE = 1000


@transaction.atomic
def save_form(*, form: Form | None = None, **values: Any) -> Form:
    """Create (form=None) or update a form definition; checks the input mapping."""
    form = form or Form()
    for name, value in values.items():
        setattr(form, name, value)
    check_inputs(form)
    if form.resource_id and not form.channel:
        raise ValidationError({"channel": ["Choose the channel to subscribe on."]})
    if Form.objects.filter(slug=form.slug).exclude(pk=form.pk).exists():
        raise ValidationError({"slug": ["A form with this slug already exists."]})
    form.save()
    return form


def check_inputs(form: Form) -> None:
    inputs = form.inputs
    if not isinstance(inputs, list) or not 1 <= len(inputs) <= MAX_INPUTS:
        raise ValidationError({"inputs": [f"Give 1 to {MAX_INPUTS} inputs."]})
    if not all(isinstance(item, dict) for item in inputs):
        raise ValidationError(
            {"inputs": ['Each input is {"name", "label", "target", "required"}.']}
        )
    custom = CustomField.objects.filter(database_id=form.database_id)
    custom = set(custom.values_list("name", flat=True))
    names, problems = set(), []
    for item in inputs:
        name, target = item.get("name", ""), item.get("target", "")
        if name in names or name in UTM_KEYS:
            problems.append(f"Input name {name!r} is repeated or reserved.")
        names.add(name)
        if target not in TARGETS and target.removeprefix("fields.") not in custom:
            problems.append(f"Input {name!r}: unknown target {target!r}.")
    wanted = "phone" if form.channel == "sms" else form.channel
    if form.channel and wanted not in {item.get("target") for item in inputs}:
        problems.append(f"Subscribing on {form.channel} needs an input with that target.")
    if problems:
        raise ValidationError({"inputs": problems})


@transaction.atomic
def submit_form(
    *,
    form: Form,
    data: Mapping[str, str],
    profile: Profile | None = None,
    visitor: str = "",
    url: str = "",
    user_agent: str = "",
) -> Profile:
    """Apply one submission. Raises InvalidInput keyed by input name; the messages never echo
    stored data, since the caller is the public."""
    values, submitted = _values(form, data)
    email = values.get("email")
    if profile is None and email:
        profile = profile_selectors.with_email(
            Profile.objects.filter(database=form.database), email
        ).first()
    try:
        if profile is None:
            profile = profiles.create_profile(
                database=form.database, values=values, source=ImportSource.API
            )
        else:
            profiles.update_profile(profile=profile, values=values)
    except InvalidInput as error:
        raise InvalidInput(_by_input(form, error.errors)) from error
    _subscribe(form, profile, values, user_agent)
    history.record(
        type=EventType.FORM_FILLED, profile=profile, visitor=visitor,
        object_type="weblayers.form", object_id=form.pk,
        data={"form": form.slug, "title": form.name, "values": submitted, "url": url},
    )  # fmt: skip
    return profile


def _values(form: Form, data: Mapping[str, str]) -> tuple[dict, dict]:
    """Profile values and the submitted inputs, or InvalidInput naming each bad input."""
    values: dict[str, Any] = {"fields": {}}
    submitted, errors = {}, {}
    for item in form.inputs:
        raw = (data.get(item["name"]) or "").strip()
        if not raw:
            if item.get("required"):
                errors[item["name"]] = ["This field is required."]
            continue
        submitted[item["name"]] = raw
        try:
            _put(values, item["target"], raw)
        except ValueError:
            errors[item["name"]] = ["Enter a valid value."]
    if errors:
        raise InvalidInput(errors)
    if form.update_utm:
        values.update({key: data[key][:255] for key in UTM_KEYS if data.get(key)})
    if not values["fields"]:
        del values["fields"]
    return values, submitted


def _put(values: dict, target: str, raw: str) -> None:
    if target.startswith("fields."):
        values["fields"][target.removeprefix("fields.")] = raw
    elif target == "phone":
        values["phones"] = [raw]
    elif target == "birthday":
        values["birthday"] = date.fromisoformat(raw)
    elif target == "gender":
        if raw not in Gender.values:
            raise ValueError(raw)
        values["gender"] = raw
    elif target in TEXT_TARGETS and len(raw) > 150:
        raise ValueError(raw)
    else:
        values[target] = raw


def _by_input(form: Form, errors: Mapping[str, Any]) -> dict[str, list[str]]:
    """Service errors (keyed by profile column or custom field) under the form's input names."""
    names = {item["target"]: item["name"] for item in form.inputs}
    names |= {item["target"].removeprefix("fields."): item["name"] for item in form.inputs}
    names["phones"] = names.get("phone", "phone")
    flat = {**errors, **(errors.get("fields") or {})}
    return {
        names[key]: ["Enter a valid value."] for key in flat if key != "fields" and key in names
    } or {"__all__": ["The form could not be saved."]}


def _subscribe(form: Form, profile: Profile, values: Mapping[str, Any], user_agent: str) -> None:
    """Subscribe the submitted contact (as the profile now stores it); one already subscribed
    there is left as it is."""
    if form.resource is None:
        return
    if form.channel == "email":
        contact = profile.email if values.get("email") else ""
    else:
        contact = profile.phones[0] if values.get("phones") and profile.phones else ""
    if not contact:
        return
    try:
        subscriptions.add_subscription(
            profile=profile, resource=form.resource, channel=form.channel, contact=contact,
            user_agent=user_agent,
        )  # fmt: skip
    except InvalidInput as error:
        if "contact" not in error.errors:
            raise
