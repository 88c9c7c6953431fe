"""The admin pages of loyalty, market and web layers open, and the set-up forms check input."""

import pytest
from django.apps import apps

from loyalty import services
from tests.market.factories import OrderLineFactory
from tests.weblayers.factories import FormFactory, PixelFactory

from .factories import MemberFactory, PromoCodeFactory, PromotionFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "loyalty/promopool", "loyalty/promocode", "loyalty/program", "loyalty/member",
    "loyalty/pointstransaction", "market/product", "market/order", "weblayers/form",
    "weblayers/pixel",
]  # fmt: skip


@pytest.mark.parametrize("page", PAGES)
def test_admin_lists_and_pages_open(admin_client, page):
    PromoCodeFactory(), PromotionFactory(), OrderLineFactory()
    services.accrue(member=MemberFactory(), points=5)
    FormFactory(), PixelFactory()
    assert admin_client.get(f"/admin/{page}/").status_code == 200
    # the row's own id: PostgreSQL does not reuse ids of rolled-back tests as SQLite does
    pk = apps.get_model(*page.split("/")).objects.values_list("pk", flat=True).first()
    assert admin_client.get(f"/admin/{page}/{pk}/change/").status_code == 200


def test_admin_form_refuses_an_unknown_target(admin_client, shop):
    answer = admin_client.post(
        "/admin/weblayers/form/add/",
        {
            "name": "Join", "slug": "join", "database": shop.pk,
            "inputs": '[{"name": "x", "target": "fields.nope"}]', "allowed_origins": "[]",
            "success_message": "Thanks", "is_active": "on",
        },
    )  # fmt: skip
    assert answer.status_code == 200
    assert "unknown target" in answer.content.decode()
