"""The profile page's Data block: promo codes, filled forms, orders (Market permission only)
and pixels with raw JSON, in a fixed number of queries."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory

from history import services as history
from history.models import EventType
from profiles.blocks import blocks_for
from tests.conftest import grant
from tests.loyalty.factories import PromoCodeFactory
from tests.market.factories import OrderFactory
from tests.profiles.factories import ProfileFactory, UserFactory
from weblayers.blocks import DATA_BLOCK

pytestmark = pytest.mark.django_db


def render_data_block(user, profile) -> str:
    request = RequestFactory().get(f"/profiles/{profile.pk}/")
    request.user = user
    block, context = next((b, c) for b, c in blocks_for(request, profile) if b.key == "data")
    return render_to_string(block.template, context, request=request)


def fill(profile, size: int) -> None:
    for n in range(size):
        PromoCodeFactory(profile=profile, attached_at="2026-01-01T00:00:00Z")
        OrderFactory(profile=profile, external_id=f"ORD-{profile.pk}-{n}")
        history.record(
            type=EventType.FORM_FILLED, profile=profile,
            data={"form": "join", "title": "Join <us>", "values": {"name": "<script>x</script>"}},
        )  # fmt: skip
        history.record(
            type=EventType.PIXEL, profile=profile,
            data={"goal": "view", "pixel_data": {"cart": n}},
        )  # fmt: skip


@pytest.fixture
def manager(db):
    return grant(UserFactory(username="manager", is_staff=True), "view_order", "change_promocode")


@pytest.mark.parametrize("size", [1, 6])
def test_data_block_runs_a_fixed_number_of_queries(manager, size, django_assert_num_queries):
    profile = ProfileFactory()
    fill(profile, size)
    request = RequestFactory().get("/")
    request.user = manager
    manager.has_perm("x")  # permissions are loaded once per request, by the page
    # codes with pools, form events, pixel events, orders with line counts, pools
    with django_assert_num_queries(5):
        DATA_BLOCK.context(request, profile)


def test_data_block_shows_everything_escaped(manager):
    profile = ProfileFactory()
    fill(profile, 2)
    html = render_data_block(manager, profile)
    assert "CODE" in html and "Join &lt;us&gt;" in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x" not in html
    assert f"ORD-{profile.pk}-1" in html
    assert "&quot;cart&quot;: 1" in html  # the raw pixel JSON
    assert "Attach a code" in html


def test_orders_are_hidden_without_the_market_permission():
    profile = ProfileFactory()
    fill(profile, 1)
    html = render_data_block(UserFactory(username="plain", is_staff=True), profile)
    assert "<h4>Orders</h4>" not in html and f"ORD-{profile.pk}-0" not in html
    assert "Filled forms" in html


def test_anonymous_users_see_no_blocks_needing_permissions():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    keys = [block.key for block, _ in blocks_for(request, ProfileFactory())]
    assert "loyalty" not in keys
