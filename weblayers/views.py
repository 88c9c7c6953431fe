"""The public, unauthenticated endpoints of the web layers: form submission `/f/<slug>/` (D2),
the tracking pixel `/px/<pixel_id>.gif|.json` (D4) and tracked links `/l/<token>/` (P12).

Anyone can call them, so each one is rate limited per client address, reads at most
MAX_BODY bytes, checks every parameter, answers nothing about the profile (no personal data,
not even whether an email was known), and allows cross-origin calls only from the origins its
form or pixel lists. They are exempt from CSRF: no session or staff rights are involved, and
the forms are meant to be posted from customers' own sites.
"""

import json
from dataclasses import asdict

from django.core import signing
from django.core.exceptions import RequestDataTooBig
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from config import ratelimit
from config.exceptions import InvalidInput

from . import identity, services, tasks, tracking
from .models import Form, Pixel

MAX_BODY = 16 * 1024
MAX_KEYS = 60
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
LIMITS = {  # scope: (requests, seconds) per client address
    "form-view": (60, 60),
    "form-submit": (10, 60),
    "pixel": (120, 60),
    "link": (60, 60),
}


class Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def _limit(request: HttpRequest, scope: str) -> None:
    limit, window = LIMITS[scope]
    if not ratelimit.allow(scope, ratelimit.client_address(request), limit=limit, window=window):
        raise Refused(429, "Too many requests; try again in a minute.")


def _body(request: HttpRequest) -> bytes:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise Refused(400, "Bad Content-Length.") from None
    if length > MAX_BODY:
        raise Refused(413, f"The body may be at most {MAX_BODY} bytes.")
    try:
        body = request.body
    except RequestDataTooBig:
        raise Refused(413, f"The body may be at most {MAX_BODY} bytes.") from None
    if len(body) > MAX_BODY:
        raise Refused(413, f"The body may be at most {MAX_BODY} bytes.")
    return body


def _json_object(request: HttpRequest) -> dict[str, str]:
    try:
        data = json.loads(_body(request) or b"{}")
    except ValueError:
        raise Refused(400, "The body is not valid JSON.") from None
    if not isinstance(data, dict) or len(data) > MAX_KEYS:
        raise Refused(400, f"Send a JSON object of at most {MAX_KEYS} keys.")
    return data


def _text_values(data: dict) -> dict[str, str]:
    if len(data) > MAX_KEYS or any(not isinstance(v, str) or len(v) > 1000 for v in data.values()):
        raise Refused(400, f"Send at most {MAX_KEYS} text values of at most 1000 characters.")
    return data


def _is_json(request: HttpRequest) -> bool:
    return request.content_type == "application/json"


def _cors(request: HttpRequest, response: HttpResponse, origins: list[str]) -> HttpResponse:
    origin = request.headers.get("Origin", "")
    if origin and origin in origins:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Credentials"] = "true"
        response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        response["Access-Control-Max-Age"] = "600"
    response["Vary"] = "Origin"
    return response


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST", "OPTIONS"])
def form_page(request: HttpRequest, slug: str) -> HttpResponse:
    """GET shows the form; POST (urlencoded or JSON) submits it; OPTIONS is CORS preflight."""
    form = get_object_or_404(Form.objects.select_related("resource", "database"), slug=slug)
    wants_json = _is_json(request)
    try:
        if not form.is_active:
            raise Refused(404, "This form is closed.")
        if request.method == "OPTIONS":
            return _cors(request, HttpResponse(status=204), form.allowed_origins)
        _limit(request, "form-view" if request.method == "GET" else "form-submit")
        if request.method == "GET":
            return render(request, "weblayers/form.html", _form_context(form))
        return _cors(request, _submit(request, form, wants_json), form.allowed_origins)
    except Refused as refused:
        if wants_json:
            answer = JsonResponse({"errors": {"__all__": [refused.message]}}, status=refused.status)
            return _cors(request, answer, form.allowed_origins)
        return HttpResponse(refused.message, status=refused.status, content_type="text/plain")


