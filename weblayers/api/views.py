"""Thin API views of form definitions (D2) and pixels (D4); the public endpoints themselves
are in `weblayers/views.py`."""

from rest_framework import viewsets

from .. import services
from ..models import Form, Pixel
from .serializers import FormSerializer, PixelSerializer

METHODS = ["get", "post", "patch", "delete", "head", "options"]


class FormViewSet(viewsets.ModelViewSet):
    queryset = Form.objects.all()
    serializer_class = FormSerializer
    filterset_fields = ["database", "slug"]
    http_method_names = METHODS

    def perform_create(self, serializer):
        serializer.instance = services.save_form(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.save_form(
            form=serializer.instance, **serializer.validated_data
        )


class PixelViewSet(viewsets.ModelViewSet):
    queryset = Pixel.objects.all()
    serializer_class = PixelSerializer
    filterset_fields = ["database"]
    http_method_names = METHODS
