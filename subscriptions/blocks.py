"""The Subscriptions block of the profile page (S2): the live subscriptions grouped by
resource, a form to add one and inline forms to change status, priority and categories. Two
queries whatever the number of subscriptions (they and their resources; every resource for
the add form)."""

from typing import Any

from django.http import HttpRequest

from profiles.blocks import ProfileBlock, register
from profiles.models import Status

from .models import Channel, Resource
from .selectors import profile_subscriptions


def subscriptions_context(request: HttpRequest, profile) -> dict[str, Any]:
    subscriptions = list(profile_subscriptions(profile).select_related("resource"))
    for subscription in subscriptions:
        subscription.category_flags = [
            (name, bool(subscription.categories.get(name)))
            for name in subscription.resource.categories
        ]
    return {
        "subscriptions": subscriptions,
        "resources": list(Resource.objects.order_by("name").only("id", "name", "channels")),
        "statuses": Status.choices,
        "channels": Channel.choices,
        "can_add": request.user.has_perm("subscriptions.add_subscription"),
        "can_change": request.user.has_perm("subscriptions.change_subscription"),
    }


register(
    ProfileBlock(
        key="subscriptions", title="Subscriptions",
        template="subscriptions/blocks/subscriptions.html", context=subscriptions_context,
        order=40, permissions=("subscriptions.view_subscription",),
    )
)  # fmt: skip
