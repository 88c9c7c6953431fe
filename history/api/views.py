"""History API: a profile's timeline, the message summary, ingestion and CSV exports."""

from functools import cached_property

from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import APIView

from profiles.models import Profile, ProfileDatabase

from .. import exports, selectors, services
from ..models import Event
from .serializers import (
    EventBatch,
    EventInput,
    EventSerializer,
    HistoryQuery,
    IngestResult,
    MessageSummary,
)

MAX_BATCH = 1000
PERIOD_PARAMETERS = [
    OpenApiParameter("types", str, description="Comma-separated event types."),
    OpenApiParameter("since", OpenApiTypes.DATETIME, description="Default: 7 days ago."),
    OpenApiParameter("until", OpenApiTypes.DATETIME),
]


class HistoryPagination(CursorPagination):
    ordering = ("-ts", "-id")
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 500


def _period(request) -> dict:
    query = HistoryQuery(data=request.query_params.dict())
    query.is_valid(raise_exception=True)
    return {key: query.validated_data.get(key) for key in ("types", "since", "until")}


@extend_schema(summary="A profile's history, newest first (H2)", parameters=PERIOD_PARAMETERS)
class ProfileHistory(generics.ListAPIView):
    queryset = Event.objects.none()
    serializer_class = EventSerializer
    pagination_class = HistoryPagination
    filter_backends = []

    @cached_property
    def events(self):
        # Cached: the permission check asks for the queryset too.
        profile = get_object_or_404(Profile.objects.only("id"), pk=self.kwargs["id"])
        period = _period(self.request)
        return selectors.profile_history(
            profile_id=profile.pk, types=period["types"] or (),
            since=period["since"], until=period["until"],
        )  # fmt: skip

    def get_queryset(self):
        return self.events


class SummaryView(APIView):
    queryset = Event.objects.none()

    @extend_schema(
        summary="Message summary per channel (H3)",
        responses=MessageSummary,
    )
    def get(self, request, id: int):
        profile = get_object_or_404(Profile.objects.only("id"), pk=id)
        return Response(selectors.message_summary(profile_id=profile.pk))


class EventIngestion(APIView):
    """H4: record a batch of up to 1,000 events. Each bad event is reported by its position;
    the good ones are recorded all the same."""

    queryset = Event.objects.none()

    @extend_schema(summary="Ingest events (H4)", request=EventBatch, responses={202: IngestResult})
    def post(self, request):
        batch = EventBatch(data=request.data)
        batch.is_valid(raise_exception=True)
        valid, errors = [], []
        # One validator for the batch: DRF builds a serializer's fields per instance, which
        # cost more than validating the event itself.
        validator = EventInput()
        for index, item in enumerate(batch.validated_data["events"]):
            if index >= MAX_BATCH:
                errors.append(
                    {
                        "index": index,
                        "errors": {
                            "events": [
                                f"A batch holds at most {MAX_BATCH} events; send this one again."
                            ]
                        },
                    }
                )
                continue
            try:
                valid.append((index, validator.run_validation(item)))
            except ValidationError as error:
                errors.append({"index": index, "errors": as_serializer_error(error)})
        report = services.ingest_events(valid)
        errors = sorted(errors + report.errors, key=lambda error: error["index"])
        body = {"accepted": report.accepted, "duplicates": report.duplicates, "errors": errors}
        return Response(body, status=status.HTTP_202_ACCEPTED)


def _csv_response(events, filename: str, **subject: int) -> StreamingHttpResponse:
    response = StreamingHttpResponse(exports.csv_lines(events, **subject), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ProfileHistoryExport(APIView):
    queryset = Event.objects.none()

    @extend_schema(
        summary="A profile's history as CSV (H5)",
        parameters=PERIOD_PARAMETERS,
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request, id: int):
        profile = get_object_or_404(Profile.objects.only("id"), pk=id)
        period = _period(request)
        events = selectors.profile_history(
            profile_id=profile.pk, types=period["types"] or (),
            since=period["since"], until=period["until"],
        ).order_by("ts", "id")  # fmt: skip
        return _csv_response(events, f"history-profile-{profile.pk}.csv", profile_id=profile.pk)


class DatabaseHistoryExport(APIView):
    queryset = Event.objects.none()

    @extend_schema(
        summary="A database's history for a period as CSV (H5)",
        parameters=PERIOD_PARAMETERS,
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request, id: int):
        database = get_object_or_404(ProfileDatabase, pk=id)
        period = _period(request)
        since, until = selectors.default_period(period["since"], period["until"])
        events = selectors.database_history(
            database_id=database.pk, since=since, until=until,
            types=period["types"] or (),
        )  # fmt: skip
        return _csv_response(events, f"history-database-{database.pk}.csv", database_id=database.pk)
