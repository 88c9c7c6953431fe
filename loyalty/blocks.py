"""The profile page's Loyalty block (L1): programs, tier, balance, latest transactions and a
form for manual transactions with a reason."""

from django.http import HttpRequest

from profiles.blocks import ProfileBlock

from . import selectors


def loyalty_context(request: HttpRequest, profile) -> dict:
    """Two queries: memberships (with program and tier) and the latest transactions."""
    return {
        "memberships": selectors.profile_memberships(profile),
        "transactions": selectors.profile_transactions(profile),
        "can_adjust": request.user.has_perm("loyalty.add_pointstransaction"),
        "next": request.get_full_path(),
    }


LOYALTY_BLOCK = ProfileBlock(
    key="loyalty",
    title="Loyalty",
    template="loyalty/blocks/loyalty.html",
    context=loyalty_context,
    order=60,
    permissions=("loyalty.view_member",),
)
