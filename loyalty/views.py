"""Small back-office actions posted from the profile page's Data and Loyalty blocks. Each one
needs a login and its permission, checks CSRF, calls one service, reports the outcome with a
message and goes back to a validated `next` (else the profile page)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from profiles.models import Profile

from . import services
from .models import Member, PromoCode, PromoPool
from .services.points import MAX_POINTS, MAX_REASON


class AdjustForm(forms.Form):
    points = forms.IntegerField(min_value=-MAX_POINTS, max_value=MAX_POINTS)
    reason = forms.CharField(max_length=MAX_REASON)


class AssignForm(forms.Form):
    pool = forms.ModelChoiceField(queryset=PromoPool.objects.all())
    code = forms.CharField(max_length=64, required=False)


CODE_ACTIONS = {"activate": services.activate_code, "detach": services.detach_code}


@require_POST
@login_required
@permission_required("loyalty.add_pointstransaction", raise_exception=True)
def adjust_points(request: HttpRequest, member_id: int) -> HttpResponse:
    member = get_object_or_404(Member.objects.select_related("profile"), pk=member_id)
    form = AdjustForm(request.POST)
    if _run(request, form, lambda data: services.adjust(member=member, actor=request.user, **data)):
        messages.success(request, "Points adjusted.")
    return redirect(_next(request, member.profile))


@require_POST
@login_required
@permission_required("loyalty.change_promocode", raise_exception=True)
def assign_code(request: HttpRequest, profile_id: int) -> HttpResponse:
    profile = get_object_or_404(Profile, pk=profile_id)
    form = AssignForm(request.POST)
    if _run(
        request, form,
        lambda data: services.assign_code(profile=profile, actor=request.user, **data),
    ):  # fmt: skip
        messages.success(request, "Promo code attached.")
    return redirect(_next(request, profile))


@require_POST
@login_required
@permission_required("loyalty.change_promocode", raise_exception=True)
def change_code(request: HttpRequest, code_id: int, action: str) -> HttpResponse:
    code = get_object_or_404(PromoCode.objects.select_related("profile", "pool"), pk=code_id)
    if action not in CODE_ACTIONS or code.profile is None:
        return HttpResponse("Unknown action.", status=400, content_type="text/plain")
    profile = code.profile
    if _run(request, forms.Form({}), lambda _: CODE_ACTIONS[action](code=code, actor=request.user)):
        messages.success(request, f"Promo code {action}d.")
    return redirect(_next(request, profile))


def _run(request: HttpRequest, form: forms.Form, service) -> bool:
    """Validate the form and call the service with its data; show any error as a message."""
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{field}: {' '.join(errors)}")
        return False
    try:
        service(form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    return True


def _next(request: HttpRequest, profile: Profile) -> str:
    wanted = request.POST.get("next") or request.GET.get("next", "")
    allowed = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if allowed:
        return wanted
    try:
        return reverse("profile-page", args=[profile.pk])
    except NoReverseMatch:  # the profile page is not installed: its admin page instead
        return reverse("admin:profiles_profile_change", args=[profile.pk])
