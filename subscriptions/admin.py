"""Back office set-up of resources (S1) and their subscription fields, subscriptions (S2-S6)
and suppression lists (S7), with CSV import and export of the lists.

Every write goes through `services`: the forms call them while validating (profiles/forms.py
explains why), deletes call them from `delete_model` and `delete_queryset`.
"""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from config.exceptions import InvalidInput
from profiles.admin import ServiceFormAdmin
from profiles.models import Status

from . import confirmation, exports, forms, services
from .models import Resource, Subscription, SubscriptionField, Suppression

SHOWN_IMPORT_ERRORS = 200
# What identifies a subscription: read-only once it is saved (as in the API's PATCH).
IDENTITY = ("profile", "resource", "channel", "contact")
DATES = ("created_at", "updated_at", "deleted_at", "confirmation_link")


class SubscriptionFieldInline(admin.TabularInline):
    model = SubscriptionField
    form = forms.SubscriptionFieldForm
    formset = forms.SubscriptionFieldFormSet
    fields = ("name", "title", "type", "options", "required", "default")
    extra = 0


@admin.register(Resource)
class ResourceAdmin(ServiceFormAdmin):
    form = forms.ResourceForm
    list_display = ("name", "channel_list", "auto_priority", "double_opt_in", "created_at")
    list_filter = ("auto_priority", "double_opt_in")
    search_fields = ("name",)
    actions = None  # a resource is deleted on its own page, which checks its subscriptions

    def get_inlines(self, request: HttpRequest, obj: Resource | None):
        return [SubscriptionFieldInline] if obj else []  # fields need the saved resource

    @admin.display(description="channels")
    def channel_list(self, resource: Resource) -> str:
        return ", ".join(resource.channels)

    def changeform_view(
        self, request: HttpRequest, object_id=None, form_url="", extra_context=None
    ):
        """The resource form and each field row write through their service while
        validating; when any of them is refused, the page shows the errors and none of the
        writes stays."""
        with transaction.atomic(using=router.db_for_write(self.model)):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            context = getattr(response, "context_data", None) or {}
            if request.method == "POST" and context.get("errors"):
                transaction.set_rollback(True)
        return response

    def delete_view(self, request: HttpRequest, object_id: str, extra_context=None):
        """A resource with subscriptions is refused with a message, not Django's page listing
        every protected subscription."""
        resource = self.get_object(request, unquote(object_id))
        if resource is not None and resource.subscriptions.exists():
            messages.error(request, f"“{resource}” still has subscriptions; it was not deleted.")
            return HttpResponseRedirect(reverse("admin:subscriptions_resource_changelist"))
        try:
            return super().delete_view(request, object_id, extra_context)
        except InvalidInput as error:  # a subscription arrived after the check above
            messages.error(request, next(iter(error.errors.values()))[0])
            return HttpResponseRedirect(reverse("admin:subscriptions_resource_changelist"))

    def delete_model(self, request: HttpRequest, obj: Resource) -> None:
        services.delete_resource(resource=obj)


