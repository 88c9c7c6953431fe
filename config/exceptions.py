"""The API's one exception handler: domain errors become DRF's 400/409 shape (API.md)."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
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


def api_exception_handler(exc, context):
    if isinstance(exc, InvalidInput):
        exc = exceptions.ValidationError(exc.errors)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, RequestDataTooBig):  # DATA_UPLOAD_MAX_MEMORY_SIZE, else a bare 400
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = {"detail": f"The request body is larger than {limit} bytes."}
        return Response(body, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    elif isinstance(exc, ProtectedError):
        return Response({"detail": str(exc.args[0])}, status=status.HTTP_409_CONFLICT)
    return exception_handler(exc, context)
