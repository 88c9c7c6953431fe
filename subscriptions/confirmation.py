"""S6: the double opt-in confirmation link.

The token is the subscription id signed with a timestamp (`TimestampSigner`, salt
"subscriptions.confirm", keyed by SECRET_KEY), so nothing is stored and a link cannot be forged
or pointed at another subscription. Links stay valid for `SUBSCRIPTION_CONFIRM_MAX_AGE` seconds
(or a timedelta) after they are made; the default is 7 days. Rotating SECRET_KEY invalidates
the links that are out unless the old key stays in SECRET_KEY_FALLBACKS for a week.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.urls import reverse

from .models import Subscription

SALT = "subscriptions.confirm"
DEFAULT_MAX_AGE = timedelta(days=7)


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def max_age() -> int | float | timedelta:
    return getattr(settings, "SUBSCRIPTION_CONFIRM_MAX_AGE", DEFAULT_MAX_AGE)


def max_age_seconds() -> float:
    age = max_age()
    return age.total_seconds() if isinstance(age, timedelta) else float(age)


def confirmation_url(subscription: Subscription, request: HttpRequest | None = None) -> str:
    """The public page that confirms `subscription`: a path, or an absolute URL on the
    request's host when a request is given."""
    token = _signer().sign(str(subscription.pk))
    path = reverse("subscriptions:confirm", args=[token])
    return request.build_absolute_uri(path) if request is not None else path


def subscription_for_token(token: str) -> Subscription:
    """The live subscription a confirmation token names.

    Raises `signing.SignatureExpired` for a link older than the maximum age,
    `signing.BadSignature` for a tampered or malformed one (SignatureExpired is a subclass:
    catch it first), and `Subscription.DoesNotExist` when the subscription was deleted or
    replaced (S5) since the link was sent.
    """
    value = _signer().unsign(token, max_age=max_age())
    if not value.isdigit():  # only a token signed with our key and salt gets here
        raise signing.BadSignature("The token does not name a subscription.")
    return Subscription.objects.select_related("resource").get(
        pk=int(value), deleted_at__isnull=True
    )
