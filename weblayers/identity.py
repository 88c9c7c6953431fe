"""Who a public request is about (D4, P14): a signed profile token from a tracked link's
parameter, else the signed profile cookie a form submission leaves, else an anonymous visitor id.

Tokens sign the profile's `xxh` identifier (never personal data) with SECRET_KEY, so they cannot
be forged or pointed at another profile; a bad signature is treated as no token at all.
"""

import re
import secrets

from django.core import signing
from django.http import HttpRequest, HttpResponse

from profiles.models import Profile

TOKEN_PARAM = "tp"
PROFILE_COOKIE = "tessera_pid"
VISITOR_COOKIE = "tessera_vid"
COOKIE_AGE = 365 * 24 * 3600
SALT = "weblayers.profile"
VISITOR_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}\Z")


def profile_token(profile: Profile) -> str:
    """The value of the `tp` parameter that names `profile` in pixel and link URLs."""
    return signing.Signer(salt=SALT).sign(profile.xxh)


def profile_from_token(token: str, database_id: int) -> Profile | None:
    """The profile a token names in `database_id`; None for a missing or forged token."""
    if not token or len(token) > 200:
        return None
    try:
        xxh = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None
    return Profile.objects.filter(xxh=xxh, database_id=database_id).first()


def request_profile(request: HttpRequest, database_id: int) -> Profile | None:
    """The profile the request names by link parameter, else by cookie."""
    token = request.GET.get(TOKEN_PARAM, "")
    return profile_from_token(token, database_id) or profile_from_token(
        request.COOKIES.get(PROFILE_COOKIE, ""), database_id
    )


def visitor_id(request: HttpRequest) -> str:
    """The visitor cookie's id, or a new one when it is missing or malformed."""
    current = request.COOKIES.get(VISITOR_COOKIE, "")
    return current if VISITOR_PATTERN.match(current) else secrets.token_urlsafe(16)


def remember(response: HttpResponse, *, visitor: str, profile: Profile | None = None) -> None:
    """Set the visitor cookie and, once the profile is known, the signed profile cookie."""
    options = {"max_age": COOKIE_AGE, "httponly": True, "samesite": "Lax"}
    response.set_cookie(VISITOR_COOKIE, visitor, **options)
    if profile is not None:
        response.set_cookie(PROFILE_COOKIE, profile_token(profile), **options)
