"""The request being served, for the audit journal: `AuditContextMiddleware` keeps it in a
context variable, so services deep below a view learn the caller's user and IP without every
view passing them down. Outside a request (commands, Celery tasks) there is none."""

import ipaddress
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse

current_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)


class AuditContextMiddleware:
    """Put after AuthenticationMiddleware. The request object itself is kept, not its user:
    DRF authenticates (token) inside the view and sets `request.user` on this same object."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


def client_ip(request: HttpRequest) -> str | None:
    """The peer's address. With `BEHIND_PROXY` on (one reverse proxy in front), the
    address that proxy appended to X-Forwarded-For, the rightmost: the ones left of it are
    written by the client and prove nothing."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.BEHIND_PROXY and forwarded.strip():
        candidate = forwarded.split(",")[-1].strip()
    else:
        candidate = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None
