"""Demo products and orders (D3) for `make run`, imported through the service like the API."""

import random
from datetime import timedelta

from django.utils import timezone

from . import services
from .models import OrderStatus

PRODUCTS = [
    ("SHOE-RUN-42", "Running shoes", "89.90"),
    ("BAG-TOTE", "Canvas tote bag", "24.50"),
    ("SOCK-3P", "Sport socks, 3 pairs", "12.00"),
    ("JACKET-RAIN", "Rain jacket", "129.00"),
    ("BOTTLE-1L", "Water bottle 1 l", "15.90"),
    ("BOOK-TRAIL", "Trail guide book", "19.99"),
]


def load(*, profiles: list, rng: random.Random) -> None:
    for sku, name, price in PRODUCTS:
        services.create_product(sku=sku, name=name, price=price, currency="EUR")
    now, orders = timezone.now(), []
    for profile in rng.sample(profiles, len(profiles) // 3):
        for number in range(rng.randint(1, 3)):
            lines = [
                {"sku": sku, "quantity": rng.randint(1, 3)}
                for sku, _, _ in rng.sample(PRODUCTS, rng.randint(1, 3))
            ]
            orders.append({
                "external_id": f"DEMO-{profile.pk}-{number}", "profile": profile.pk,
                "status": rng.choice(OrderStatus.values),
                "ordered_at": now - timedelta(days=rng.uniform(0, 90)), "lines": lines,
            })  # fmt: skip
    for start in range(0, len(orders), services.MAX_BATCH):
        services.import_orders(orders=orders[start : start + services.MAX_BATCH])
