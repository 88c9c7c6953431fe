"""Public pages of subscriptions, reached from messages without signing in (S6)."""

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from profiles.models import Status

from . import confirmation, services
from .models import Subscription


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what is being confirmed and a button; only the button's POST confirms, since
    mail scanners open (GET) every link of a message. Confirming again shows the same page."""
    try:
        subscription = confirmation.subscription_for_token(token)
    except signing.SignatureExpired:
        return _link_problem(request, 400, "This confirmation link has expired.")
    except signing.BadSignature:
        return _link_problem(request, 400, "This confirmation link is not valid.")
    except Subscription.DoesNotExist:
        return _link_problem(request, 404, "This subscription no longer exists.")
    if request.method == "POST":
        subscription = services.confirm_subscription(subscription=subscription)
    context = {
        "subscription": subscription,
        "is_confirmed": subscription.status == Status.SUBSCRIBED,
        "is_pending": subscription.status == Status.UNCONFIRMED,
    }
    return render(request, "subscriptions/confirm.html", context)


def _link_problem(request: HttpRequest, status: int, message: str) -> HttpResponse:
    context = {"message": message}
    return render(request, "subscriptions/confirm_problem.html", context, status=status)
