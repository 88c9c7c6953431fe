"""The API's one exception handler: domain errors become DRF's 400/409 shape (API.md)."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler


class InvalidInput(Exception):
    """Bad input found by a service, as the API's error shape: {"field": ["reason"]}, nested
    for custom fields ({"fields": {"tariff": ["reason"]}}). Django's ValidationError cannot
    nest, which is why this exists."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The site's 404: JSON under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
    return defaults.page_not_found(request, exception)


def api_exception_handler(exc, context):
    if isinstance(exc, InvalidInput):
        exc = exceptions.ValidationError(exc.errors)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, RequestDataTooBig):  # DATA_UPLOAD_MAX_MEMORY_SIZE, else a bare 400
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = {"detail": f"The request body is larger than {limit} bytes."}
        return Response(body, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):  # else Django's HTML 400
        return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    elif isinstance(exc, ProtectedError):
        return Response({"detail": str(exc.args[0])}, status=status.HTTP_409_CONFLICT)
    return exception_handler(exc, context)
