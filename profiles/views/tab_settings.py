"""The tab settings dialog (P9): Main tab fields, the pinned tab, custom tabs. Stored per
database; every action comes back to the profile the dialog was opened from."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from .. import tabs
from ..models import Profile
from .access import attempt, back_to_profile, staff_page, text_field

ACTIONS = {
    "main": lambda database, post: tabs.choose_main_fields(
        database=database, keys=post.getlist("fields")
    ),
    "pin": lambda database, post: tabs.pin_tab(database=database, key=post.get("tab", "")),
    "add": lambda database, post: tabs.add_custom_tab(
        database=database, title=text_field(post, "title"), keys=post.getlist("fields")
    ),
    "remove": lambda database, post: tabs.remove_custom_tab(
        database=database, key=post.get("tab", "")
    ),
}
DONE = {
    "main": "Main tab fields saved.",
    "pin": "Default tab pinned.",
    "add": "Tab added.",
    "remove": "Tab removed.",
}


@require_POST
@staff_page("profiles.change_profiledatabase")
def change_tabs(request: HttpRequest, profile_id: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404("No such tab action.")
    profile = get_object_or_404(Profile.objects.select_related("database"), pk=profile_id)
    attempt(request, lambda: ACTIONS[action](profile.database, request.POST), DONE[action])
    return back_to_profile(profile.pk)
