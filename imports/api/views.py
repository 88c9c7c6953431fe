"""Thin API views of imports: parse, call the service, answer."""

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import APIView

from profiles.api.views import DatabaseScoped
from profiles.models import Profile

from .. import services
from .serializers import ImportAnswer, ImportItem, ImportRequest, item_result


class CanImportProfiles(IsAuthenticated):
    """An import creates and changes profiles: it needs both permissions."""

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and request.user.has_perms(
            ["profiles.add_profile", "profiles.change_profile"]
        )


class ProfileImport(DatabaseScoped, APIView):
    """X2: upsert up to 1,000 profiles; a bad item never stops the others."""

    permission_classes = [CanImportProfiles]
    queryset = Profile.objects.none()

    @extend_schema(
        summary="Import (upsert) up to 1,000 profiles (X2)",
        request=ImportRequest,
        responses={200: ImportAnswer},
    )
    def post(self, request, id: int):
        payload = ImportRequest(data=request.data)
        payload.is_valid(raise_exception=True)
        options = payload.validated_data
        items = []
        for index, raw in enumerate(options["profiles"]):
            item = ImportItem(data=raw)
            try:
                item.is_valid(raise_exception=True)
                items.append((index, item.to_columns(), {}))
            except ValidationError as error:
                items.append((index, None, as_serializer_error(error)))
        job, rows = services.import_items(
            database=self.database, items=items, matching=options["matching"],
            detect_geo=options["detect_geo"], skip_existing=options["skip_existing"],
            actor=request.user, segment_name=options["segment"],
        )  # fmt: skip
        ids = {row.number: row.profile_id for row in rows}
        body = {
            "created": job.created, "updated": job.updated, "skipped": job.skipped,
            "failed": job.failed, "job": job.pk, "segment": job.segment_id,
            "results": [item_result(row, ids) for row in rows],
        }  # fmt: skip
        return Response(body)
