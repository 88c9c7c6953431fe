"""Thin API views for resources, subscriptions, delivery targets and suppressions."""

from datetime import timedelta
from functools import cached_property

from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from config.pagination import SmallListPagination
from config.renderers import CSVRenderer
from profiles.models import Profile, Status

from .. import confirmation, exports, selectors, services
from ..models import Resource, Subscription, SubscriptionField, Suppression
from .serializers import (
    ConfirmationLinkSerializer,
    DeliveryTargetQuery,
    DeliveryTargetSerializer,
    ResourceSerializer,
    SubscriptionChange,
    SubscriptionFieldSerializer,
    SubscriptionInput,
    SubscriptionSerializer,
    SuppressionSerializer,
)

WRITE_METHODS = ["get", "post", "patch", "delete", "head", "options"]


class ResourceViewSet(viewsets.ModelViewSet):
    """Resources (S1) with their channels and categories (S8)."""

    queryset = Resource.objects.all()
    serializer_class = ResourceSerializer
    http_method_names = WRITE_METHODS

    def perform_create(self, serializer):
        serializer.instance = services.create_resource(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_resource(
            resource=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.delete_resource(resource=instance)


class ResourceFieldViewSet(viewsets.ModelViewSet):
    """Custom subscription fields of a resource, addressed by name."""

    queryset = SubscriptionField.objects.all()
    serializer_class = SubscriptionFieldSerializer
    lookup_field = "name"
    http_method_names = WRITE_METHODS

    @cached_property
    def resource(self) -> Resource:
        return get_object_or_404(Resource, pk=self.kwargs["id"])

    def get_queryset(self):
        return SubscriptionField.objects.filter(resource=self.resource)

    def perform_create(self, serializer):
        serializer.instance = services.create_subscription_field(
            resource=self.resource, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.update_subscription_field(
            field=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.delete_subscription_field(field=instance)


@extend_schema_view(
    get=extend_schema(summary="A profile's subscriptions, by resource, channel, priority, id"),
    post=extend_schema(
        summary="Subscribe the profile (S2-S6)",
        request=SubscriptionInput,
        responses={201: SubscriptionSerializer},
    ),
)
class ProfileSubscriptions(generics.ListCreateAPIView):
    queryset = Subscription.objects.all()
    serializer_class = SubscriptionSerializer
    pagination_class = SmallListPagination
    filter_backends = []

    @cached_property
    def profile(self) -> Profile:
        return get_object_or_404(Profile, pk=self.kwargs["id"])

    def get_queryset(self):
        return selectors.profile_subscriptions(self.profile)

    def create(self, request, *args, **kwargs):
        payload = SubscriptionInput(data=request.data)
        payload.is_valid(raise_exception=True)
        subscription = services.add_subscription(
            profile=self.profile, actor=request.user, **payload.validated_data
        )
        return Response(SubscriptionSerializer(subscription).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    patch=extend_schema(request=SubscriptionChange, responses=SubscriptionSerializer),
    delete=extend_schema(summary="Mark deleted (it still counts towards the limits, S5)"),
)
class SubscriptionDetail(generics.RetrieveUpdateDestroyAPIView):
    queryset = Subscription.objects.filter(deleted_at__isnull=True)
    serializer_class = SubscriptionSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def partial_update(self, request, *args, **kwargs):
        subscription = self.get_object()
        payload = SubscriptionChange(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        subscription = services.change_subscription(
            subscription=subscription, actor=request.user, **payload.validated_data
        )
        return Response(SubscriptionSerializer(subscription).data)

    def perform_destroy(self, instance):
        services.delete_subscription(subscription=instance)


class ConfirmSubscription(APIView):
    """S6 by API: confirm an unconfirmed subscription (idempotent). A change, so it needs
    `subscriptions.change_subscription` (checked here: a POST would otherwise ask for add)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=SubscriptionSerializer)
    def post(self, request, pk: int):
        subscription = get_object_or_404(Subscription, pk=pk, deleted_at__isnull=True)
        if not request.user.has_perm("subscriptions.change_subscription"):
            return Response(status=status.HTTP_403_FORBIDDEN)
        subscription = services.confirm_subscription(subscription=subscription, actor=request.user)
        return Response(SubscriptionSerializer(subscription).data)


class ConfirmationLink(APIView):
    """S6: the public confirmation link of an unconfirmed subscription, for the client that
    sends the double opt-in message. Whoever holds it can confirm, so it needs
    `subscriptions.change_subscription`."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ConfirmationLinkSerializer)
    def get(self, request, pk: int):
        subscription = get_object_or_404(Subscription, pk=pk, deleted_at__isnull=True)
        if not request.user.has_perm("subscriptions.change_subscription"):
            return Response(status=status.HTTP_403_FORBIDDEN)
        if subscription.status != Status.UNCONFIRMED:
            raise ValidationError({"status": ["Only an unconfirmed subscription has a link."]})
        expires = timezone.now() + timedelta(seconds=confirmation.max_age_seconds())
        url = confirmation.confirmation_url(subscription, request)
        return Response({"url": url, "expires_at": expires})


class DeliveryTargetView(APIView):
    queryset = Subscription.objects.none()

    @extend_schema(
        summary="Where a message of the resource and channel would go, or why nowhere (S3)",
        parameters=[
            OpenApiParameter("resource", int, required=True),
            OpenApiParameter("channel", str, required=True),
            OpenApiParameter("marketing", bool, description="Default true; false: transactional."),
        ],  # fmt: skip
        responses=DeliveryTargetSerializer,
    )
    def get(self, request, id: int):
        profile = get_object_or_404(Profile, pk=id)
        query = DeliveryTargetQuery(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        target = selectors.delivery_target(profile=profile, **query.validated_data)
        body = {"subscription": target.subscription and target.subscription.pk,
                "contact": target.contact}  # fmt: skip
        if target.subscription is None:
            body["reason"] = target.reason
        return Response(body)


class SuppressionViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Suppression lists (S7): contacts that never receive messages on a channel."""

    queryset = Suppression.objects.all()
    serializer_class = SuppressionSerializer
    filterset_fields = ["channel", "reason", "contact"]

    def perform_create(self, serializer):
        serializer.instance = services.suppress(**serializer.validated_data)

    def perform_destroy(self, instance):
        services.unsuppress(suppression=instance)

    @extend_schema(
        summary="The suppression list as CSV: channel, contact, reason, created_at",
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    @action(detail=False, renderer_classes=[JSONRenderer, CSVRenderer])
    def export(self, request):
        lines = exports.csv_lines(self.filter_queryset(self.get_queryset()))
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="suppressions.csv"'
        return response

    @extend_schema(
        summary="Add a CSV file's contacts (header channel,contact[,reason]; at most 10 MB)",
        request={
            "multipart/form-data": inline_serializer(
                "SuppressionImportFile", {"file": serializers.FileField()}
            )
        },
        responses=inline_serializer(
            "SuppressionImportReport",
            {
                "added": serializers.IntegerField(),
                "already_suppressed": serializers.IntegerField(),
                "failed": serializers.IntegerField(),
                "errors": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser])
    def import_csv(self, request):
        text = exports.read_upload(request.FILES.get("file"))
        return Response(exports.import_suppressions(text).as_dict())
