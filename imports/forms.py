"""Back-office forms of imports (X1, X4): the upload, the column mapping and options, and a
scheduled import. They check shapes and choices; the services decide the rest, and their
InvalidInput errors are put back on these forms' fields (`add_service_errors`)."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.widgets import AdminTextInputWidget
from django.forms.models import construct_instance
from django.template.defaultfilters import filesizeformat

from profiles.forms import ServiceForm
from profiles.models import CustomField, ProfileDatabase
from subscriptions.models import Resource

from . import columns, schedules, selectors
from .models import ImportJob, ScheduledImport
from .reading import AUTO, ENCODINGS, Layout

# "tab" stands for "\t" in forms: a tab in an HTML attribute is easy to lose on the way.
DELIMITERS = {",": "Comma ,", ";": "Semicolon ;", "tab": "Tab", "|": "Vertical bar |"}
SKIP = ("", "(skip this column)")


def delimiter_code(delimiter: str) -> str:
    return "tab" if delimiter == "\t" else delimiter


def delimiter_of(code: str) -> str:
    return "\t" if code == "tab" else code


def encoding_choices(current: str = "") -> list[tuple[str, str]]:
    names = ENCODINGS + ([current] if current and current not in ENCODINGS + [AUTO] else [])
    return [(AUTO, "Detect (UTF-8, or a byte order mark)"), *((name, name) for name in names)]


def add_service_errors(form: forms.Form, errors: dict[str, Any]) -> None:
    """Each message of InvalidInput on its form field, or above the form."""
    for key, messages in errors.items():
        field = key if key in form.fields else None
        form.add_error(field, messages if field else [f"{key}: {text}" for text in messages])


class LayoutForm(forms.Form):
    """How to read the file: on the upload, and to read it again on the preview."""

    encoding = forms.ChoiceField(choices=encoding_choices, initial=AUTO)
    delimiter = forms.ChoiceField(
        choices=[("", "Detect"), *DELIMITERS.items()], required=False, initial=""
    )

    def __init__(self, *args: Any, encoding: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["encoding"].choices = encoding_choices(encoding)

    def clean_delimiter(self) -> str:
        return delimiter_of(self.cleaned_data["delimiter"])


class UploadForm(LayoutForm):
    database = forms.ModelChoiceField(queryset=ProfileDatabase.objects.only("id", "name"))
    # Empty files reach upload_file, whose message says what is wrong with them.
    file = forms.FileField(
        allow_empty_file=True,
        help_text=f"A CSV file whose first line is the header, up to "
        f"{filesizeformat(settings.IMPORT_MAX_FILE_SIZE)}.",
    )
    field_order = ["database", "file", "encoding", "delimiter"]


class MappingForm(forms.Form):
    """The column mapping (one select per column of the file, named `column_<n>`) and the
    import's options. `encoding` and `delimiter` carry the layout the page was read with."""

    encoding = forms.CharField(widget=forms.HiddenInput)
    delimiter = forms.CharField(widget=forms.HiddenInput, required=False)
    matching = forms.ChoiceField(help_text="How a row finds the profile it updates.")
    skip_existing = forms.BooleanField(
        required=False, help_text=ImportJob._meta.get_field("skip_existing").help_text
    )
    create_new = forms.BooleanField(
        required=False, help_text=ImportJob._meta.get_field("create_new").help_text
    )
    detect_geo = forms.BooleanField(
        required=False, label="Detect geography",
        help_text=ImportJob._meta.get_field("detect_geo").help_text,
    )  # fmt: skip
    subscribe = forms.ChoiceField(
        required=False, label="Subscribe to",
        help_text="Subscribe every imported profile with its email or first phone.",
    )  # fmt: skip
    segment_name = forms.CharField(
        required=False, max_length=200, label="New static segment",
        help_text=ImportJob._meta.get_field("segment_name").help_text,
    )  # fmt: skip

    def __init__(
        self,
        *args: Any,
        job: ImportJob,
        layout: Layout,
        mapping: list[str],
        definitions: dict[str, CustomField],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.definitions = definitions
        targets = [SKIP, *columns.target_choices(self.definitions)]
        self.column_names = []
        for position, header in enumerate(layout.headers):
            name = f"column_{position}"
            self.fields[name] = forms.ChoiceField(
                choices=targets, required=False, label=header or f"Column {position + 1}"
            )
            self.initial[name] = mapping[position] if position < len(mapping) else ""
            self.column_names.append(name)
        self.fields["matching"].choices = self._matching_choices()
        self.fields["subscribe"].choices = [("", "Do not subscribe"), *_subscribe_choices()]
        self.initial |= {
            "encoding": layout.encoding, "delimiter": delimiter_code(layout.delimiter),
            "matching": job.matching, "skip_existing": job.skip_existing,
            "create_new": job.create_new, "detect_geo": job.detect_geo,
        }  # fmt: skip

    def _matching_choices(self) -> list[tuple[str, str]]:
        unique = [
            (f"field:{name}", f"Field: {field.title or name}")
            for name, field in self.definitions.items()
            if field.unique
        ]
        return [("email", "Email"), ("phone", "Phone (the first one)"), ("id", "Profile id"),
                *unique]  # fmt: skip

    def column_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.column_names]

    def option_fields(self) -> list[forms.BoundField]:
        names = ["matching", "skip_existing", "create_new", "detect_geo", "subscribe",
                 "segment_name"]  # fmt: skip
        return [self[name] for name in names]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        mapping = [data.get(name, "") for name in self.column_names]
        # Per column, so the reason shows at its select; configure_import checks it again.
        for position, why in columns.check_mapping(mapping, self.definitions).items():
            self.add_error(self.column_names[position], why)
        data["mapping"] = mapping
        return data

    def clean_delimiter(self) -> str:
        return delimiter_of(self.cleaned_data["delimiter"])

    def clean_subscribe(self) -> tuple[Resource | None, str]:
        chosen = self.cleaned_data["subscribe"]
        if not chosen:
            return None, ""
        resource_id, channel = chosen.split(":")
        resource = Resource.objects.filter(pk=resource_id).first()
        if resource is None:
            raise forms.ValidationError("This resource was deleted meanwhile; choose another.")
        return resource, channel

    def options(self) -> dict[str, Any]:
        """The keyword arguments of `services.configure_import`."""
        data = self.cleaned_data
        resource, channel = data["subscribe"]
        return {
            "mapping": data["mapping"], "matching": data["matching"],
            "skip_existing": data["skip_existing"], "create_new": data["create_new"],
            "detect_geo": data["detect_geo"], "subscribe_resource": resource,
            "subscribe_channel": channel, "encoding": data["encoding"],
            "delimiter": data["delimiter"], "segment_name": data["segment_name"],
        }  # fmt: skip

    def add_service_errors(self, errors: dict[str, Any]) -> None:
        add_service_errors(self, {_FIELD_OF.get(key, key): value for key, value in errors.items()})


