"""Reads of the loyalty app (D1, L1)."""

from django.db.models import QuerySet

from profiles.models import Profile

from .models import Member, PointsTransaction, PromoCode


def promo_codes() -> QuerySet[PromoCode]:
    return PromoCode.objects.select_related("pool")


def profile_promo_codes(profile: Profile, *, limit: int = 50) -> list[PromoCode]:
    """The profile's codes, newest first, with their pools: one query."""
    return list(promo_codes().filter(profile=profile).order_by("-attached_at", "-id")[:limit])


def transactions(program_id: int) -> QuerySet[PointsTransaction]:
    return PointsTransaction.objects.filter(member__program_id=program_id).select_related(
        "member", "actor"
    )


def profile_memberships(profile: Profile) -> list[Member]:
    """The profile's memberships with program and tier: one query."""
    return list(
        Member.objects.filter(profile=profile).select_related("program", "tier").order_by("id")
    )


def profile_transactions(profile: Profile, *, limit: int = 20) -> list[PointsTransaction]:
    """The latest points transactions of all the profile's memberships: one query."""
    return list(
        PointsTransaction.objects.filter(member__profile=profile)
        .select_related("member__program", "actor")
        .order_by("-id")[:limit]
    )
