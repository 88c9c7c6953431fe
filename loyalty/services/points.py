"""L1 loyalty programs: enrolment, tiers, and points kept consistent with their transactions.

Every balance change goes through `change_balance`: one conditional UPDATE adds the (signed)
points only if the result is not negative (`balance + points >= 0` checked in the same
statement), so concurrent redemptions cannot overdraw a balance on any database, and the
`loyalty_member_balance` check constraint backs it up. The transaction row stores the balance
the UPDATE produced, read back while the row is still locked by this transaction.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from history import services as history
from history.models import EventType
from profiles.models import Profile

from ..models import Kind, Member, PointsTransaction, Program, Promotion, Tier

MAX_POINTS = 10**9
MAX_REASON = 500


@transaction.atomic
def create_program(
    *, name: str, description: str = "", is_active: bool = True,
    tiers: dict[str, int] | None = None,
) -> Program:  # fmt: skip
    """A program with its tiers, given as {name: threshold}."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": ["Enter a name."]})
    if Program.objects.filter(name=name).exists():
        raise ValidationError({"name": ["A program with this name already exists."]})
    thresholds = list((tiers or {}).values())
    if len(set(thresholds)) != len(thresholds) or any(t < 0 for t in thresholds):
        raise ValidationError({"tiers": ["Tier thresholds must be distinct and not negative."]})
    program = Program.objects.create(name=name, description=description, is_active=is_active)
    Tier.objects.bulk_create(
        [
            Tier(program=program, name=tier, threshold=points)
            for tier, points in (tiers or {}).items()
        ]
    )
    return program


def enrol(*, program: Program, profile: Profile) -> Member:
    """The profile's membership of the program, created (at the lowest tier) when missing."""
    if not program.is_active:
        raise ValidationError({"program": ["This program is closed to new members."]})
    existing = Member.objects.filter(program=program, profile=profile).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Member.objects.create(
                program=program, profile=profile, tier=_tier_for(program, 0)
            )
    except IntegrityError:  # enrolled concurrently: the other request's row is the one
        return Member.objects.get(program=program, profile=profile)


def accrue(
    *, member: Member, points: int, reason: str = "", actor: AbstractBaseUser | None = None
) -> PointsTransaction:
    """Add earned points, boosted by the program's promotion running now, if any."""
    _check_points(points)
    promotion = _running_promotion(member.program_id)
    if promotion is not None:
        boosted = Decimal(points) * promotion.multiplier + promotion.bonus
        points = int(boosted.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return change_balance(
        member=member, kind=Kind.ACCRUAL, points=points, reason=reason, actor=actor,
        promotion=promotion,
    )  # fmt: skip


def redeem(
    *, member: Member, points: int, reason: str = "", actor: AbstractBaseUser | None = None
) -> PointsTransaction:
    """Spend points; refused when the balance is too small."""
    _check_points(points)
    return change_balance(
        member=member, kind=Kind.REDEMPTION, points=-points, reason=reason, actor=actor
    )


def expire(*, member: Member, points: int, reason: str = "") -> PointsTransaction | None:
    """Let up to `points` lapse; never more than the balance holds. None when nothing is left."""
    _check_points(points)
    for _ in range(3):  # the balance may shrink between the read and the UPDATE
        balance = Member.objects.filter(pk=member.pk).values_list("balance", flat=True).get()
        if balance == 0:
            return None
        try:
            return change_balance(
                member=member, kind=Kind.EXPIRY, points=-min(points, balance), reason=reason
            )
        except ValidationError:
            continue
    return None


def adjust(
    *, member: Member, points: int, reason: str, actor: AbstractBaseUser | None
) -> PointsTransaction:
    """A manual correction from the profile page or the API; a reason is required."""
    if not reason.strip():
        raise ValidationError({"reason": ["Say why the balance is being adjusted."]})
    if points == 0 or abs(points) > MAX_POINTS:
        raise ValidationError({"points": [f"Enter a non-zero number within ±{MAX_POINTS}."]})
    return change_balance(
        member=member, kind=Kind.ADJUSTMENT, points=points, reason=reason, actor=actor
    )


@transaction.atomic
def change_balance(
    *,
    member: Member,
    kind: Kind,
    points: int,
    reason: str = "",
    actor: AbstractBaseUser | None = None,
    promotion: Promotion | None = None,
) -> PointsTransaction:
    """Apply one signed change atomically, keep the tier in step with the points earned, write
    the transaction and its `loyalty_points` event. Raises ValidationError (on `points`) when
    the balance would go negative."""
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": [f"At most {MAX_REASON} characters."]})
    earned = points if kind == Kind.ACCRUAL else 0
    changed = Member.objects.filter(pk=member.pk, balance__gte=-points).update(
        balance=F("balance") + points, earned=F("earned") + earned
    )
    if not changed:
        raise ValidationError({"points": ["The balance is too small for this."]})
    member.balance, member.earned = (
        Member.objects.filter(pk=member.pk).values_list("balance", "earned").get()
    )
    if earned:
        _update_tier(member)
    entry = PointsTransaction.objects.create(
        member=member, kind=kind, points=points, balance=member.balance, reason=reason,
        promotion=promotion, actor=actor if actor is not None and actor.is_authenticated else None,
    )  # fmt: skip
    history.record(
        type=EventType.LOYALTY_POINTS, profile=member.profile, actor=actor,
        object_type="loyalty.program", object_id=member.program_id,
        data={"kind": kind, "points": points, "balance": member.balance, "reason": reason},
    )  # fmt: skip
    return entry


def _update_tier(member: Member) -> None:
    tier = _tier_for(member.program, member.earned)
    if tier is not None and tier.pk != member.tier_id:
        Member.objects.filter(pk=member.pk).update(tier=tier)
        member.tier = tier


def _tier_for(program: Program, earned: int) -> Tier | None:
    return program.tiers.filter(threshold__lte=earned).order_by("-threshold").first()


def _running_promotion(program_id: int) -> Promotion | None:
    now = timezone.now()
    return (
        Promotion.objects.filter(program_id=program_id, starts_at__lte=now, ends_at__gt=now)
        .order_by("-multiplier", "-bonus")
        .first()
    )


def _check_points(points: int) -> None:
    if not isinstance(points, int) or not 0 < points <= MAX_POINTS:
        raise ValidationError({"points": [f"Enter a whole number from 1 to {MAX_POINTS}."]})
