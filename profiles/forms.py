"""Admin forms for databases, custom fields and profiles, writing through `services`.

How validation works: each form checks its own shape (types, lengths, choices) as any form
does, then, as the last step of `is_valid()`, `_post_clean` calls the service (the hook
Django's own UserCreationForm overrides for its password rules). The admin runs the whole
change view in one transaction and every service is atomic, so a service that refuses leaves
nothing behind; its InvalidInput is mapped onto the form fields and the page shows the API's
messages. On success the written object is `self.instance` and `save()` only returns it.

ModelForm's own model validation (`construct_instance` + `full_clean`) is skipped on purpose:
it would copy the new values onto the instance before `update_profile` compares old and new,
and the services check the same rules, uniqueness included.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.admin.widgets import AdminTextareaWidget, AdminTextInputWidget
from django.db.models import Model
from django.utils.html import format_html

from config.exceptions import InvalidInput

from . import fields as registry
from . import services
from .models import CustomField, FieldType, Profile, ProfileDatabase
from .validators import check_timezone, normalize_country

# A custom field `age` is the form field `fields__age`: standard names never hold "__".
CUSTOM_PREFIX = "fields__"
EMPTY_CHOICE = ("", "---------")


def custom_input_name(name: str) -> str:
    return CUSTOM_PREFIX + name


class ServiceForm(forms.ModelForm):
    """A ModelForm whose validation ends by writing through a service (see the module doc)."""

    actor = None  # the signed-in user, set by the admin's get_form

    def write(self) -> Model:
        """Each subclass writes its cleaned data through its service and returns the row; the
        base form has no service of its own to call."""
        raise NotImplementedError(f"{type(self).__name__} must define write()")

    def _post_clean(self) -> None:
        if self.errors:
            return
        try:
            self.instance = self.write()
        except InvalidInput as error:
            self.add_service_errors(error.errors)

    def save(self, commit: bool = True) -> Model:
        self.save_m2m = lambda: None
        return self.instance

    def add_service_errors(self, errors: dict[str, Any]) -> None:
        """Put each error of InvalidInput on its form field, or above the form."""
        for key, messages in errors.items():
            if key in self.fields:
                self.add_error(key, messages)
            elif key == "non_field_errors":
                self.add_error(None, messages)
            else:
                self.add_error(None, [f"{key}: {message}" for message in messages])


class DatabaseForm(ServiceForm):
    class Meta:
        model = ProfileDatabase
        fields = ["name", "description"]

    def write(self) -> ProfileDatabase:
        if self.instance.pk is None:
            return services.create_database(**self.cleaned_data)
        changes = {name: self.cleaned_data[name] for name in self.changed_data}
        return services.update_database(database=self.instance, **changes)


# How each custom field type appears on the profile form. The form field only collects text;
# the registry parses and validates it inside the service, so the API's rules apply.


def _text_input(field: CustomField, placeholder: str = "", strip: bool = True) -> forms.Field:
    widget = AdminTextInputWidget(attrs={"placeholder": placeholder} if placeholder else None)
    return forms.CharField(required=False, strip=strip, widget=widget)


def _line_input(field: CustomField) -> forms.Field:
    return _text_input(field, strip=False)  # a Line keeps its spaces


def _date_input(field: CustomField) -> forms.Field:
    return _text_input(field, placeholder="2024-05-01 or 2024-05-01T10:00:00Z")


def _yes_no_select(field: CustomField) -> forms.Field:
    choices = [EMPTY_CHOICE, ("true", "Yes"), ("false", "No")]
    return forms.CharField(required=False, widget=forms.Select(choices=choices))


def _options_select(field: CustomField) -> forms.Field:
    # A CharField, not a ChoiceField: a value outside the options reaches the registry, which
    # names the options in its error, as the API does.
    choices = [EMPTY_CHOICE, *((option, option) for option in field.options)]
    return forms.CharField(required=False, widget=forms.Select(choices=choices))


def _tags_input(field: CustomField) -> forms.Field:
    return _text_input(field, placeholder="tag, other tag")


# One custom field type on the admin form; its initial is the stored value as the text the
# registry reads back to the same value (`registry.text_value`).
FIELD_INPUTS: dict[FieldType, Callable[[CustomField], forms.Field]] = {
    FieldType.NUMBER: _text_input,
    FieldType.FLOAT: _text_input,
    FieldType.LINE: _line_input,
    FieldType.DATE: _date_input,
    FieldType.BOOLEAN: _yes_no_select,
    FieldType.ENUM: _options_select,
    FieldType.IP: _text_input,
    FieldType.TAGS: _tags_input,
}


def custom_form_field(field: CustomField) -> forms.Field:
    form_field = FIELD_INPUTS[FieldType(field.type)](field)
    form_field.label = field.title or field.name
    # The admin renders help_text unescaped, hence format_html.
    form_field.help_text = format_html(
        "<code>{}</code>, {}{}",
        field.name,
        field.get_type_display(),
        ", required" if field.required else "",
    )
    return form_field


class CustomFieldForm(ServiceForm):
    """Options are written one per line or comma separated; the default as CSV text (42,
    2024-05-01, yes, "a, b" for tags), read by the registry's text parser."""

    options = forms.CharField(
        required=False,
        widget=AdminTextareaWidget(attrs={"rows": 4}),
        help_text="Enum only: one option per line, or separated by commas.",
    )
    default = forms.CharField(
        required=False,
        widget=AdminTextInputWidget,
        help_text="Stored on new profiles without a value. Written as text: 42, 2024-05-01, "
        "yes, or tags separated by commas.",
    )

    class Meta:
        model = CustomField
        fields = ["database", "name", "title", "type", "options", "required", "unique", "default"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["options"] = "\n".join(self.instance.options)
            self.initial["default"] = registry.text_value(self.instance, self.instance.default)

    def clean_options(self) -> list[str]:
        text = self.cleaned_data["options"]
        separator = "\n" if "\n" in text else ","
        return [option.strip() for option in text.split(separator) if option.strip()]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        text = cleaned.pop("default", "")
        field_type = cleaned.get("type", self.instance.type)
        if not field_type or "options" not in cleaned:
            return cleaned  # the default cannot be read without them; their error is shown
        probe = CustomField(type=field_type, options=cleaned["options"])
        try:
            cleaned["default"] = registry.clean_value(probe, text, from_text=True)
        except registry.Invalid as error:
            self.add_error("default", str(error))
        return cleaned

    def write(self) -> CustomField:
        keys = ("title", "options", "required", "unique", "default")
        values = {key: self.cleaned_data[key] for key in keys}
        if self.instance.pk:
            return services.update_field(field=self.instance, **values)
        return services.create_field(
            database=self.cleaned_data["database"],
            name=self.cleaned_data["name"],
            type=self.cleaned_data["type"],
            **values,
        )


def _group_label(name: str) -> str:
    """A grouped column's label inside its fieldset: registration_ip reads "IP"."""
    key = name.split("_", 1)[1]
    return {"ip": "IP", "timezone": "Time zone"}.get(key, key.capitalize())


GROUPED_COLUMNS = [
    field.name
    for field in Profile._meta.concrete_fields
    if field.name.startswith(("registration_", "tracked_", "utm_"))
]


class ProfileForm(ServiceForm):
    """A profile of one database: the standard fields plus one form field per custom field,
    added by `profile_form_class`. Saves only what changed, through create_profile or
    update_profile (see the module doc)."""

    database: ProfileDatabase | None = None
    custom_fields: tuple[CustomField, ...] = ()

    email = forms.CharField(
        required=False, max_length=254, widget=AdminTextInputWidget, help_text="Optional."
    )
    phones = forms.CharField(
        required=False,
        widget=AdminTextareaWidget(attrs={"rows": 3}),
        help_text="One number per line, primary first, with its country code (+44 7911 123456).",
    )
    registration_link = forms.URLField(
        label="Link", required=False, max_length=2000, assume_scheme="https"
    )
    tracked_latitude = forms.FloatField(
        label="Latitude", required=False, min_value=-90, max_value=90
    )
    tracked_longitude = forms.FloatField(
        label="Longitude", required=False, min_value=-180, max_value=180
    )

    class Meta:
        model = Profile
        fields = [
            *("status", "is_test", "email", "phones"),
            *("first_name", "last_name", "middle_name", "birthday", "gender"),
            *GROUPED_COLUMNS,
        ]
        labels = {name: _group_label(name) for name in GROUPED_COLUMNS}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        profile = self.instance
        if profile.pk is None:
            profile.database = self.database
        if isinstance(self.initial.get("phones"), list):
            self.initial["phones"] = "\n".join(profile.phones)
        current = profile.fields if profile.pk else {f.name: f.default for f in self.custom_fields}
        for field in self.custom_fields:
            self.initial.setdefault(
                custom_input_name(field.name), registry.text_value(field, current.get(field.name))
            )

    def clean_phones(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["phones"].splitlines() if line.strip()]

    def clean_registration_country(self) -> str:
        return normalize_country(self.cleaned_data["registration_country"])

    def clean_tracked_country(self) -> str:
        return normalize_country(self.cleaned_data["tracked_country"])

    def clean_tracked_timezone(self) -> str:
        return check_timezone(self.cleaned_data["tracked_timezone"])

    def write(self) -> Profile:
        values = self.service_values()
        if self.instance.pk:
            return services.update_profile(profile=self.instance, values=values, actor=self.actor)
        return services.create_profile(database=self.database, values=values, actor=self.actor)

    def service_values(self) -> dict[str, Any]:
        """Standard columns and custom values as the services take them: on a new profile
        everything, on an existing one only what the user changed."""
        names = self.changed_data if self.instance.pk else list(self.cleaned_data)
        values: dict[str, Any] = {}
        custom: dict[str, Any] = {}
        for name in names:
            value = self.cleaned_data[name]
            if name.startswith(CUSTOM_PREFIX):
                custom[name.removeprefix(CUSTOM_PREFIX)] = value
            elif value == "" and Profile._meta.get_field(name).null:
                values[name] = None
            else:
                values[name] = value
        if custom or self.instance.pk is None:
            values["fields"] = custom
        return values

    def add_service_errors(self, errors: dict[str, Any]) -> None:
        errors = dict(errors)
        for name, messages in errors.pop("fields", {}).items():
            if custom_input_name(name) in self.fields:
                self.add_error(custom_input_name(name), messages)
            else:
                self.add_error(None, [f"{name}: {message}" for message in messages])
        super().add_service_errors(errors)


def profile_form_class(database: ProfileDatabase) -> type[ProfileForm]:
    """ProfileForm with one declared form field per custom field of `database`."""
    definitions = tuple(database.fields.all())
    attrs: dict[str, Any] = {custom_input_name(f.name): custom_form_field(f) for f in definitions}
    return type(
        "ProfileForm", (ProfileForm,), {**attrs, "database": database, "custom_fields": definitions}
    )


class BulkUpdateForm(forms.Form):
    """X5 in the admin: one field of the selected profiles and its new value, written as
    text (the CSV import's reading: 42, 2024-05-01, yes, tags separated by commas)."""

    field = forms.ChoiceField()
    value = forms.CharField(
        required=False,
        strip=False,
        widget=AdminTextInputWidget,
        help_text="Empty clears the field. Several phones or tags: separate them with commas.",
    )

    def __init__(self, *args: Any, database: ProfileDatabase, columns: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        custom = [(f.name, f"{f.title or f.name} (custom)") for f in database.fields.all()]
        self.fields["field"].choices = [
            EMPTY_CHOICE,
            ("Standard", [(column, column) for column in columns]),
            *([("Custom fields", custom)] if custom else []),
        ]

    def add_service_errors(self, errors: dict[str, Any]) -> None:
        """A refused field on `field`, a refused value (named as the API names it) on `value`."""
        for key, messages in errors.items():
            if key == "field":
                self.add_error("field", messages)
            elif isinstance(messages, dict):  # {"fields": {name: [reason]}}
                self.add_error("value", [m for reasons in messages.values() for m in reasons])
            else:
                self.add_error("value", messages)
