"""`make run`'s demo fills the Data and Loyalty blocks: codes, loyalty, orders, forms, pixels."""

import io

from django.core.management import call_command
from django.db.models import Sum

from history.models import Event
from loyalty.models import Member, PromoCode
from market.models import Order


def test_demo_fills_the_data_and_loyalty_blocks(db, settings, tmp_path):
    settings.BASE_DIR = tmp_path
    call_command("load_demo", "--profiles", "30", stdout=io.StringIO())
    assert PromoCode.objects.filter(profile__isnull=False).count() == 6
    assert Member.objects.count() == 15
    for member in Member.objects.all():
        assert member.balance == member.transactions.aggregate(total=Sum("points"))["total"]
    assert Order.objects.exists() and all(order.total > 0 for order in Order.objects.all())
    types = set(Event.objects.values_list("type", flat=True))
    assert {"promo_attached", "loyalty_points", "order", "form_filled", "pixel"} <= types
