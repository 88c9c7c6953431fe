"""Thin API views of interactions: parse, call one service or selector, answer."""

from abc import ABC, abstractmethod
from functools import cached_property

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from profiles.merge import merge_profiles

from .. import selectors
from ..models import (
    Participation,
    Relation,
    Scenario,
    Segment,
    SegmentMembership,
    Trigger,
    TriggerSend,
)
from ..services import identify, relations, scenarios, segments, triggers
from . import serializers as s

WRITE_METHODS = ["get", "post", "patch", "delete", "head", "options"]


class Needs(IsAuthenticated):
    """Authenticated and holding every permission in `perms`."""

    perms: tuple[str, ...] = ()

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and request.user.has_perms(self.perms)


def needs(*perms: str) -> type[Needs]:
    return type("Needs", (Needs,), {"perms": perms})


class SegmentViewSet(viewsets.ModelViewSet):
    """Static segments (I1); `?database=` filters."""

    queryset = selectors.segments_with_counts().order_by("id")
    serializer_class = s.SegmentSerializer
    filterset_fields = ["database"]
    http_method_names = WRITE_METHODS

    def perform_create(self, serializer):
        data = serializer.validated_data
        segment = segments.create_segment(
            database=data["database"], name=data["name"], description=data.get("description", "")
        )
        serializer.instance = self.get_queryset().get(pk=segment.pk)

    def perform_update(self, serializer):
        segment, data = serializer.instance, serializer.validated_data
        segments.update_segment(
            segment=segment, name=data.get("name", segment.name),
            description=data.get("description", segment.description),
        )  # fmt: skip

    def perform_destroy(self, instance):
        segments.delete_segment(segment=instance)


class MembersPermission(IsAuthenticated):
    """Reading members needs view_segment; adding or removing them change_segment."""

    def has_permission(self, request, view) -> bool:
        action = "view" if request.method in ("GET", "HEAD", "OPTIONS") else "change"
        return super().has_permission(request, view) and request.user.has_perm(
            f"interactions.{action}_segment"
        )


