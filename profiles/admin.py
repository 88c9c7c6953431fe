"""Back office set-up for marketers: profile databases, their custom fields, and profiles.

Every write goes through `services`: the forms call them while validating (profiles/forms.py
explains why), deletes call them from `delete_model` and `delete_queryset`.
"""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import actions
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from config.exceptions import InvalidInput

from . import admin_actions, forms, selectors, services
from . import fields as registry
from .models import CustomField, Profile, ProfileDatabase
from .tabs import STANDARD_TABS


class ServiceFormAdmin(admin.ModelAdmin):
    """For a `forms.ServiceForm`: the form wrote through the service while validating, so
    `save_model` has nothing left to do."""

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user
        return form

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        pass


class CustomFieldInline(admin.TabularInline):
    """The database's fields at a glance; they are edited on their own page (the link)."""

    model = CustomField
    fields = ("name", "title", "type", "required", "unique")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ProfileDatabase)
class ProfileDatabaseAdmin(ServiceFormAdmin):
    form = forms.DatabaseForm
    list_display = ("name", "profile_count", "short_description", "created_at")
    search_fields = ("name",)
    fields = ("name", "description", "add_field_link", "created_at", "updated_at")
    readonly_fields = ("add_field_link", "created_at", "updated_at")
    actions = ["delete_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProfileDatabase]:
        return super().get_queryset(request).annotate(profile_count=Count("profiles"))

    def get_inlines(self, request: HttpRequest, obj: ProfileDatabase | None):
        return [CustomFieldInline] if obj else []

    @admin.display(description="profiles", ordering="profile_count")
    def profile_count(self, database: ProfileDatabase) -> int:
        return database.profile_count

    @admin.display(description="description")
    def short_description(self, database: ProfileDatabase) -> str:
        return Truncator(database.description).chars(80)

    @admin.display(description="custom fields")
    def add_field_link(self, database: ProfileDatabase) -> str:
        if not database.pk:
            return "Save the database first."
        url = reverse("admin:profiles_customfield_add")
        return format_html('<a href="{}?database={}">Add a custom field</a>', url, database.pk)

    def delete_view(self, request: HttpRequest, object_id: str, extra_context=None):
        """A database holding profiles is refused with a message, not Django's page listing
        every protected profile."""
        database = self.get_object(request, unquote(object_id))
        if database is not None and database.profile_count:
            messages.error(request, _still_holds(database))
            return HttpResponseRedirect(reverse("admin:profiles_profiledatabase_changelist"))
        try:
            return super().delete_view(request, object_id, extra_context)
        except InvalidInput as error:  # a profile arrived after the check above
            messages.error(request, _first_message(error))
            return HttpResponseRedirect(reverse("admin:profiles_profiledatabase_changelist"))

    @admin.action(permissions=["delete"], description="Delete selected profile databases")
    def delete_selected(self, request: HttpRequest, queryset: QuerySet[ProfileDatabase]):
        holding = [database for database in queryset if database.profile_count]
        if holding:
            for database in holding:
                messages.error(request, _still_holds(database))
            return None
        try:
            with transaction.atomic():
                return actions.delete_selected(self, request, queryset)
        except InvalidInput as error:
            messages.error(request, _first_message(error))
            return None

    def delete_model(self, request: HttpRequest, obj: ProfileDatabase) -> None:
        services.delete_database(database=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ProfileDatabase]) -> None:
        for database in queryset:
            services.delete_database(database=database)


def _still_holds(database: ProfileDatabase) -> str:
    return (
        f"“{database.name}” was not deleted: it still holds {database.profile_count} "
        "profile(s); delete or move them first."
    )


def _first_message(error: InvalidInput) -> str:
    return next(iter(error.errors.values()))[0]


@admin.register(CustomField)
class CustomFieldAdmin(ServiceFormAdmin):
    form = forms.CustomFieldForm
    list_display = ("name", "database", "title", "type", "required", "unique")
    list_filter = ("database", "type")
    list_select_related = ("database",)
    search_fields = ("name", "title")
    fields = ("database", "name", "title", "type", "options", "required", "unique", "default")

    def get_readonly_fields(self, request: HttpRequest, obj: CustomField | None = None):
        # Stored values depend on name and type; update_field refuses to change them.
        return ("database", "name", "type") if obj else ()

    def delete_model(self, request: HttpRequest, obj: CustomField) -> None:
        services.delete_field(field=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CustomField]) -> None:
        for field in queryset:
            services.delete_field(field=field)


