"""L1: enrolment, tiers, accrual with promotions, redemption, expiry and manual adjustment."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from history.models import Event
from loyalty import services
from loyalty.models import Member

from .factories import MemberFactory, ProgramFactory, PromotionFactory, TierFactory

pytestmark = pytest.mark.django_db


def test_enrol_puts_a_new_member_in_the_lowest_tier_once(shop):
    from tests.profiles.factories import ProfileFactory

    program = ProgramFactory()
    TierFactory(program=program, name="Bronze", threshold=0)
    profile = ProfileFactory(database=shop)
    member = services.enrol(program=program, profile=profile)
    assert member.tier.name == "Bronze"
    assert services.enrol(program=program, profile=profile).pk == member.pk


def test_accrual_raises_the_tier_and_records_loyalty_points():
    member = MemberFactory()
    TierFactory(program=member.program, name="Silver", threshold=100)
    entry = services.accrue(member=member, points=150, reason="order 17")
    member.refresh_from_db()
    assert (member.balance, member.earned, member.tier.name) == (150, 150, "Silver")
    assert entry.balance == 150
    event = Event.objects.get(profile=member.profile, type="loyalty_points")
    assert event.data == {"kind": "accrual", "points": 150, "balance": 150, "reason": "order 17"}


def test_running_promotion_boosts_accruals():
    member = MemberFactory()
    promotion = PromotionFactory(program=member.program, multiplier=2, bonus=5)
    entry = services.accrue(member=member, points=10)
    assert (entry.points, entry.promotion) == (25, promotion)


def test_redemption_beyond_the_balance_is_refused():
    member = MemberFactory()
    services.accrue(member=member, points=30)
    services.redeem(member=member, points=20)
    with pytest.raises(ValidationError) as error:
        services.redeem(member=member, points=11)
    assert error.value.message_dict == {"points": ["The balance is too small for this."]}
    member.refresh_from_db()
    assert member.balance == 10
    assert list(member.transactions.values_list("points", flat=True)) == [-20, 30]


def test_expiry_never_takes_more_than_the_balance():
    member = MemberFactory()
    services.accrue(member=member, points=30)
    entry = services.expire(member=member, points=100, reason="yearly expiry")
    assert (entry.points, entry.balance) == (-30, 0)
    assert services.expire(member=member, points=5) is None


def test_manual_adjustment_needs_a_reason():
    member = MemberFactory()
    with pytest.raises(ValidationError) as error:
        services.adjust(member=member, points=10, reason=" ", actor=None)
    assert "reason" in error.value.message_dict
    services.adjust(member=member, points=10, reason="goodwill", actor=None)
    with pytest.raises(ValidationError):
        services.adjust(member=member, points=-11, reason="correction", actor=None)
    assert Member.objects.get(pk=member.pk).balance == 10


def test_the_database_refuses_a_negative_balance():
    member = MemberFactory()
    with pytest.raises(IntegrityError):
        Member.objects.filter(pk=member.pk).update(balance=-1)


@pytest.mark.parametrize("points", [0, -5, 10**10, "7"])
def test_points_must_be_a_positive_whole_number(points):
    with pytest.raises(ValidationError):
        services.accrue(member=MemberFactory.build(), points=points)
