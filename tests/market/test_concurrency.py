"""D3 under concurrency on PostgreSQL: batches importing the same new orders at the same moment
all succeed; each order is created once and updated by the others."""

import pytest

from market import services
from market.models import Order
from tests.profiles.factories import ProfileFactory
from tests.subscriptions.test_concurrency import THREADS, at_once

from .factories import ProductFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_parallel_batches_of_the_same_new_orders_create_each_once():
    # given one profile, one product, and two orders no one has sent yet
    profile, product = ProfileFactory(), ProductFactory()

    def order(external_id: str) -> dict:
        return {"external_id": external_id, "profile": profile.pk,
                "lines": [{"sku": product.sku, "quantity": 1}]}  # fmt: skip

    # when eight batches send them at once, half of them in the other order
    def send(index: int) -> services.ImportReport:
        ids = ["ORD-A", "ORD-B"] if index % 2 else ["ORD-B", "ORD-A"]
        return services.import_orders(orders=[order(external_id) for external_id in ids])

    reports = at_once(send)
    # then no batch failed, and each order was created by exactly one of them
    assert all(isinstance(report, services.ImportReport) for report in reports), reports
    assert sum(report.created for report in reports) == 2
    assert sum(report.updated for report in reports) == 2 * THREADS - 2
    assert sorted(Order.objects.values_list("external_id", flat=True)) == ["ORD-A", "ORD-B"]
