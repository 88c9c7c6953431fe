"""D3: products and orders by API; orders are visible only with `market.view_order`."""

import pytest
from rest_framework.test import APIClient

from history.models import Event
from market.models import Order
from tests.conftest import grant
from tests.profiles.factories import ProfileFactory, UserFactory

from .factories import OrderFactory, OrderLineFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def market_manager(db):
    user = UserFactory(username="market-manager")
    return grant(user, "view_order", "add_order", "view_product", "add_product", "change_product")


@pytest.fixture
def market_api(market_manager):
    client = APIClient()
    client.force_authenticate(market_manager)
    return client


def test_orders_need_the_market_permission(api, viewer_without_permission):
    OrderFactory()
    assert api.get("/api/v1/orders/").status_code == 403  # the marketer has no market role
    assert APIClient().get("/api/v1/orders/").status_code == 401
    assert api.post("/api/v1/orders/import/", {"orders": []}, format="json").status_code == 403


def test_import_creates_and_updates_orders_with_totals(market_api, shop):
    # given
    shoes, bag = ProductFactory(sku="SHOE-1", price="50.00"), ProductFactory(sku="BAG-1")
    ann = ProfileFactory(database=shop, email="ann@example.com")
    OrderFactory(external_id="A-2", profile=ann)
    batch = {"orders": [
        {"external_id": "A-1", "profile": ann.pk, "ordered_at": "2026-05-01T10:00:00Z",
         "lines": [{"sku": "SHOE-1", "quantity": 2},
                   {"sku": "BAG-1", "quantity": 1, "price": "5.50"}]},
        {"external_id": "A-2", "email": "ANN@example.com", "database": shop.pk, "status": "paid",
         "lines": [{"sku": "BAG-1", "quantity": 3}]},
        {"external_id": "A-3", "profile": ann.pk, "lines": [{"sku": "NOPE", "quantity": 1}]},
        {"external_id": "A-4", "lines": [{"sku": "SHOE-1", "quantity": 0}]},
    ]}  # fmt: skip
    # when
    answer = market_api.post("/api/v1/orders/import/", batch, format="json")
    # then
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert (body["created"], body["updated"], body["failed"]) == (1, 1, 2)
    assert [row["result"] for row in body["results"]] == ["created", "updated", "error", "error"]
    assert body["results"][2]["errors"] == {"lines": ["Unknown SKU: NOPE."]}
    assert set(body["results"][3]["errors"]) == {"lines"}
    first = Order.objects.get(external_id="A-1")
    assert str(first.total) == "105.50"
    assert Order.objects.get(external_id="A-2").status == "paid"
    assert Event.objects.filter(profile=ann, type="order").count() == 2
    assert shoes.pk and bag.pk


def test_order_list_is_filtered_by_profile_in_few_queries(
    market_api, django_assert_max_num_queries
):
    ann = ProfileFactory()
    for _ in range(5):
        OrderLineFactory(order=OrderFactory(profile=ann))
    OrderFactory()
    # session/user + permissions, count-free cursor page, lines with products
    with django_assert_max_num_queries(5):
        answer = market_api.get(f"/api/v1/orders/?profile={ann.pk}")
    results = answer.json()["results"]
    assert len(results) == 5
    assert results[0]["lines"][0]["total"] == "20.00"


def test_duplicate_sku_is_refused(market_api):
    ProductFactory(sku="SKU-X")
    answer = market_api.post(
        "/api/v1/products/", {"sku": "SKU-X", "name": "Again", "price": "1.00"}, format="json"
    )
    assert answer.status_code == 400
    assert answer.json() == {"sku": ["A product with this SKU already exists."]}


def test_batch_over_the_limit_is_refused(market_api):
    answer = market_api.post("/api/v1/orders/import/", {"orders": [{}] * 1001}, format="json")
    assert answer.status_code == 400
    assert "orders" in answer.json()
