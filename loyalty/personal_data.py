"""P7: a person's promo codes and loyalty memberships as sections of the personal data export.
Imported by LoyaltyConfig.ready, which registers them."""

from collections.abc import Iterator
from typing import Any

from profiles import personal_data
from profiles.models import Profile

from .models import Member, PromoCode


def promo_codes(profile: Profile) -> Iterator[dict[str, Any]]:
    codes = PromoCode.objects.filter(profile=profile).order_by("id")
    return iter(codes.values("id", "code", "pool__name", "attached_at", "activated_at",
                             "detached_at"))  # fmt: skip


def loyalty(profile: Profile) -> Iterator[dict[str, Any]]:
    """Each membership with its transactions (two queries)."""
    members = (
        Member.objects.filter(profile=profile)
        .select_related("program", "tier")
        .prefetch_related("transactions")
        .order_by("id")
    )
    for member in members:
        yield {
            "program": member.program.name, "tier": member.tier.name if member.tier else None,
            "balance": member.balance, "earned": member.earned,
            "enrolled_at": member.enrolled_at,
            "transactions": [
                {"kind": t.kind, "points": t.points, "balance": t.balance, "reason": t.reason,
                 "created_at": t.created_at}
                for t in member.transactions.all()
            ],
        }  # fmt: skip


personal_data.register("promo_codes", promo_codes)
personal_data.register("loyalty", loyalty)
