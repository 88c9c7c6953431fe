"""Reads of the Market (D3)."""

from django.db.models import Count, Prefetch, QuerySet

from profiles.models import Profile

from .models import Order, OrderLine


def orders(profile_id: int | None = None) -> QuerySet[Order]:
    """Orders with their lines and products: three queries for any page."""
    queryset = Order.objects.prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("product"))
    )
    if profile_id is not None:
        queryset = queryset.filter(profile_id=profile_id)
    return queryset


def profile_orders(profile: Profile, *, limit: int = 20) -> list[Order]:
    """The profile's latest orders with their line counts, newest first: one query."""
    return list(
        Order.objects.filter(profile=profile)
        .annotate(line_count=Count("lines"))
        .order_by("-ordered_at", "-id")[:limit]
    )
