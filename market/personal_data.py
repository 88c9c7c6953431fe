"""P7: a person's orders, with their lines, as a section of the personal data export. Imported
by MarketConfig.ready, which registers it."""

from collections.abc import Iterator
from typing import Any

from profiles import personal_data
from profiles.models import Profile

from .models import Order


def orders(profile: Profile) -> Iterator[dict[str, Any]]:
    """Every order, oldest first, with its lines (two queries)."""
    found = Order.objects.filter(profile=profile).prefetch_related("lines__product")
    for order in found.order_by("ordered_at", "id"):
        yield {
            "external_id": order.external_id, "status": order.status,
            "currency": order.currency, "total": order.total, "ordered_at": order.ordered_at,
            "lines": [
                {"sku": line.product.sku, "name": line.product.name,
                 "quantity": line.quantity, "price": line.price}
                for line in order.lines.all()
            ],
        }  # fmt: skip


personal_data.register("orders", orders)
