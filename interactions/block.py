"""The Interactions block of the profile page (P8 registry): the profile's segments,
triggers and scenarios, with forms that post to `views.py`."""

from django.http import HttpRequest
from django.middleware.csrf import get_token

from profiles.blocks import ProfileBlock

from . import selectors

# What each form of the block needs; the template shows a form only to who may use it.
ACTIONS = {
    "can_change_segments": ("interactions.change_segment",),
    "can_send_triggers": ("interactions.send_trigger",),
    "can_engage": ("interactions.engage_scenario",),
    "can_relate": ("interactions.add_relation",),
    "can_merge": ("profiles.change_profile", "profiles.delete_profile"),
}


def block_context(request: HttpRequest, profile) -> dict:
    """Seven queries for the data (selectors.profile_interactions), plus the user's
    permissions when the page has not loaded them yet."""
    user = request.user
    return {
        **selectors.profile_interactions(profile),
        **{name: user.has_perms(perms) for name, perms in ACTIONS.items()},
        "csrf_token": get_token(request),
        "next": request.get_full_path(),
    }


INTERACTIONS_BLOCK = ProfileBlock(
    key="interactions",
    title="Interactions",
    template="interactions/profile_block.html",
    context=block_context,
    order=40,
    permissions=(
        "interactions.view_segment",
        "interactions.view_trigger",
        "interactions.view_scenario",
    ),  # fmt: skip
)
