from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from history import selectors as history
from history.blocks import history_context
from history.selectors import SUMMARY_ACTIONS
from subscriptions.devices import parse_user_agent

from .. import selectors, tabs
from ..avatars import AVATAR_MAX_BYTES, AvatarForm
from ..blocks import page_blocks
from ..models import Profile, Status
from .access import staff_page

ALWAYS_SHOWN_CHANNELS = ("email", "sms", "push")
SHORT_ACTIONS = {"delivered": "deliv."}  # headings of the narrow message summary


def _profile(profile_id: int) -> Profile:
    try:
        return selectors.profile_page_profile(profile_id)
    except Profile.DoesNotExist:
        raise Http404("No profile has this id.") from None


@staff_page()
def profile_page(request: HttpRequest, profile_id: int) -> HttpResponse:
    """The digital profile (P7-P12, H3): header, tabs, side panels and the apps' blocks, in a
    fixed number of queries whatever the profile's history."""
    profile = _profile(profile_id)
    definitions = list(profile.database.fields.all())
    layout = tabs.layout_of(profile.database)
    page_tabs = tabs.page_tabs(profile, layout, definitions)
    keys = [tab.key for tab in page_tabs]
    active = request.GET.get("tab") if request.GET.get("tab") in keys else layout.default_tab
    user = request.user
    return render(
        request,
        "profiles/profile_page.html",
        {
            "profile": profile,
            "tabs": page_tabs,
            "active_tab": active if active in keys else "main",
            "layout": layout,
            "field_labels": tabs.field_labels(definitions).items(),
            "statuses": Status.choices,
            "pin": _pin(profile),
            "utm": _utm(profile),
            **(_history_panels(profile) if user.has_perm("history.view_event") else {}),
            "blocks": [
                (block, render_to_string(block.template, context, request=request))
                for block, context in page_blocks(request, profile)
            ],
            "avatar_form": AvatarForm(),
            "avatar_limit": AVATAR_MAX_BYTES,
            "can_change": user.has_perm("profiles.change_profile"),
            "can_configure_tabs": user.has_perm("profiles.change_profiledatabase"),
            "can_delete": user.has_perm("profiles.delete_profile"),
            "can_export": user.has_perm("profiles.export_profile"),
        },
    )


def _pin(profile: Profile) -> dict | None:
    """P10: the pin's place on the equirectangular world map, in percent of its width and
    height (static/img/world.svg: x = longitude + 180, y = 90 - latitude of 360 x 180)."""
    lat, lon = profile.tracked_latitude, profile.tracked_longitude
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return {
        "x": round((lon + 180) / 3.6, 3),
        "y": round((90 - lat) / 1.8, 3),
        "lat": lat,
        "lon": lon,
    }


def _utm(profile: Profile) -> list[tuple[str, str]]:
    return [
        (name, getattr(profile, f"utm_{name}"))
        for name in ("source", "medium", "campaign", "term", "content")
    ]


def _history_panels(profile: Profile) -> dict:
    """Latest activity (P11) and the message summary (H3): two queries."""
    latest = history.latest_event(profile_id=profile.pk)
    user_agent = str((latest.data or {}).get("user_agent") or "") if latest else ""
    summary = history.message_summary(profile_id=profile.pk)
    return {
        "latest": latest,
        "device": parse_user_agent(user_agent) if user_agent else None,
        "summary": [
            (channel, list(actions.items()))
            for channel, actions in summary.items()
            if channel in ALWAYS_SHOWN_CHANNELS or any(actions.values())
        ],
        "summary_actions": [
            (action, SHORT_ACTIONS.get(action, action)) for action in SUMMARY_ACTIONS
        ],
    }


@staff_page("history.view_event")
def history_rows(request: HttpRequest, profile_id: int) -> HttpResponse:
    """The History block's next page of rows, for its "load more" button."""
    profile = _profile(profile_id)
    return render(
        request,
        "history/blocks/history_rows.html",
        {"profile": profile, **history_context(request, profile)},
    )
