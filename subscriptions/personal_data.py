"""P7: the subscriptions and suppressions of a person, as sections of the personal data export.
Imported by SubscriptionsConfig.ready, which registers them."""

from collections.abc import Iterator
from typing import Any

from profiles import personal_data
from profiles.models import Profile

from .api.serializers import SubscriptionSerializer
from .models import Channel, Subscription, Suppression, contact_key
from .services import PHONE_CHANNELS


def subscriptions(profile: Profile) -> list[dict[str, Any]]:
    """Every subscription row held for the profile: live ones in any status and deleted ones
    (kept while they count towards the limits, S5) with their `deleted_at`."""
    rows = Subscription.objects.filter(profile=profile).select_related("resource")
    rows = list(rows.order_by("resource_id", "channel", "priority", "id"))
    return [
        {**data, "resource_name": row.resource.name, "deleted_at": row.deleted_at}
        for row, data in zip(rows, SubscriptionSerializer(rows, many=True).data, strict=True)
    ]


def suppressions(profile: Profile) -> Iterator[dict[str, Any]]:
    """Suppression list entries (S7) for the profile's email, phones (on the phone channels)
    and subscription contacts."""
    pairs = {(Channel.EMAIL.value, contact_key(Channel.EMAIL, profile.email or ""))}
    pairs |= {(channel.value, phone) for phone in profile.phones for channel in PHONE_CHANNELS}
    pairs |= set(Subscription.objects.filter(profile=profile).values_list("channel", "contact_key"))
    entries = Suppression.objects.filter(contact__in={contact for _, contact in pairs})
    for entry in entries.order_by("id"):
        if (entry.channel, entry.contact) in pairs:
            yield {
                "channel": entry.channel,
                "contact": entry.contact,
                "reason": entry.reason,
                "created_at": entry.created_at,
            }


personal_data.register("subscriptions", subscriptions)
personal_data.register("suppressions", suppressions)
