"""Admin forms for resources, subscription fields, subscriptions and suppressions.

They write through `services` as the profiles admin forms do (profiles/forms.py explains how):
validation ends by calling the service, whose InvalidInput errors land on the form fields.
"""

from typing import Any

from django import forms
from django.contrib.admin.widgets import AdminTextareaWidget
from django.forms.models import BaseInlineFormSet

from profiles.forms import CustomFieldForm, ServiceForm

from . import services
from .models import Channel, Resource, Subscription, SubscriptionField, Suppression


def _names(text: str) -> list[str]:
    """Names written one per line or separated by commas."""
    separator = "\n" if "\n" in text else ","
    return [name.strip() for name in text.split(separator) if name.strip()]


class ResourceForm(ServiceForm):
    channels = forms.MultipleChoiceField(
        choices=Channel.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    categories = forms.CharField(
        required=False,
        widget=AdminTextareaWidget(attrs={"rows": 3}),
        help_text="One per line or separated by commas: lower-case letters, digits, - and _.",
    )

    class Meta:
        model = Resource
        fields = ["name", "channels", "categories", "auto_priority", "double_opt_in"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial["categories"] = "\n".join(self.instance.categories)

    def clean_categories(self) -> list[str]:
        return _names(self.cleaned_data["categories"])

    def write(self) -> Resource:
        if self.instance.pk is None:
            return services.create_resource(**self.cleaned_data)
        changes = {name: self.cleaned_data[name] for name in self.changed_data}
        return services.update_resource(resource=self.instance, **changes)


class SubscriptionFieldForm(CustomFieldForm):
    """A row of the resource's field inline: options and default as text, as for a profile
    database's custom fields; name and type cannot change once saved (the service says so)."""

    class Meta:
        model = SubscriptionField
        fields = ["name", "title", "type", "options", "required", "default"]

    def write(self) -> SubscriptionField:
        if self.cleaned_data.get("DELETE") or (self.instance.pk and not self.has_changed()):
            return self.instance  # deleted by the formset; untouched rows are not rewritten
        keys = ("title", "options", "required", "default")
        values = {key: self.cleaned_data[key] for key in keys}
        if self.instance.pk:
            changes = {"name": self.cleaned_data["name"], "type": self.cleaned_data["type"]}
            return services.update_subscription_field(field=self.instance, **changes, **values)
        return services.create_subscription_field(
            resource=self.cleaned_data["resource"],
            name=self.cleaned_data["name"],
            type=self.cleaned_data["type"],
            **values,
        )


class SubscriptionFieldFormSet(BaseInlineFormSet):
    def delete_existing(self, obj: SubscriptionField, commit: bool = True) -> None:
        if commit:
            services.delete_subscription_field(field=obj)


class SubscriptionForm(ServiceForm):
    """Adds through add_subscription (double opt-in, priority, limits, history) and changes
    through change_subscription, passing only what the user changed. Profile, resource,
    channel and contact identify a subscription: the admin makes them read-only once saved."""

    priority = forms.IntegerField(
        required=False,
        min_value=0,
        help_text="Smaller is higher. Leave empty for the resource's rule (S4): 0 with the others "
        "moved down when it increases the priority of new subscriptions, else the lowest.",
    )
    categories = forms.JSONField(
        required=False, initial=dict, help_text='For example {"news": true, "sales": false}.'
    )
    fields = forms.JSONField(
        required=False,
        initial=dict,
        help_text='The resource\'s custom fields, for example {"size": 42}; null clears a value.',
    )

    class Meta:
        model = Subscription
        fields = [
            *("profile", "resource", "channel", "contact", "status", "priority"),
            *("categories", "fields", *services.DEVICE_FIELDS),
        ]
        help_texts = {
            "status": "A resource with double opt-in makes a new subscription unconfirmed (S6)."
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.initial.pop("priority", None)  # the model's 0 would be an explicit choice

    def write(self) -> Subscription:
        data = self.cleaned_data
        if self.instance.pk is None:
            return services.add_subscription(
                profile=data["profile"], resource=data["resource"], channel=data["channel"],
                contact=data["contact"], status=data["status"], priority=data["priority"],
                categories=data["categories"], fields=data["fields"],
                device={key: data[key] for key in services.DEVICE_FIELDS}, actor=self.actor,
            )  # fmt: skip
        changed = {name: data[name] for name in self.changed_data}
        return services.change_subscription(
            subscription=self.instance,
            status=changed.get("status"),
            priority=changed.get("priority"),
            categories=changed.get("categories"),
            fields=changed.get("fields"),
            device={key: changed[key] for key in services.DEVICE_FIELDS if key in changed},
            actor=self.actor,
        )

    def add_service_errors(self, errors: dict[str, Any]) -> None:
        errors = dict(errors)
        nested = errors.pop("fields", None)
        if isinstance(nested, dict):  # custom field errors: {"fields": {"size": ["..."]}}
            errors["fields"] = [
                f"{name}: {message}" for name, messages in nested.items() for message in messages
            ]
        elif nested is not None:
            errors["fields"] = nested
        super().add_service_errors(errors)


class SuppressionForm(ServiceForm):
    class Meta:
        model = Suppression
        fields = ["channel", "contact", "reason"]

    def write(self) -> Suppression:
        return services.suppress(**self.cleaned_data)


class SuppressionImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8, at most 10 MB. First line: contact, and optionally channel (email "
        "when absent) and reason (imported when absent), e.g. channel,contact,reason.",
    )
