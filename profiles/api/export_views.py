"""X3 and P7 by API: a database's profiles as CSV or JSON, and one person's data, streamed.
Both need `profiles.export_profile` on top of `profiles.view_profile` (A2)."""

import django_filters
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from config.permissions import ModelPermissions
from config.renderers import CSVRenderer

from .. import exports, personal_data
from ..models import Profile
from .filters import ProfileFilter, matching_profiles
from .serializers import ProfileSerializer
from .views import DatabaseScoped

VIEW_AND_EXPORT = ["%(app_label)s.view_%(model_name)s", "%(app_label)s.export_%(model_name)s"]


class ExportPermission(ModelPermissions):
    """Reading a model and exporting it: `view_profile` and `export_profile` (A2)."""

    perms_map = {**ModelPermissions.perms_map, "GET": VIEW_AND_EXPORT, "HEAD": VIEW_AND_EXPORT}


def _filter_parameters() -> list[OpenApiParameter]:
    """The profile list's filters as query parameters: a filter added to ProfileFilter is
    documented here too."""
    parameters = []
    for name, list_filter in ProfileFilter.base_filters.items():
        if isinstance(list_filter, django_filters.BooleanFilter):
            parameters.append(OpenApiParameter(name, bool))
        elif isinstance(list_filter, django_filters.ChoiceFilter):
            choices = [value for value, _ in list_filter.extra["choices"]]
            parameters.append(OpenApiParameter(name, str, enum=choices))
        else:
            parameters.append(OpenApiParameter(name, str, description=list_filter.label or ""))
    return parameters


def _format_parameter(description: str) -> OpenApiParameter:
    return OpenApiParameter("format", str, enum=["json", "csv"], description=description)


def _streamed(lines, *, format: str, content_types: dict, filename: str):
    response = StreamingHttpResponse(lines, content_type=content_types[format])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{format}"'
    return response


class DatabaseProfileExport(DatabaseScoped, APIView):
    queryset = Profile.objects.none()
    permission_classes = [ExportPermission]
    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(
        summary="Export a database's profiles as JSON or CSV, with the list's filters (X3)",
        description="Streamed. JSON: an array of profile representations, one per line. "
        "CSV: the standard columns (registration, tracked and utm flattened as "
        "`registration_city`), then one column per custom field as re-importable text.",
        parameters=[_format_parameter("Default json."), *_filter_parameters()],
        responses={
            (200, "application/json"): ProfileSerializer(many=True),
            (200, "text/csv"): OpenApiTypes.STR,
        },
    )
    def get(self, request, id: int):
        profiles = matching_profiles(self.database, request.query_params)
        format = request.accepted_renderer.format
        lines = exports.export_lines(
            profiles, database=self.database, format=format, request=request
        )
        filename = f"profiles-database-{self.database.pk}"
        return _streamed(
            lines, format=format, content_types=exports.CONTENT_TYPES, filename=filename
        )


class ProfilePersonalDataExport(APIView):
    queryset = Profile.objects.none()
    permission_classes = [ExportPermission]
    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(
        summary="Everything held about one person (P7): profile, subscriptions, "
        "suppressions, whole history and what other apps add",
        description='Streamed. JSON: {"profile": {...}, "exported_at": "...", '
        '"subscriptions": [...], "suppressions": [...], "history": [...]}. '
        "CSV: one row per value, columns section,item,field,value.",
        parameters=[_format_parameter("Default json.")],
        responses={
            (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT),
            (200, "text/csv"): OpenApiTypes.STR,
        },
    )
    def get(self, request, id: int):
        profile = get_object_or_404(Profile, pk=id)
        format = request.accepted_renderer.format
        lines = personal_data.FORMATS[format](profile, request=request)
        return _streamed(
            lines,
            format=format,
            content_types=personal_data.CONTENT_TYPES,
            filename=f"personal-data-profile-{profile.pk}",
        )