STANDARD_FIELDSETS = [
    ("Personal", {"fields": list(STANDARD_TABS["personal"][1])}),
    ("Contact", {"fields": list(STANDARD_TABS["contact"][1])}),
    ("Registration", {"fields": list(STANDARD_TABS["registration"][1])}),
    (
        "Tracked",
        {
            "description": "The latest action of the profile.",
            "fields": list(STANDARD_TABS["tracked"][1]),
        },
    ),
    ("UTM", {"fields": ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"]}),
    ("Avatar", {"fields": ["avatar_preview"]}),
]
IDENTIFIERS = ("Identifiers", {"fields": ["id", "md5", "xxh", "created_at", "updated_at"]})


@admin.register(Profile)
class ProfileAdmin(ServiceFormAdmin):
    """Profiles of one database each. The add page first asks for the database
    (`?database=<id>`), since its custom fields make up the form."""

    form = forms.ProfileForm
    list_display = (
        "id",
        "email",
        "first_name",
        "last_name",
        "database",
        "status",
        "is_test",
        "created_at",
    )
    list_display_links = ("id", "email")
    list_filter = ("database", "status", "is_test")
    list_select_related = ("database",)
    # Non-empty so the admin shows the search box; get_search_results does the searching.
    search_fields = ("email",)
    search_help_text = "Email, phone, name, profile id, md5 or xxh, or field_name:value."
    show_full_result_count = False  # one COUNT of a large table per page is enough
    ordering = ("-id",)
    readonly_fields = ("database", "avatar_preview", "id", "md5", "xxh", "created_at", "updated_at")
    actions = [admin_actions.export_selected, admin_actions.set_field]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Profile]:
        return super().get_queryset(request).select_related("database")

    def has_export_permission(self, request: HttpRequest) -> bool:
        """A2: exporting personal data is a permission of its own, on top of viewing."""
        user = request.user
        return user.has_perm("profiles.view_profile") and user.has_perm("profiles.export_profile")

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("export/", wrap(self.export_view), name="profiles_profile_export"),
            path(
                "<path:object_id>/personal-data/",
                wrap(self.personal_data_view),
                name="profiles_profile_personal_data",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request: HttpRequest) -> HttpResponse:
        return admin_actions.export_filtered_view(self, request)

    def personal_data_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return admin_actions.personal_data_view(self, request, object_id)

    def changelist_view(self, request: HttpRequest, extra_context=None):
        """Offers the filtered list as CSV once it is filtered by one database."""
        extra_context = extra_context or {}
        if self.has_export_permission(request) and admin_actions.DATABASE_FILTER in request.GET:
            query = request.GET.urlencode()
            extra_context["export_url"] = f"{reverse('admin:profiles_profile_export')}?{query}"
        return super().changelist_view(request, extra_context)

    def change_view(self, request: HttpRequest, object_id: str, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if self.has_export_permission(request):
            extra_context["personal_data_url"] = reverse(
                "admin:profiles_profile_personal_data", args=[object_id]
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        if not search_term.strip():
            return queryset, False
        try:
            return selectors.search_profiles(queryset, search_term), False
        except registry.Invalid as error:
            messages.error(request, f"Search: {error}")
            return queryset.none(), False

    def get_fieldsets(self, request: HttpRequest, obj: Profile | None = None):
        database = self._database(request, obj)
        custom = [forms.custom_input_name(field.name) for field in database.fields.all()]
        additional = {"fields": custom} if custom else {"fields": [], "description": "None yet."}
        return [
            ("Main", {"fields": ["database", "status", "is_test"]}),
            *STANDARD_FIELDSETS,
            ("Additional fields", additional),
            *([IDENTIFIERS] if obj else []),
        ]

    def get_form(self, request: HttpRequest, obj: Profile | None = None, change=False, **kwargs):
        kwargs["form"] = forms.profile_form_class(self._database(request, obj))
        return super().get_form(request, obj, change=change, **kwargs)

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None):
        if self._chosen_database(request) is None:
            return self.choose_database_view(request)
        return super().add_view(request, form_url, extra_context)

    def choose_database_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "Add profile: choose its database",
            "opts": self.opts,
            "databases": ProfileDatabase.objects.only("id", "name"),
            "carried_params": [(k, v) for k, v in request.GET.items() if k != "database"],
        }
        return TemplateResponse(request, "admin/profiles/profile/choose_database.html", context)

    def _chosen_database(self, request: HttpRequest) -> ProfileDatabase | None:
        chosen = request.GET.get("database", "")
        return ProfileDatabase.objects.filter(pk=chosen).first() if chosen.isdigit() else None

    def _database(self, request: HttpRequest, obj: Profile | None) -> ProfileDatabase:
        database = obj.database if obj else self._chosen_database(request)
        if database is None:  # e.g. "save as new" posted to a change page
            raise PermissionDenied("Choose the profile's database first.")
        return database

    @admin.display(description="avatar")
    def avatar_preview(self, profile: Profile) -> str:
        if not profile.avatar:
            return "No avatar."
        return format_html('<img src="{}" alt="" style="max-height: 160px">', profile.avatar.url)

    def delete_model(self, request: HttpRequest, obj: Profile) -> None:
        services.delete_profile(profile=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Profile]) -> None:
        for profile in queryset:
            services.delete_profile(profile=profile, actor=request.user)