@admin.register(Subscription)
class SubscriptionAdmin(ServiceFormAdmin):
    form = forms.SubscriptionForm
    list_display = (
        "id", "profile_link", "resource", "channel", "contact", "status", "priority", "deleted_at",
    )  # fmt: skip
    list_filter = ("resource", "channel", "status", ("deleted_at", admin.EmptyFieldListFilter))
    list_select_related = ("resource",)
    raw_id_fields = ("profile",)
    # Non-empty so the admin shows the search box; get_search_results does the searching.
    search_fields = ("contact",)
    search_help_text = "The exact contact (any case) or a profile id."
    show_full_result_count = False
    ordering = ("-id",)

    def get_fieldsets(self, request: HttpRequest, obj: Subscription | None = None):
        return [
            (None, {"fields": [*IDENTITY, "status", "priority"]}),
            ("Categories and custom fields", {"fields": ["categories", "fields"]}),
            ("Device", {"fields": list(services.DEVICE_FIELDS), "classes": ["collapse"]}),
            *([("Dates", {"fields": list(DATES)})] if obj else []),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Subscription | None = None):
        return (*IDENTITY, *DATES) if obj else ()

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        term = search_term.strip()
        if not term:
            return queryset, False
        query = Q(contact_key=term.lower())  # the subscriptions_contact index
        if term.isdigit():
            query |= Q(profile_id=int(term))
        return queryset.filter(query), False

    @admin.display(description="profile", ordering="profile_id")
    def profile_link(self, subscription: Subscription) -> str:
        url = reverse("admin:profiles_profile_change", args=[subscription.profile_id])
        return format_html('<a href="{}">#{}</a>', url, subscription.profile_id)

    @admin.display(description="confirmation link")
    def confirmation_link(self, subscription: Subscription) -> str:
        if subscription.status != Status.UNCONFIRMED or subscription.deleted_at:
            return "-"
        url = confirmation.confirmation_url(subscription)
        return format_html('<a href="{}">{}</a>', url, url)

    def has_change_permission(self, request: HttpRequest, obj: Subscription | None = None) -> bool:
        return super().has_change_permission(request, obj) and not _is_deleted(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Subscription | None = None) -> bool:
        return super().has_delete_permission(request, obj) and not _is_deleted(obj)

    def delete_model(self, request: HttpRequest, obj: Subscription) -> None:
        services.delete_subscription(subscription=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Subscription]) -> None:
        for subscription in queryset.filter(deleted_at__isnull=True):
            services.delete_subscription(subscription=subscription)


def _is_deleted(subscription: Subscription | None) -> bool:
    return subscription is not None and subscription.deleted_at is not None


@admin.register(Suppression)
class SuppressionAdmin(ServiceFormAdmin):
    """Entries are added (suppress) and removed (unsuppress), never edited: a contact is
    stored normalised for its channel."""

    form = forms.SuppressionForm
    change_list_template = "subscriptions/admin/suppression_change_list.html"
    list_display = ("contact", "channel", "reason", "created_at")
    list_filter = ("channel", "reason")
    search_fields = ("contact",)
    search_help_text = "Part of the contact."

    def has_change_permission(self, request: HttpRequest, obj: Suppression | None = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Suppression) -> None:
        services.unsuppress(suppression=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Suppression]) -> None:
        for suppression in queryset:
            services.unsuppress(suppression=suppression)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="subscriptions_suppression_import"),
            path("export/", wrap(self.export_view), name="subscriptions_suppression_export"),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a CSV file: the same import as the API and `import_suppressions`; the
        page answers with the counts and each refused row."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = forms.SuppressionImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            try:
                report = exports.import_suppressions(exports.read_upload(form.files["file"]))
            except InvalidInput as error:
                form.add_error("file", error.errors["file"])
        return TemplateResponse(
            request,
            "subscriptions/admin/import_suppressions.html",
            {**self.admin_site.each_context(request), **_import_context(self, form, report)},
        )

    def export_view(self, request: HttpRequest) -> StreamingHttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        lines = exports.csv_lines(Suppression.objects.all())
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="suppressions.csv"'
        return response


def _import_context(model_admin: SuppressionAdmin, form, report) -> dict[str, Any]:
    errors = report.errors if report else []
    return {
        "title": "Import suppressed contacts",
        "opts": model_admin.opts,
        "form": form,
        "report": report,
        "shown_errors": [
            (item["row"], item["contact"], _reasons(item["errors"]))
            for item in errors[:SHOWN_IMPORT_ERRORS]
        ],
        "hidden_error_count": max(0, len(errors) - SHOWN_IMPORT_ERRORS),
    }


def _reasons(errors: dict[str, list[str]]) -> str:
    return "; ".join(
        message if key == "non_field_errors" else f"{key}: {message}"
        for key, messages in errors.items()
        for message in messages
    )
