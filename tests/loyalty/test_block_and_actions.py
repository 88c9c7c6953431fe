"""The Loyalty block and the back-office actions posted from the profile page."""

import pytest
from django.test import RequestFactory

from loyalty.blocks import LOYALTY_BLOCK
from loyalty.models import Member, PromoCode
from tests.conftest import grant
from tests.profiles.factories import ProfileFactory, UserFactory

from .factories import MemberFactory, PromoCodeFactory, PromoPoolFactory

pytestmark = pytest.mark.django_db
NEXT = "/profiles/somewhere/"


@pytest.fixture
def clerk(client):
    user = grant(
        UserFactory(username="clerk", is_staff=True),
        "view_member", "add_pointstransaction", "change_promocode",
    )  # fmt: skip
    client.force_login(user)
    return user


@pytest.mark.parametrize("transactions", [1, 8])
def test_loyalty_block_runs_two_queries(clerk, transactions, django_assert_num_queries):
    from loyalty import services

    member = MemberFactory()
    MemberFactory(profile=member.profile)
    for _ in range(transactions):
        services.accrue(member=member, points=5)
    request = RequestFactory().get("/")
    request.user = clerk
    clerk.has_perm("x")
    with django_assert_num_queries(2):  # memberships, latest transactions
        context = LOYALTY_BLOCK.context(request, member.profile)
    assert len(context["memberships"]) == 2 and len(context["transactions"]) == transactions


def test_manual_transaction_from_the_block(client, clerk):
    member = MemberFactory()
    answer = client.post(
        f"/loyalty/members/{member.pk}/adjust/", {"points": 40, "reason": "goodwill", "next": NEXT}
    )
    assert answer.status_code == 302 and answer["Location"] == NEXT
    entry = Member.objects.get(pk=member.pk).transactions.get()
    assert (entry.points, entry.reason, entry.actor) == (40, "goodwill", clerk)


def test_overdraw_from_the_block_shows_an_error_and_changes_nothing(client, clerk):
    member = MemberFactory()
    answer = client.post(
        f"/loyalty/members/{member.pk}/adjust/",
        {"points": -5, "reason": "x", "next": NEXT},
        follow=False,
    )
    assert answer.status_code == 302
    assert Member.objects.get(pk=member.pk).balance == 0
    messages = [str(m) for m in answer.wsgi_request._messages]
    assert messages == ["The balance is too small for this."]


def test_foreign_next_is_replaced(client, clerk):
    member = MemberFactory()
    answer = client.post(
        f"/loyalty/members/{member.pk}/adjust/",
        {"points": 1, "reason": "x", "next": "https://evil.example/"},
    )
    assert "evil" not in answer["Location"]


def test_actions_need_login_permission_and_post(client):
    member = MemberFactory()
    url = f"/loyalty/members/{member.pk}/adjust/"
    assert client.post(url, {"points": 1, "reason": "x", "next": NEXT}).status_code == 302
    client.force_login(UserFactory(username="nobody-here"))
    assert client.post(url, {"points": 1, "reason": "x", "next": NEXT}).status_code == 403
    assert not Member.objects.get(pk=member.pk).transactions.exists()


def test_assign_activate_and_detach_from_the_block(client, clerk):
    pool = PromoPoolFactory()
    PromoCodeFactory(pool=pool, code="HELLO-1")
    profile = ProfileFactory()
    client.post(
        f"/loyalty/profiles/{profile.pk}/promo-codes/assign/", {"pool": pool.pk, "next": NEXT}
    )
    code = PromoCode.objects.get(profile=profile)
    client.post(f"/loyalty/promo-codes/{code.pk}/activate/", {"next": NEXT})
    assert PromoCode.objects.get(pk=code.pk).state == "activated"
    client.post(f"/loyalty/promo-codes/{code.pk}/detach/", {"next": NEXT})
    assert PromoCode.objects.get(pk=code.pk).state == "detached"
    assert client.post(f"/loyalty/promo-codes/{code.pk}/steal/", {"next": NEXT}).status_code == 400
