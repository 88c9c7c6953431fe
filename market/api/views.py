"""Thin API views of the Market (D3): products, orders (read with `market.view_order`) and
the batch import of orders (with `market.add_order`)."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import selectors, services
from ..models import Order, Product
from .serializers import (
    OrderBatchInput,
    OrderImportAnswer,
    OrderInput,
    OrderSerializer,
    ProductSerializer,
)


class ProductViewSet(viewsets.ModelViewSet):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    filterset_fields = ["sku", "is_active"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.create_product(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_product(
            product=serializer.instance, **serializer.validated_data
        )


class OrderFilter(django_filters.FilterSet):
    class Meta:
        model = Order
        fields = ["profile", "status", "external_id"]


class OrderViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Order.objects.all()
    serializer_class = OrderSerializer
    filterset_class = OrderFilter

    def get_queryset(self):
        return selectors.orders()

    @extend_schema(
        summary="Upsert up to 1,000 orders by external_id (D3)",
        request=OrderBatchInput,
        responses={200: OrderImportAnswer},
    )
    @action(detail=False, methods=["post"], url_path="import")
    def import_(self, request):
        batch = OrderBatchInput(data=request.data)
        batch.is_valid(raise_exception=True)
        valid, positions, shape_errors = [], [], []
        for index, item in enumerate(batch.validated_data["orders"]):
            payload = OrderInput(data=item)
            if payload.is_valid():
                valid.append(payload.validated_data)
                positions.append(index)
            else:
                shape_errors.append(
                    {"index": index, "result": "error", "id": None, "errors": payload.errors}
                )
        report = services.import_orders(orders=valid, actor=request.user)
        results = [{**row, "index": positions[row["index"]]} for row in report.results]
        results = sorted(results + shape_errors, key=lambda row: row["index"])
        answer = {
            "created": report.created,
            "updated": report.updated,
            "failed": report.failed + len(shape_errors),
            "results": results,
        }
        return Response(OrderImportAnswer(answer).data)
