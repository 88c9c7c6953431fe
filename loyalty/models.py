"""Promo codes (D1) and loyalty programs (L1).

Promo codes live here rather than in `market`: a code is a reward handed to a person, like
loyalty points, and needs no products or orders; `market` only records what was bought.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from profiles.models import Profile


class PromoPool(models.Model):
    """A pool of codes of one offer, imported or generated, handed out one per request."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class PromoCode(models.Model):
    """One code. `attached_at` is set once, when the code is given to a profile, and never
    cleared: a detached code stays used, so a code is never given twice."""

    pool = models.ForeignKey(PromoPool, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(max_length=64)
    profile = models.ForeignKey(
        Profile, null=True, blank=True, on_delete=models.SET_NULL, related_name="promo_codes"
    )
    attached_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    detached_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["pool", "code"], name="loyalty_promocode_pool_code"),
            models.CheckConstraint(
                condition=Q(profile__isnull=True) | Q(attached_at__isnull=False),
                name="loyalty_promocode_profile_attached",
            ),
        ]
        indexes = [
            # assign_code: the pool's next free code, oldest first.
            models.Index(
                fields=["pool", "id"],
                name="loyalty_promocode_free",
                condition=Q(attached_at__isnull=True),
            ),
            # The profile page's Data block: a profile's codes, newest first.
            models.Index(fields=["profile", "-attached_at"], name="loyalty_promocode_profile"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def state(self) -> str:
        if self.detached_at:
            return "detached"
        if self.activated_at:
            return "activated"
        return "attached" if self.attached_at else "free"


class Program(models.Model):
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Tier(models.Model):
    """A level of a program, reached when a member's earned points reach `threshold`."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="tiers")
    name = models.CharField(max_length=100)
    threshold = models.PositiveIntegerField(help_text="Points earned in total to reach it.")

    class Meta:
        ordering = ["program_id", "threshold"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="loyalty_tier_name"),
            models.UniqueConstraint(fields=["program", "threshold"], name="loyalty_tier_threshold"),
        ]

    def __str__(self) -> str:
        return f"{self.program} / {self.name}"


class Promotion(models.Model):
    """Extra points on accruals within a period: points * multiplier + bonus."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="promotions")
    name = models.CharField(max_length=200)
    multiplier = models.DecimalField(max_digits=5, decimal_places=2, default=1)
    bonus = models.PositiveIntegerField(default=0)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["program_id", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="loyalty_promotion_period"
            ),
            models.CheckConstraint(condition=Q(multiplier__gte=0), name="loyalty_promotion_mult"),
        ]
        indexes = [
            # accrue: the program's promotions running now.
            models.Index(fields=["program", "ends_at"], name="loyalty_promotion_running"),
        ]

    def __str__(self) -> str:
        return self.name


class Member(models.Model):
    """A profile enrolled in a program. `balance` only changes through
    `services.change_balance`, by a conditional UPDATE, and the database refuses a negative one."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="members")
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="loyalty")
    tier = models.ForeignKey(Tier, null=True, blank=True, on_delete=models.SET_NULL)
    balance = models.BigIntegerField(default=0)
    earned = models.BigIntegerField(default=0, help_text="Points accrued in total; sets the tier.")
    enrolled_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "program"], name="loyalty_member_once"),
            models.CheckConstraint(condition=Q(balance__gte=0), name="loyalty_member_balance"),
        ]

    def __str__(self) -> str:
        return f"{self.profile_id} in {self.program_id}"


class Kind(models.TextChoices):
    ACCRUAL = "accrual"
    REDEMPTION = "redemption"
    EXPIRY = "expiry"
    ADJUSTMENT = "adjustment", "manual adjustment"


class PointsTransaction(models.Model):
    """One change of a member's balance; `points` is signed, `balance` is the balance after."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="transactions")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    points = models.BigIntegerField()
    balance = models.BigIntegerField()
    reason = models.CharField(max_length=500, blank=True)
    promotion = models.ForeignKey(Promotion, null=True, blank=True, on_delete=models.SET_NULL)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(points=0), name="loyalty_transaction_nonzero"),
        ]
        indexes = [
            # The Loyalty block and the transactions API: a member's latest transactions.
            models.Index(fields=["member", "-id"], name="loyalty_transaction_member"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.points:+d}"
