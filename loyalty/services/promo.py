"""D1 promo codes: pools, imported or generated codes, and their attach/detach/activate events.

A code is given at most once: `assign_code` claims it with a conditional UPDATE (`attached_at IS
NULL`), so two concurrent requests can never both win the same code, and `attached_at` is never
cleared afterwards. On PostgreSQL the candidate is picked with SKIP LOCKED, so concurrent
requests take different codes instead of queueing on the same row.
"""

import re
import secrets
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from history import services as history
from history.models import EventType
from profiles.models import Profile

from ..models import PromoCode, PromoPool

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{2,63}\Z")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud
MAX_CODES_PER_CALL = 100_000
CLAIM_ATTEMPTS = 5


@transaction.atomic
def create_pool(*, name: str, description: str = "") -> PromoPool:
    name = name.strip()
    if not name:
        raise ValidationError({"name": ["Enter a name."]})
    if PromoPool.objects.filter(name=name).exists():
        raise ValidationError({"name": ["A pool with this name already exists."]})
    return PromoPool.objects.create(name=name, description=description)


@transaction.atomic
def add_codes(*, pool: PromoPool, codes: Iterable[str]) -> int:
    """Import codes into the pool; codes already in it are skipped. Returns how many were added.
    Raises ValidationError naming the first bad codes (3-64 letters, digits, `-` or `_`)."""
    cleaned = list(dict.fromkeys(code.strip() for code in codes if code.strip()))
    if len(cleaned) > MAX_CODES_PER_CALL:
        raise ValidationError({"codes": [f"At most {MAX_CODES_PER_CALL} codes per call."]})
    bad = [code for code in cleaned if not CODE_PATTERN.match(code)]
    if bad:
        shown = ", ".join(repr(code[:70]) for code in bad[:5])
        raise ValidationError(
            {"codes": [f"Codes are 3-64 letters, digits, '-' or '_'; not: {shown}."]}
        )
    before = pool.codes.count()
    PromoCode.objects.bulk_create(
        [PromoCode(pool=pool, code=code) for code in cleaned],
        ignore_conflicts=True,
        batch_size=2000,
    )
    return pool.codes.count() - before


def generate_codes(*, pool: PromoPool, count: int, length: int = 10, prefix: str = "") -> int:
    """Add `count` new random codes (`prefix` + `length` unambiguous characters)."""
    if not 1 <= count <= MAX_CODES_PER_CALL:
        raise ValidationError({"count": [f"Enter a number from 1 to {MAX_CODES_PER_CALL}."]})
    if not 6 <= length <= 32:
        raise ValidationError({"length": ["Enter a length from 6 to 32."]})
    codes = {
        prefix + "".join(secrets.choice(CODE_ALPHABET) for _ in range(length)) for _ in range(count)
    }
    return add_codes(pool=pool, codes=codes)


@transaction.atomic
def assign_code(
    *,
    pool: PromoPool,
    profile: Profile,
    code: str = "",
    actor: AbstractBaseUser | None = None,
) -> PromoCode:
    """Give the profile a code of the pool: the named one if `code` is given (it must be
    free), else the oldest free one. Records `promo_attached`. Raises ValidationError when the
    named code is unknown or already given, or when the pool has no free code left."""
    now = timezone.now()
    for _ in range(CLAIM_ATTEMPTS):
        candidate = _candidate(pool, code)
        claimed = PromoCode.objects.filter(pk=candidate.pk, attached_at__isnull=True).update(
            profile=profile, attached_at=now
        )
        if claimed:
            candidate.profile, candidate.attached_at = profile, now
            _record(EventType.PROMO_ATTACHED, candidate, actor)
            return candidate
        if code:
            break
    raise ValidationError({"code": ["This code has already been given."]})


def _candidate(pool: PromoPool, code: str) -> PromoCode:
    free = pool.codes.filter(attached_at__isnull=True)
    if code:
        found = pool.codes.filter(code=code.strip()).first()
        if found is None:
            raise ValidationError({"code": ["This pool has no such code."]})
        return found
    if connection.features.has_select_for_update_skip_locked:
        free = free.select_for_update(skip_locked=True)
    candidate = free.order_by("id").first()
    if candidate is None:
        raise ValidationError({"pool": ["This pool has no free codes left."]})
    return candidate


@transaction.atomic
def activate_code(*, code: PromoCode, actor: AbstractBaseUser | None = None) -> PromoCode:
    """Mark an attached code as used by its holder; records `promo_activated`."""
    now = timezone.now()
    updated = PromoCode.objects.filter(
        pk=code.pk, profile__isnull=False, activated_at__isnull=True, detached_at__isnull=True
    ).update(activated_at=now)
    if not updated:
        raise ValidationError(
            {"code": ["Only an attached code that is not used can be activated."]}
        )
    code.activated_at = now
    _record(EventType.PROMO_ACTIVATED, code, actor)
    return code


@transaction.atomic
def detach_code(*, code: PromoCode, actor: AbstractBaseUser | None = None) -> PromoCode:
    """Take the code back from its holder; it stays used and is not given again."""
    now = timezone.now()
    updated = PromoCode.objects.filter(
        pk=code.pk, profile__isnull=False, detached_at__isnull=True
    ).update(detached_at=now)
    if not updated:
        raise ValidationError({"code": ["Only an attached code can be detached."]})
    code.detached_at = now
    _record(EventType.PROMO_DETACHED, code, actor)
    return code


def _record(type: EventType, code: PromoCode, actor) -> None:
    history.record(
        type=type, profile=code.profile, actor=actor, object_type="loyalty.promocode",
        object_id=code.pk, data={"code": code.code, "pool": code.pool.name},
    )  # fmt: skip
