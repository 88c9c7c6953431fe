"""Reads on subscriptions: a profile's list, its delivery target (S3) and the delivery target
of a whole database at once (audience)."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet

from profiles.models import Profile, ProfileDatabase, Status

from .models import Resource, Subscription, Suppression

# Reasons, shared by delivery_target and audience_counts so both explain a miss alike.
NO_SUBSCRIPTION = "no subscription to this resource and channel"
NONE_SUBSCRIBED = "no subscription here is subscribed"
ALL_SUPPRESSED = "every subscribed contact is on the suppression list"
CONTROL_GROUP = "profile is in the global control group"
TARGET = "target"


def global_status_reason(status: str) -> str:
    return f"global status is {status}"


def profile_subscriptions(profile: Profile) -> QuerySet[Subscription]:
    """The live subscriptions, ordered by resource, channel, priority, id (API.md)."""
    return Subscription.objects.filter(profile=profile, deleted_at__isnull=True).order_by(
        "resource_id", "channel", "priority", "id"
    )


@dataclass(frozen=True)
class DeliveryTarget:
    subscription: Subscription | None
    reason: str = TARGET

    @property
    def contact(self) -> str | None:
        return self.subscription.contact if self.subscription else None


def delivery_target(
    *, profile: Profile, resource: Resource, channel: str, marketing: bool = True
) -> DeliveryTarget:
    """S3: the subscribed, unsuppressed subscription with the highest priority, if the global
    status allows messages and, for a marketing send, the profile is not in the global
    control group (P13); otherwise no target and the reason, in words."""
    if profile.status != Status.SUBSCRIBED:
        return DeliveryTarget(None, global_status_reason(profile.status))
    if marketing and profile.in_control_group:
        return DeliveryTarget(None, CONTROL_GROUP)
    live = profile_subscriptions(profile).filter(resource=resource, channel=channel)
    candidates = list(live.annotate(is_suppressed=_suppressed()).only("id", "status", "contact"))
    if not candidates:
        return DeliveryTarget(None, NO_SUBSCRIPTION)
    subscribed = [item for item in candidates if item.status == Status.SUBSCRIBED]
    if not subscribed:
        statuses = ", ".join(sorted({item.status for item in candidates}))
        return DeliveryTarget(None, f"{NONE_SUBSCRIBED} ({statuses})")
    allowed = [item for item in subscribed if not item.is_suppressed]
    if not allowed:
        return DeliveryTarget(None, ALL_SUPPRESSED)
    return DeliveryTarget(allowed[0])


def _suppressed() -> Exists:
    return Exists(
        Suppression.objects.filter(channel=OuterRef("channel"), contact=OuterRef("contact_key"))
    )


AUDIENCE_SQL = """
WITH per_profile AS (
    SELECT s.profile_id,
           bool_or(s.status = 'subscribed') AS any_subscribed,
           bool_or(s.status = 'subscribed' AND x.id IS NULL) AS any_target
    FROM subscriptions_subscription s
    JOIN profiles_profile p ON p.id = s.profile_id AND p.database_id = %(database)s
    LEFT JOIN subscriptions_suppression x
           ON x.channel = s.channel AND x.contact = s.contact_key
    WHERE s.resource_id = %(resource)s AND s.channel = %(channel)s AND s.deleted_at IS NULL
    GROUP BY s.profile_id
)
SELECT CASE
         WHEN p.status <> 'subscribed' THEN 'global status is ' || p.status
         WHEN %(marketing)s AND p.in_control_group THEN %(control_group)s
         WHEN pp.profile_id IS NULL THEN %(no_subscription)s
         WHEN NOT pp.any_subscribed THEN %(none_subscribed)s
         WHEN NOT pp.any_target THEN %(all_suppressed)s
         ELSE %(target)s
       END AS reason,
       COUNT(*)
FROM profiles_profile p
LEFT JOIN per_profile pp ON pp.profile_id = p.id
WHERE p.database_id = %(database)s
GROUP BY 1
ORDER BY 2 DESC
"""


def audience_counts(
    *, database: ProfileDatabase, resource: Resource, channel: str, marketing: bool = True
) -> dict[str, int]:
    """The delivery target of every profile of the database at once, counted by reason: one
    set-based query (hash joins), not one lookup per profile."""
    params = {
        "database": database.pk, "resource": resource.pk, "channel": channel,
        "no_subscription": NO_SUBSCRIPTION, "none_subscribed": NONE_SUBSCRIBED,
        "all_suppressed": ALL_SUPPRESSED, "target": TARGET, "marketing": marketing,
        "control_group": CONTROL_GROUP,
    }  # fmt: skip
    sql = AUDIENCE_SQL
    if connection.vendor == "sqlite":  # SQLite has no bool_or; max() of 0/1 is the same
        sql = sql.replace("bool_or(", "max(")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())
