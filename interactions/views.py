"""The Interactions block's actions (profile page): each small view checks its permission,
validates its form, calls one service, and goes back to the page with a message."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from config.exceptions import InvalidInput
from profiles.merge import merge_profiles
from profiles.models import Profile

from .forms import MergeForm, ProfileChoiceForm, RelationForm
from .models import Scenario, Segment, Trigger
from .services import relations, scenarios, segments, triggers


def back(request: HttpRequest, profile_id: int) -> HttpResponseRedirect:
    """To the validated `next`, or to the profile page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    try:
        return HttpResponseRedirect(reverse("profile-page", args=[profile_id]))
    except NoReverseMatch:  # the profile page is not installed: its admin form
        return HttpResponseRedirect(reverse("admin:profiles_profile_change", args=[profile_id]))


def profile_action(*perms: str):
    """Wrap `act(request, profile) -> message` as a POST view needing `perms`."""

    def wrap(act: Callable[[HttpRequest, Profile], str]):
        @login_required
        @require_POST
        def view(request: HttpRequest, profile_id: int):
            if not request.user.has_perms(perms):
                raise PermissionDenied
            profile = get_object_or_404(Profile, pk=profile_id)
            try:
                messages.success(request, act(request, profile))
            except InvalidInput as error:
                for key, texts in error.errors.items():
                    messages.error(request, f"{key}: {' '.join(map(str, texts))}")
            return back(request, profile.pk)

        view.__name__ = act.__name__
        return view

    return wrap


def _choice(request: HttpRequest, queryset):
    form = ProfileChoiceForm(request.POST, queryset=queryset)
    if not form.is_valid():
        raise InvalidInput({"choice": form.errors["choice"]})
    return form.cleaned_data["choice"]


@profile_action("interactions.change_segment")
def add_to_segment(request: HttpRequest, profile: Profile) -> str:
    segment = _choice(request, Segment.objects.filter(database_id=profile.database_id))
    segments.add_to_segment(segment=segment, profile_ids=[profile.pk], actor=request.user)
    return f"Added to the segment {segment.name}."


@profile_action("interactions.change_segment")
def remove_from_segment(request: HttpRequest, profile: Profile) -> str:
    segment = _choice(request, Segment.objects.filter(database_id=profile.database_id))
    segments.remove_from_segment(segment=segment, profile_ids=[profile.pk], actor=request.user)
    return f"Removed from the segment {segment.name}."


@profile_action("interactions.send_trigger")
def send_trigger(request: HttpRequest, profile: Profile) -> str:
    trigger = _choice(request, Trigger.objects.filter(is_active=True))
    triggers.send_trigger(trigger=trigger, profile=profile, actor=request.user)
    return f"The trigger {trigger.name} is being sent."


@profile_action("interactions.engage_scenario")
def engage(request: HttpRequest, profile: Profile) -> str:
    scenario = _choice(request, Scenario.objects.filter(is_active=True))
    scenarios.engage(scenario=scenario, profile=profile, actor=request.user)
    return f"Engaged in the scenario {scenario.name}."


@profile_action("interactions.add_relation")
def add_relation(request: HttpRequest, profile: Profile) -> str:
    form = RelationForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(form.errors)
    data = form.cleaned_data
    relations.add_relation(type=data["type"], from_profile=profile,
                           to_profile=data["to_profile"], actor=request.user)  # fmt: skip
    return f"Related as {data['type']} to profile #{data['to_profile'].pk}."


@profile_action("profiles.change_profile", "profiles.delete_profile")
def merge(request: HttpRequest, profile: Profile) -> str:
    form = MergeForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(form.errors)
    loser = form.cleaned_data["loser"]
    merge_profiles(winner=profile, loser=loser, actor=request.user)
    return f"Profile #{loser.pk} was merged into this one."
