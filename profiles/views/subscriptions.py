"""The Subscriptions block's forms (S2): add one, change status, priority and categories."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from config.exceptions import InvalidInput
from subscriptions import services
from subscriptions.models import Resource, Subscription

from ..models import Profile, Status
from .access import attempt, back_to_profile, staff_page, text_field


def _priority(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise InvalidInput({"priority": ["Enter a whole number, 0 or more."]})
    return int(text)


@require_POST
@staff_page("subscriptions.add_subscription")
def add_subscription(request: HttpRequest, profile_id: int) -> HttpResponse:
    profile = get_object_or_404(Profile, pk=profile_id)
    post = request.POST

    def write() -> None:
        resource_id = post.get("resource", "")
        resource = (
            Resource.objects.filter(pk=resource_id).first() if resource_id.isdigit() else None
        )
        if resource is None:
            raise InvalidInput({"resource": ["Choose a resource."]})
        services.add_subscription(
            profile=profile, resource=resource, channel=post.get("channel", ""),
            contact=text_field(post, "contact"), priority=_priority(post.get("priority", "")),
            actor=request.user,
        )  # fmt: skip

    attempt(request, write, "Subscription added.")
    return back_to_profile(profile.pk, "block-subscriptions")


@require_POST
@staff_page("subscriptions.change_subscription")
def change_subscription(request: HttpRequest, profile_id: int) -> HttpResponse:
    post = request.POST
    chosen = post.get("subscription", "")
    subscription = get_object_or_404(
        Subscription.objects.select_related("resource", "profile"),
        pk=int(chosen) if chosen.isdigit() else 0, profile_id=profile_id,
    )  # fmt: skip
    status = post.get("status", "")

    def write() -> None:
        if status not in Status.values:
            raise InvalidInput({"status": [f"{status!r} is not one of the statuses."]})
        chosen = set(post.getlist("categories"))
        services.change_subscription(
            subscription=subscription, status=status, priority=_priority(post.get("priority", "")),
            categories={name: name in chosen for name in subscription.resource.categories},
            actor=request.user,
        )  # fmt: skip

    attempt(request, write, "Subscription saved.")
    return back_to_profile(subscription.profile_id, "block-subscriptions")
