"""Who may open the staff pages: signed in (else the login page) and holding the permissions
(else 403)."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from config.exceptions import InvalidInput

LOGIN_URL = "login"


def staff_page(*permissions: str) -> Callable:
    def decorate(view: Callable) -> Callable:
        checked = permission_required(("profiles.view_profile", *permissions), raise_exception=True)
        return login_required(checked(view), login_url=LOGIN_URL)

    return decorate


def attempt(request: HttpRequest, write: Callable[[], object], done: str) -> bool:
    """Run a service call of a form; its InvalidInput becomes page messages, success `done`."""
    try:
        write()
    except InvalidInput as error:
        error_messages(request, error)
        return False
    messages.success(request, done)
    return True


def error_messages(request: HttpRequest, error: InvalidInput) -> None:
    """Each message of a service's InvalidInput, naming its field, as a page message."""
    for name, problems in _flat(error.errors):
        for problem in problems:
            messages.error(request, f"{name}: {problem}" if name != "non_field_errors" else problem)


def _flat(errors: dict, prefix: str = ""):
    for name, value in errors.items():
        if isinstance(value, dict):
            yield from _flat(value, f"{prefix}{name}.")
        else:
            yield prefix + str(name), value if isinstance(value, list) else [value]


def back_to_profile(profile_id: int, anchor: str = "") -> HttpResponse:
    return redirect(reverse("profile-page", args=[profile_id]) + (f"#{anchor}" if anchor else ""))


def text_field(data, name: str) -> str:
    """A submitted text without NUL characters, which PostgreSQL refuses in text and JSON;
    InvalidInput naming the field otherwise."""
    value = data.get(name, "")
    if "\x00" in value:
        raise InvalidInput({name: ["Remove the NUL character from the text."]})
    return value