_FIELD_OF = {"subscribe_channel": "subscribe", "subscribe_resource": "subscribe"}


def _subscribe_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    return [
        (resource.name, [(f"{resource.pk}:{channel}", f"{resource.name}: {channel}")
                         for channel in channels])
        for resource, channels in selectors.subscription_targets()
    ]  # fmt: skip


class ScheduledImportForm(ServiceForm):
    """Written through `schedules.save_schedule`, which also schedules it with beat."""

    delimiter = forms.ChoiceField(choices=[("", "Detect"), *DELIMITERS.items()], required=False)
    mapping = forms.JSONField(
        required=False, initial=dict,
        help_text='Columns by header: {"E-mail": "email", "Age": "fields.age", "Password": ""} '
        "(an empty target skips the column). Headers not named here are mapped by their name "
        "as on the upload page. A header named here but missing from the file stops the run.",
    )  # fmt: skip

    class Meta:
        model = ScheduledImport
        fields = [
            "name", "enabled", "database", "path", "interval_minutes", "encoding", "delimiter",
            "mapping", "matching", "skip_existing", "create_new", "detect_geo",
            "subscribe_resource", "subscribe_channel",
        ]  # fmt: skip
        widgets = {"path": AdminTextInputWidget(attrs={"size": 60})}
        help_texts = {
            "matching": "email, phone, id, or field:<name> of a unique custom field.",
            "subscribe_channel": "With a resource: email, sms, whatsapp or viber, one of its "
            "channels.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "path"
        ].help_text = f"Relative to {settings.IMPORT_SCHEDULE_DIR}; nothing outside it is read."
        self.initial["delimiter"] = delimiter_code(self.instance.delimiter)

    def clean_delimiter(self) -> str:
        return delimiter_of(self.cleaned_data["delimiter"])

    def clean_mapping(self) -> Any:
        return self.cleaned_data["mapping"] or {}

    def write(self) -> ScheduledImport:
        construct_instance(self, self.instance, self._meta.fields)
        return schedules.save_schedule(schedule=self.instance)
