"""Demo promo codes and loyalty (D1, L1) for `make run`, written through the services."""

import random
from datetime import timedelta

from django.utils import timezone

from . import services
from .models import Promotion


def load(*, profiles: list, rng: random.Random) -> None:
    pool = services.create_pool(name="Spring sale", description="10% off, one code per person.")
    services.generate_codes(pool=pool, count=max(len(profiles), 50), prefix="SPRING-")
    for profile in rng.sample(profiles, len(profiles) // 5):
        code = services.assign_code(pool=pool, profile=profile)
        if rng.random() < 0.4:
            services.activate_code(code=code)
    program = services.create_program(
        name="Demo club", description="Points for every purchase.",
        tiers={"Bronze": 0, "Silver": 500, "Gold": 2000},
    )  # fmt: skip
    now = timezone.now()
    Promotion.objects.create(
        program=program, name="Double points week", multiplier=2,
        starts_at=now - timedelta(days=2), ends_at=now + timedelta(days=5),
    )  # fmt: skip
    for profile in rng.sample(profiles, len(profiles) // 2):
        member = services.enrol(program=program, profile=profile)
        for _ in range(rng.randint(1, 4)):
            services.accrue(member=member, points=rng.randint(50, 600), reason="Purchase")
        if rng.random() < 0.3:
            services.redeem(member=member, points=min(member.balance, 100), reason="Discount")
        if rng.random() < 0.1:
            services.adjust(member=member, points=250, reason="Apology for a late delivery",
                            actor=None)  # fmt: skip
