"""The profile page's Data block (D1-D4): promo codes, filled forms with their submitted
data, orders with totals (only for users with `market.view_order`) and pixel hits with their
raw JSON. It lives here because forms and pixels are its largest part; the codes and orders
come from the loyalty and market selectors."""

import json

from django.http import HttpRequest

from loyalty import selectors as loyalty
from loyalty.models import PromoPool
from market import selectors as market
from profiles.blocks import ProfileBlock

from . import selectors


def data_context(request: HttpRequest, profile) -> dict:
    """At most five queries whatever the profile holds: codes, forms, pixels, orders (with the
    Market permission) and the pools of the assign form (with change_promocode)."""
    user = request.user
    can_assign = user.has_perm("loyalty.change_promocode")
    show_orders = user.has_perm("market.view_order")
    pixels = selectors.profile_events(profile.pk, "pixel")
    for event in pixels:
        event.raw_json = json.dumps(event.data, indent=2, sort_keys=True, default=str)
    return {
        "promo_codes": loyalty.profile_promo_codes(profile),
        "filled_forms": selectors.profile_events(profile.pk, "form_filled"),
        "pixels": pixels,
        "show_orders": show_orders,
        "orders": market.profile_orders(profile) if show_orders else [],
        "can_assign": can_assign,
        "pools": list(PromoPool.objects.order_by("name")) if can_assign else [],
        "next": request.get_full_path(),
    }


DATA_BLOCK = ProfileBlock(
    key="data", title="Data", template="weblayers/blocks/data.html", context=data_context, order=50
)
