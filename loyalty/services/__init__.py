"""Writes of the loyalty app: promo codes (D1) in `promo`, programs and points (L1) in `points`."""

from .points import (
    accrue,
    adjust,
    change_balance,
    create_program,
    enrol,
    expire,
    redeem,
)
from .promo import activate_code, add_codes, assign_code, create_pool, detach_code, generate_codes

__all__ = [
    "accrue", "activate_code", "add_codes", "adjust", "assign_code", "change_balance",
    "create_pool", "create_program", "detach_code", "enrol", "expire", "generate_codes", "redeem",
]  # fmt: skip
