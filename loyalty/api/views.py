"""Thin API views of promo codes (D1) and loyalty programs (L1)."""

from functools import cached_property

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from config.permissions import ModelPermissions
from profiles.models import Profile

from .. import selectors, services
from ..models import Kind, Member, PointsTransaction, Program, PromoCode, PromoPool
from .serializers import (
    AssignInput,
    EnrolInput,
    MemberSerializer,
    ProgramSerializer,
    PromoCodeSerializer,
    PromoCodesInput,
    PromoPoolSerializer,
    TransactionInput,
    TransactionSerializer,
)


class ChangeOnPost(ModelPermissions):
    """Actions that hand out or update existing rows need `change_*`, not `add_*`."""

    perms_map = {**ModelPermissions.perms_map, "POST": ["%(app_label)s.change_%(model_name)s"]}


class PromoPoolViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = PromoPool.objects.all()
    serializer_class = PromoPoolSerializer

    def perform_create(self, serializer):
        serializer.instance = services.create_pool(**serializer.validated_data)

    @extend_schema(summary="Import or generate codes", request=PromoCodesInput)
    @action(detail=True, methods=["post"], permission_classes=[ChangeOnPost])
    def codes(self, request, pk=None):
        pool = self.get_object()
        payload = PromoCodesInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if data.get("codes"):
            added = services.add_codes(pool=pool, codes=data["codes"])
        else:
            added = services.generate_codes(
                pool=pool, count=data["generate"], length=data["length"], prefix=data["prefix"]
            )
        return Response({"added": added}, status=status.HTTP_201_CREATED)


class PromoCodeViewSet(viewsets.ReadOnlyModelViewSet):
    """Codes; `assign` gives one to a profile, `activate` and `detach` follow its life."""

    queryset = PromoCode.objects.all()
    serializer_class = PromoCodeSerializer
    filterset_fields = ["pool", "profile", "code"]
    permission_classes = [ChangeOnPost]

    def get_queryset(self):
        return selectors.promo_codes()

    @extend_schema(request=AssignInput, responses={201: PromoCodeSerializer})
    @action(detail=False, methods=["post"])
    def assign(self, request):
        payload = AssignInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        profile = _profile(data["profile"])
        code = services.assign_code(
            pool=data["pool"], profile=profile, code=data["code"], actor=request.user
        )
        return Response(PromoCodeSerializer(code).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=PromoCodeSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        code = services.activate_code(code=self.get_object(), actor=request.user)
        return Response(PromoCodeSerializer(code).data)

    @extend_schema(request=None, responses=PromoCodeSerializer)
    @action(detail=True, methods=["post"])
    def detach(self, request, pk=None):
        code = services.detach_code(code=self.get_object(), actor=request.user)
        return Response(PromoCodeSerializer(code).data)


class ProgramViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Program.objects.prefetch_related("tiers")
    serializer_class = ProgramSerializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        given = data.pop("tiers", [])
        tiers = {tier["name"]: tier["threshold"] for tier in given}
        if len(tiers) != len(given):
            raise ValidationError({"tiers": ["Each tier needs a name of its own."]})
        serializer.instance = services.create_program(**data, tiers=tiers)


class ProgramChildView(generics.ListCreateAPIView):
    @cached_property
    def program(self) -> Program:
        return get_object_or_404(Program, pk=self.kwargs["id"])


class ProgramMembers(ProgramChildView):
    """`GET` the program's members, `POST {"profile": id}` enrols a profile."""

    queryset = Member.objects.all()
    serializer_class = MemberSerializer
    filterset_fields = ["profile"]

    def get_queryset(self):
        return Member.objects.filter(program=self.program).select_related("tier")

    @extend_schema(request=EnrolInput, responses={201: MemberSerializer})
    def post(self, request, *args, **kwargs):
        payload = EnrolInput(data=request.data)
        payload.is_valid(raise_exception=True)
        member = services.enrol(program=self.program, profile=_profile(payload.data["profile"]))
        return Response(MemberSerializer(member).data, status=status.HTTP_201_CREATED)


KIND_SERVICES = {
    Kind.ACCRUAL: services.accrue,
    Kind.REDEMPTION: services.redeem,
    Kind.ADJUSTMENT: services.adjust,
}


class ProgramTransactions(ProgramChildView):
    """`GET` the program's points transactions; `POST` one (accrual, redemption, expiry or a
    manual adjustment with a reason) for an enrolled profile."""

    queryset = PointsTransaction.objects.all()
    serializer_class = TransactionSerializer
    filterset_fields = ["kind"]

    def get_queryset(self):
        queryset = selectors.transactions(self.program.pk)
        profile = self.request.query_params.get("profile", "")
        return queryset.filter(member__profile_id=profile) if profile.isdigit() else queryset

    @extend_schema(request=TransactionInput, responses={201: TransactionSerializer})
    def post(self, request, *args, **kwargs):
        payload = TransactionInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        member = Member.objects.filter(program=self.program, profile_id=data["profile"]).first()
        if member is None:
            raise ValidationError({"profile": ["This profile is not a member of the program."]})
        entry = _transact(member, data, request.user)
        if entry is None:
            raise ValidationError({"points": ["The balance is already 0."]})
        return Response(TransactionSerializer(entry).data, status=status.HTTP_201_CREATED)


def _transact(member: Member, data: dict, actor) -> PointsTransaction | None:
    kind, points, reason = data["kind"], data["points"], data["reason"]
    if kind == Kind.EXPIRY:
        return services.expire(member=member, points=points, reason=reason)
    return KIND_SERVICES[kind](member=member, points=points, reason=reason, actor=actor)


def _profile(profile_id: int) -> Profile:
    profile = Profile.objects.filter(pk=profile_id).first()
    if profile is None:
        raise ValidationError({"profile": ["No such profile."]})
    return profile
