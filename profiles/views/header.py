"""The header's actions (P5-P8): status, test flag, avatar, export, delete."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from config.exceptions import InvalidInput

from .. import personal_data, services
from ..avatars import AvatarForm, replace_avatar
from ..models import Profile, Status
from .access import back_to_profile, error_messages, staff_page


@require_POST
@staff_page("profiles.change_profile")
def change_status(request: HttpRequest, profile_id: int) -> HttpResponse:
    profile = get_object_or_404(Profile, pk=profile_id)
    status = request.POST.get("status", "")
    if status not in Status.values:
        messages.error(request, f"status: {status!r} is not one of the statuses.")
    else:
        services.update_profile(profile=profile, values={"status": status}, actor=request.user)
        messages.success(request, f"Status changed to {status}.")
    return back_to_profile(profile.pk)


@require_POST
@staff_page("profiles.change_profile")
def change_test_flag(request: HttpRequest, profile_id: int) -> HttpResponse:
    profile = get_object_or_404(Profile, pk=profile_id)
    is_test = request.POST.get("is_test") == "on"
    services.update_profile(profile=profile, values={"is_test": is_test}, actor=request.user)
    messages.success(
        request, "Marked as a test subscriber." if is_test else "No longer a test subscriber."
    )
    return back_to_profile(profile.pk)


@require_POST
@staff_page("profiles.change_profile")
def upload_avatar(request: HttpRequest, profile_id: int) -> HttpResponse:
    profile = get_object_or_404(Profile, pk=profile_id)
    form = AvatarForm(request.POST, request.FILES)
    if form.is_valid():
        replace_avatar(profile=profile, image=form.cleaned_data["avatar"], actor=request.user)
        messages.success(request, "Avatar saved.")
    else:
        for problem in form.errors.get("avatar", []):
            messages.error(request, f"avatar: {problem}")
    return back_to_profile(profile.pk)


@require_GET
@staff_page("profiles.export_profile")
def export_personal_data(request: HttpRequest, profile_id: int, format: str) -> HttpResponse:
    """P7: everything held about the person, as JSON or CSV, streamed."""
    if format not in personal_data.FORMATS:
        raise Http404("Export as json or csv.")
    profile = get_object_or_404(Profile, pk=profile_id)
    response = StreamingHttpResponse(
        personal_data.FORMATS[format](profile, request=request),
        content_type=personal_data.CONTENT_TYPES[format],
    )
    response["Content-Disposition"] = (
        f'attachment; filename="personal-data-profile-{profile.pk}.{format}"'
    )
    return response


@staff_page("profiles.delete_profile")
def delete_profile(request: HttpRequest, profile_id: int) -> HttpResponse:
    """P8: a confirmation page; its POST deletes the profile with its history."""
    profile = get_object_or_404(Profile.objects.select_related("database"), pk=profile_id)
    if request.method != "POST":
        return render(request, "profiles/profile_delete.html", {"profile": profile})
    database_id = profile.database_id
    try:
        services.delete_profile(profile=profile, actor=request.user)
    except InvalidInput as error:
        error_messages(request, error)
        return back_to_profile(profile_id)
    messages.success(request, f"Profile {profile_id} deleted.")
    return redirect("staff-profile-list", database_id=database_id)
