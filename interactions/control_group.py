"""P13 global control group: which profiles are held out of marketing sends.

Membership is a pure function of the profile's xxh identifier and the configured salt, so it
is stable, needs no state and can be recomputed anywhere: a profile is a member when its
salted hash falls in the first GCG_SHARE_PERCENT of 10,000 buckets.
"""

import xxhash
from django.conf import settings

BUCKETS = 10_000


def is_member(xxh: str) -> bool:
    share = settings.GCG_SHARE_PERCENT
    if share <= 0:
        return False
    bucket = xxhash.xxh64_intdigest(f"{settings.GCG_SALT}:{xxh}".encode()) % BUCKETS
    return bucket < share * BUCKETS / 100