class SegmentMembers(generics.ListAPIView):
    """A segment's members (GET), add (POST) or remove (DELETE) `{"profiles": [ids]}`."""

    serializer_class = s.MembershipSerializer
    permission_classes = [MembersPermission]

    @cached_property
    def segment(self) -> Segment:
        return get_object_or_404(Segment, pk=self.kwargs["pk"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no pk
            return SegmentMembership.objects.none()
        return selectors.segment_members(self.segment)

    @extend_schema(request=s.MembersInput, responses={200: dict})
    def post(self, request, pk: int):
        payload = s.MembersInput(data=request.data)
        payload.is_valid(raise_exception=True)
        entered = segments.add_to_segment(
            segment=self.segment, profile_ids=payload.validated_data["profiles"],
            actor=request.user, source="api",
        )  # fmt: skip
        return Response({"entered": entered})

    @extend_schema(request=s.MembersInput, responses={200: dict})
    def delete(self, request, pk: int):
        payload = s.MembersInput(data=request.data)
        payload.is_valid(raise_exception=True)
        exited = segments.remove_from_segment(
            segment=self.segment, profile_ids=payload.validated_data["profiles"],
            actor=request.user, source="api",
        )  # fmt: skip
        return Response({"exited": exited})


class TriggerViewSet(viewsets.ModelViewSet):
    """Trigger mailings (I2)."""

    queryset = Trigger.objects.order_by("id")
    serializer_class = s.TriggerSerializer
    http_method_names = WRITE_METHODS

    def perform_create(self, serializer):
        serializer.instance = triggers.create_trigger(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = triggers.update_trigger(
            trigger=serializer.instance, **serializer.validated_data
        )


class ProfileAction(APIView, ABC):
    """POST `{"profile": id}` to act on one profile with the object of the URL."""

    model: type
    answer: type
    status_code: int

    @abstractmethod
    def act(self, target, profile, user):
        """Call the service acting on `profile` with `target`; return the row it wrote."""

    def post(self, request, pk: int):
        target = get_object_or_404(self.model, pk=pk)
        payload = s.ProfileInput(data=request.data)
        payload.is_valid(raise_exception=True)
        done = self.act(target, payload.validated_data["profile"], request.user)
        done.refresh_from_db()
        return Response(self.answer(done).data, status=self.status_code)


@extend_schema(request=s.ProfileInput, responses={202: s.TriggerSendSerializer})
class SendTrigger(ProfileAction):
    """Send the trigger to one profile; delivery runs in a task (202)."""

    permission_classes = [needs("interactions.send_trigger")]
    model, answer, status_code = Trigger, s.TriggerSendSerializer, status.HTTP_202_ACCEPTED

    def act(self, target, profile, user):
        return triggers.send_trigger(trigger=target, profile=profile, actor=user)


class OwnedRows(generics.ListAPIView):
    """The rows belonging to the object of the URL; `?profile=` and `?status=` filter."""

    owner_field: str
    filterset_fields = ["profile", "status"]

    def get_queryset(self):
        return self.queryset.filter(**{self.owner_field: self.kwargs["pk"]})


class TriggerSends(OwnedRows):
    """A trigger's sends with their outcome (I2)."""

    serializer_class = s.TriggerSendSerializer
    queryset = TriggerSend.objects.all()
    owner_field = "trigger_id"


class ScenarioViewSet(viewsets.ModelViewSet):
    """Scenarios (I3) with their ordered steps, written as a whole."""

    queryset = selectors.scenarios_with_steps().order_by("id")
    serializer_class = s.ScenarioSerializer
    http_method_names = WRITE_METHODS

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        scenario = scenarios.save_scenario(steps=data.pop("steps"), **data)
        serializer.instance = self.get_queryset().get(pk=scenario.pk)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        steps = data.pop("steps", None)
        scenario = scenarios.save_scenario(scenario=serializer.instance, steps=steps, **data)
        serializer.instance = self.get_queryset().get(pk=scenario.pk)


@extend_schema(request=s.ProfileInput, responses={201: s.ParticipationSerializer})
class EngageScenario(ProfileAction):
    """Engage one profile in the scenario; its first steps run in a task (201)."""

    permission_classes = [needs("interactions.engage_scenario")]
    model, answer, status_code = Scenario, s.ParticipationSerializer, status.HTTP_201_CREATED

    def act(self, target, profile, user):
        return scenarios.engage(scenario=target, profile=profile, actor=user)


class ScenarioParticipations(OwnedRows):
    """A scenario's participations with their status, step and result (I3)."""

    serializer_class = s.ParticipationSerializer
    queryset = Participation.objects.all()
    owner_field = "scenario_id"


class RelationViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Relations between profiles (P16); `?profile=` lists a profile's, either end."""

    queryset = Relation.objects.all()
    serializer_class = s.RelationSerializer

    def get_queryset(self):
        profile = self.request.query_params.get("profile", "")
        if profile.isdigit():
            return selectors.profile_relations(int(profile))
        return Relation.objects.all()

    def perform_create(self, serializer):
        serializer.instance = relations.add_relation(**serializer.validated_data,
                                                     actor=self.request.user)  # fmt: skip

    def perform_destroy(self, instance):
        relations.delete_relation(relation=instance)


class Identify(APIView):
    """P14: attach an anonymous visitor's events to the profile it turned out to be."""

    permission_classes = [needs("profiles.change_profile")]

    @extend_schema(request=s.IdentifyInput, responses={200: s.IdentifyAnswer})
    def post(self, request):
        payload = s.IdentifyInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        found = identify.identify(
            visitor=data["visitor"], database=data["database"], email=data["email"],
            phone=data["phone"], profile_id=data.get("profile"), actor=request.user,
        )  # fmt: skip
        return Response(
            {"profile": found.profile.pk, "attached": found.attached, "merged": found.merged}
        )


class MergeProfiles(APIView):
    """P14: merge `loser` into `winner`; the loser is deleted, so both rights are needed."""

    permission_classes = [needs("profiles.change_profile", "profiles.delete_profile")]

    @extend_schema(request=s.MergeInput, responses={200: dict})
    def post(self, request):
        payload = s.MergeInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        winner = merge_profiles(winner=data["winner"], loser=data["loser"], actor=request.user)
        return Response({"profile": winner.pk, "merged": [data["loser"].pk]})
