"""Thin API views: parse with a serializer, call a service or selector, answer."""

from functools import cached_property

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status, viewsets
from rest_framework.response import Response

from history.models import ImportSource

from .. import selectors, services
from ..models import CustomField, Profile, ProfileDatabase
from .filters import ProfileFilter
from .serializers import (
    DatabaseSerializer,
    FieldSerializer,
    ProfileCreateInput,
    ProfileInput,
    ProfileSerializer,
)


class DatabaseViewSet(viewsets.ModelViewSet):
    """Profile databases (P1)."""

    queryset = ProfileDatabase.objects.all()
    serializer_class = DatabaseSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.create_database(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_database(
            database=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.delete_database(database=instance)


class DatabaseScoped:
    """A view under /databases/{id}/: the database is looked up once per request
    (the permission check and the handler both need it); a missing one answers 404."""

    @cached_property
    def database(self) -> ProfileDatabase:
        return get_object_or_404(ProfileDatabase, pk=self.kwargs["id"])


class FieldViewSet(DatabaseScoped, viewsets.ModelViewSet):
    """Custom field definitions of one database (P3), addressed by name."""

    queryset = CustomField.objects.all()
    serializer_class = FieldSerializer
    lookup_field = "name"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return CustomField.objects.filter(database=self.database)

    def perform_create(self, serializer):
        serializer.instance = services.create_field(
            database=self.database, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.update_field(
            field=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.delete_field(field=instance)


@extend_schema_view(
    get=extend_schema(summary="List the profiles of a database"),
    post=extend_schema(
        summary="Create a profile", request=ProfileCreateInput, responses={201: ProfileSerializer}
    ),
)
class DatabaseProfileList(DatabaseScoped, generics.ListCreateAPIView):
    queryset = Profile.objects.all()
    serializer_class = ProfileSerializer
    filterset_class = ProfileFilter

    def get_queryset(self):
        return selectors.database_profiles(self.database)

    def create(self, request, *args, **kwargs):
        payload = ProfileCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        profile = services.create_profile(
            database=self.database,
            values=payload.to_columns(),
            actor=request.user,
            source=ImportSource.API,
            detect_geo=payload.validated_data["detect_geo"],
        )
        return Response(ProfileSerializer(profile).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    patch=extend_schema(
        summary="Change a profile; `fields` merges key by key, null clears a key",
        request=ProfileInput,
        responses=ProfileSerializer,
    ),
    delete=extend_schema(summary="Delete a profile with its history and relations (P8)"),
)
class ProfileDetail(generics.RetrieveUpdateDestroyAPIView):
    queryset = Profile.objects.all()
    serializer_class = ProfileSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_object(self) -> Profile:
        profile = selectors.profile_by_id(self.kwargs["pk"])
        if profile is None:
            raise Http404("No Profile matches the given query.")  # as DRF's get_object says
        self.check_object_permissions(self.request, profile)
        return profile

    def partial_update(self, request, *args, **kwargs):
        profile = self.get_object()
        payload = ProfileInput(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        services.update_profile(profile=profile, values=payload.to_columns(), actor=request.user)
        return Response(ProfileSerializer(profile).data)

    def perform_destroy(self, instance):
        services.delete_profile(profile=instance, actor=self.request.user)
