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
