"""L1 and D1 under concurrency on PostgreSQL: eight threads, each on its own connection, act
at the same moment. A balance never goes negative and always equals the sum of its
transactions; a promo code is never given twice."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum

from loyalty import services
from loyalty.models import Member, PromoCode
from tests.profiles.factories import ProfileFactory
from tests.subscriptions.test_concurrency import THREADS, at_once

from .factories import MemberFactory, PromoCodeFactory, PromoPoolFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_redemptions_never_overdraw_the_balance():
    # given 50 points and eight threads each redeeming 20
    member = MemberFactory()
    services.accrue(member=member, points=50)
    # when
    results = at_once(lambda _: services.redeem(member=Member.objects.get(pk=member.pk), points=20))
    # then exactly two succeed, the others are refused cleanly
    refused = [result for result in results if isinstance(result, ValidationError)]
    assert len(refused) == THREADS - 2
    member.refresh_from_db()
    assert member.balance == 10
    assert member.transactions.aggregate(total=Sum("points"))["total"] == 10
    balances = sorted(member.transactions.values_list("balance", flat=True))
    assert balances == [10, 30, 50]


def test_concurrent_accruals_and_redemptions_keep_balance_equal_to_transactions():
    member = MemberFactory()
    services.accrue(member=member, points=5)

    def work(index: int):
        current = Member.objects.get(pk=member.pk)
        if index % 2:
            return services.redeem(member=current, points=7)
        return services.accrue(member=current, points=3)

    at_once(work)
    member.refresh_from_db()
    assert member.balance >= 0
    assert member.balance == member.transactions.aggregate(total=Sum("points"))["total"]


def test_concurrent_assignments_never_give_a_code_twice():
    # given a pool of five codes and eight profiles asking at once
    pool = PromoPoolFactory()
    for _ in range(5):
        PromoCodeFactory(pool=pool)
    profiles = [ProfileFactory() for _ in range(THREADS)]
    # when
    results = at_once(lambda index: services.assign_code(pool=pool, profile=profiles[index]))
    # then five distinct codes went to five profiles; three were told the pool is empty
    given = [result for result in results if isinstance(result, PromoCode)]
    assert len({code.pk for code in given}) == 5
    assert sum(isinstance(result, ValidationError) for result in results) == THREADS - 5
    holders = PromoCode.objects.values_list("profile_id", flat=True)
    assert len(set(holders)) == 5
