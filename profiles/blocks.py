"""The blocks under the profile page's tabs (PRODUCT.md P8, issue 6 item 5).

Each app contributes its own block (History, Interactions, Data, Subscriptions, Loyalty, ...)
by registering a `ProfileBlock` in its `AppConfig.ready()`, so the profile template only loops
over `blocks_for(...)` and knows no app by name. A block's `context` function gets the request
and the profile and must run a fixed number of queries whatever the profile's size: the page's
query budget is the sum of its blocks' budgets.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class ProfileBlock:
    key: str  # stable, lower-case; used as the HTML id and in URLs
    title: str
    template: str  # rendered with the dict returned by `context`, plus `profile` and `block`
    context: Callable[[HttpRequest, Any], dict]
    order: int = 100  # smaller first
    permissions: tuple[str, ...] = field(default=())  # all needed to see the block


_BLOCKS: dict[str, ProfileBlock] = {}


def register(block: ProfileBlock) -> ProfileBlock:
    """Adds a block; registering the same key twice is a programming error."""
    if block.key in _BLOCKS and _BLOCKS[block.key] != block:
        raise ValueError(f"Profile block {block.key!r} is already registered.")
    _BLOCKS[block.key] = block
    return block


def registered_blocks() -> list[ProfileBlock]:
    return sorted(_BLOCKS.values(), key=lambda block: (block.order, block.key))


def blocks_for(request: HttpRequest, profile) -> list[tuple[ProfileBlock, dict]]:
    """The blocks this user may see, each with its rendered context, in page order."""
    return [
        (block, {"profile": profile, "block": block, **block.context(request, profile)})
        for block in registered_blocks()
        if request.user.has_perms(block.permissions)
    ]


@dataclass(frozen=True)
class MissingBlock:
    """A block the page expects whose app has not registered it (yet): shown as an honest
    empty state instead of a gap."""

    key: str
    title: str
    empty_text: str
    order: int
    template: str = "profiles/blocks/missing.html"


# The blocks the profile page expects (issue 6 item 5), with what to say while an app has not
# registered its own: the one place that knows them, so the page imports no app.
EXPECTED_BLOCKS = (
    MissingBlock("history", "History", "History is not available.", 10),
    MissingBlock(
        "interactions",
        "Interactions",
        "Interactions (segments, trigger mailings, scenarios) are not built yet.",
        20,
    ),  # fmt: skip
    MissingBlock(
        "data", "Data", "Profile data (promo codes, forms, orders, pixels) is not built yet.", 30
    ),
    MissingBlock("subscriptions", "Subscriptions", "Subscriptions are not available.", 40),
    MissingBlock("loyalty", "Loyalty", "Loyalty programs are not built yet.", 50),
)


def page_blocks(request: HttpRequest, profile) -> list[tuple[ProfileBlock | MissingBlock, dict]]:
    """The registered blocks the user may see, plus an empty state for each expected block
    no app registered, in page order."""
    shown = blocks_for(request, profile)
    missing = [
        (expected, {"profile": profile, "block": expected})
        for expected in EXPECTED_BLOCKS
        if expected.key not in _BLOCKS
    ]
    return sorted([*shown, *missing], key=lambda pair: (pair[0].order, pair[0].key))
