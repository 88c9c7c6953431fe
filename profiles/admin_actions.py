"""The profile admin's downloads and bulk change: the selected profiles or the filtered list
as CSV (X3), one person's data (P7), and one field set on the selected profiles (X5). They
call the same functions as the API; exports need `export_profile` (A2)."""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from config.exceptions import InvalidInput

from . import bulk, exports, forms, personal_data
from .models import Profile, ProfileDatabase

CHANGELIST = "admin:profiles_profile_changelist"
DATABASE_FILTER = "database__id__exact"  # the list's database filter parameter


def _download(lines, *, content_type: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _csv_download(profiles: QuerySet[Profile], database: ProfileDatabase) -> HttpResponse:
    lines = exports.csv_lines(profiles, database=database)
    return _download(
        lines, content_type=exports.CONTENT_TYPES["csv"], filename=f"profiles-{database.pk}.csv"
    )


def _one_database(request: HttpRequest, profiles: QuerySet[Profile]) -> ProfileDatabase | None:
    """The database of the selected profiles; None, with a message, when they are in several:
    each database has its own custom fields."""
    ids = list(profiles.order_by().values_list("database_id", flat=True).distinct()[:2])
    if len(ids) != 1:
        messages.error(request, "Select profiles of one database (filter the list by database).")
        return None
    return ProfileDatabase.objects.get(pk=ids[0])


@admin.action(permissions=["export"], description="Export selected profiles (CSV)")
def export_selected(model_admin, request: HttpRequest, queryset: QuerySet[Profile]):
    database = _one_database(request, queryset)
    return _csv_download(queryset, database) if database else None


def export_filtered_view(model_admin, request: HttpRequest) -> HttpResponse:
    """The list as filtered and searched (one database chosen) as CSV."""
    if not model_admin.has_export_permission(request):
        raise PermissionDenied
    chosen = request.GET.get(DATABASE_FILTER, "")
    database = ProfileDatabase.objects.filter(pk=chosen).first() if chosen.isdigit() else None
    if database is None:
        messages.error(request, "Filter the list by one database before exporting it.")
        return HttpResponseRedirect(reverse(CHANGELIST))
    try:
        changelist = model_admin.get_changelist_instance(request)
    except IncorrectLookupParameters:
        messages.error(request, "These list filters cannot be read; export the list again.")
        return HttpResponseRedirect(reverse(CHANGELIST))
    return _csv_download(changelist.get_queryset(request), database)


def personal_data_view(model_admin, request: HttpRequest, object_id: str) -> HttpResponse:
    """P7: one person's data, `?format=json` (default) or `csv`."""
    if not model_admin.has_export_permission(request):
        raise PermissionDenied
    profile = get_object_or_404(Profile, pk=object_id)
    format = request.GET.get("format", "json")
    if format not in personal_data.FORMATS:
        raise Http404("Choose format=json or format=csv.")
    return _download(
        personal_data.FORMATS[format](profile, request=request),
        content_type=personal_data.CONTENT_TYPES[format],
        filename=f"personal-data-profile-{profile.pk}.{format}",
    )


@admin.action(permissions=["change"], description="Set a field on selected profiles")
def set_field(model_admin, request: HttpRequest, queryset: QuerySet[Profile]):
    """An intermediate page asks for the field and the value; applying it runs the bulk
    update (X5) on the selection, in this request."""
    database = _one_database(request, queryset)
    if database is None:
        return None
    data = request.POST if "apply" in request.POST else None
    form = forms.BulkUpdateForm(data, database=database, columns=bulk.BULK_COLUMNS)
    if form.is_valid():
        try:
            change = bulk.prepare_change(
                database=database,
                field=form.cleaned_data["field"],
                value=form.cleaned_data["value"],
                from_text=True,
            )
        except InvalidInput as error:
            form.add_service_errors(error.errors)
        else:
            result = bulk.update_profiles(profiles=queryset, change=change, actor=request.user)
            messages.success(
                request,
                f"{change.name} set on {result.updated} of {result.matched} profiles "
                "(the others already held the value).",
            )
            return None
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Set a field on selected profiles",
        "opts": model_admin.opts,
        "form": form,
        "database": database,
        "count": queryset.count(),
        "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"),
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/profiles/profile/bulk_update.html", context)