def _submit(request: HttpRequest, form: Form, wants_json: bool) -> HttpResponse:
    if wants_json:
        data = _text_values(_json_object(request))
    else:
        _body(request)
        data = _text_values({key: request.POST.get(key, "") for key in request.POST})
    data = {key: request.GET[key][:255] for key in services.UTM_KEYS if key in request.GET} | data
    visitor = identity.visitor_id(request)
    try:
        profile = services.submit_form(
            form=form, data=data, profile=identity.request_profile(request, form.database_id),
            visitor=visitor, url=request.headers.get("Referer", "")[: tracking.MAX_URL],
            user_agent=request.headers.get("User-Agent", "")[:512],
        )  # fmt: skip
    except InvalidInput as error:
        if wants_json:
            return JsonResponse({"errors": error.errors}, status=400)
        context = _form_context(form, data, error.errors)
        return render(request, "weblayers/form.html", context, status=400)
    if wants_json:
        response = JsonResponse({"ok": True, "message": form.success_message})
    else:
        response = render(request, "weblayers/form_done.html", {"form": form})
    identity.remember(response, visitor=visitor, profile=profile)
    return response


def _form_context(form: Form, values: dict | None = None, errors: dict | None = None) -> dict:
    values, errors = values or {}, errors or {}
    inputs = [
        {**item, "value": values.get(item["name"], ""), "errors": errors.get(item["name"], [])}
        for item in form.inputs
    ]
    return {"form": form, "inputs": inputs, "errors": errors.get("__all__", [])}


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST", "OPTIONS"])
def pixel(request: HttpRequest, pixel_id: str, format: str) -> HttpResponse:
    """Record one hit and answer a 1x1 GIF (or `{"ok": true}` for .json) at once; the event is
    written by a Celery task when a broker is configured."""
    found = Pixel.objects.filter(pixel_id=pixel_id[:32], is_active=True).first()
    if found is None:
        return _pixel_answer(request, format, 404, "No such pixel.", [])
    if request.method == "OPTIONS":
        return _cors(request, HttpResponse(status=204), found.allowed_origins)
    try:
        _limit(request, "pixel")
        params = request.GET.dict()
        if request.method == "POST":
            params |= _pixel_body(request)
        checked = tracking.read_hit(
            found, params, ip=ratelimit.client_address(request),
            user_agent=request.headers.get("User-Agent", ""),
        )  # fmt: skip
    except Refused as refused:
        return _pixel_answer(
            request, format, refused.status, refused.message, found.allowed_origins
        )
    except tracking.BadHit as error:
        return _pixel_answer(request, format, 400, str(error), found.allowed_origins)
    profile = identity.request_profile(request, found.database_id)
    visitor = identity.visitor_id(request)
    hit = tracking.Hit(**checked, profile=profile.pk if profile else None, visitor=visitor)
    tasks.record_pixel_hit.delay(asdict(hit))
    response = _pixel_answer(request, format, 200, "", found.allowed_origins)
    identity.remember(response, visitor=visitor)
    return response


def _pixel_body(request: HttpRequest) -> dict[str, str]:
    data = _json_object(request)
    pixel_data = data.pop("pixel_data", None)
    if type(data.get("value")) in (int, float):  # a JSON number; bool is refused below
        data["value"] = str(data["value"])
    params = _text_values(data)
    if pixel_data is not None:
        params["d"] = json.dumps(pixel_data)
    return params


def _pixel_answer(request, format: str, status: int, message: str, origins) -> HttpResponse:
    if format == "json":
        body = {"ok": True} if status == 200 else {"errors": {"__all__": [message]}}
        return _cors(request, JsonResponse(body, status=status), origins)
    return HttpResponse(GIF, status=status, content_type="image/gif")


@never_cache
@require_http_methods(["GET"])
def link(request: HttpRequest, token: str) -> HttpResponse:
    """A tracked link: record the click (and UTM, P12) and go on to its URL."""
    if len(token) > 4096:
        return HttpResponseBadRequest("This link is not valid.")
    try:
        _limit(request, "link")
        url = tracking.open_link(token, ip=ratelimit.client_address(request))
    except Refused as refused:
        return HttpResponse(refused.message, status=refused.status, content_type="text/plain")
    except signing.BadSignature:
        return HttpResponseBadRequest("This link is not valid.")
    return HttpResponseRedirect(url)
