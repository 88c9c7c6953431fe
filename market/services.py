"""Writes of the Market (D3): products, and orders imported by API in batches.

`import_orders` upserts up to MAX_BATCH orders by `external_id` in a fixed number of queries:
it resolves every profile and product of the batch at once, reports a bad item without
stopping the others, replaces the lines of orders it updates, and records one `order` event per
order written.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from history import services as history
from history.models import EventType
from profiles.models import Profile

from .models import Order, OrderLine, Product

MAX_BATCH = 1000


@transaction.atomic
def create_product(**values: Any) -> Product:
    if Product.objects.filter(sku=values["sku"]).exists():
        raise ValidationError({"sku": ["A product with this SKU already exists."]})
    return Product.objects.create(**values)


@transaction.atomic
def update_product(*, product: Product, **changes: Any) -> Product:
    if "sku" in changes and Product.objects.filter(sku=changes["sku"]).exclude(pk=product.pk):
        raise ValidationError({"sku": ["A product with this SKU already exists."]})
    for name, value in changes.items():
        setattr(product, name, value)
    product.save()
    return product


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    failed: int = 0
    results: list[dict] = field(default_factory=list)


@transaction.atomic
def import_orders(*, orders: Sequence[Mapping[str, Any]], actor=None) -> ImportReport:
    """Upsert orders given as {"external_id", "profile" | ("email", "database"), "status",
    "currency", "ordered_at", "lines": [{"sku", "quantity", "price"?}]} (shape already
    checked by the API). A line without a price takes the product's."""
    if len(orders) > MAX_BATCH:
        raise ValidationError({"orders": [f"At most {MAX_BATCH} orders per call."]})
    profiles = _profiles(orders)
    products = {p.sku: p for p in Product.objects.filter(sku__in=_skus(orders))}
    existing = {o.external_id: o for o in Order.objects.filter(external_id__in=_ids(orders))}
    report, seen, written = ImportReport(), set(), []
    for index, item in enumerate(orders):
        errors = _item_errors(item, profiles, products, seen)
        seen.add(item["external_id"])
        if errors:
            report.failed += 1
            report.results.append({"index": index, "result": "error", "id": None, "errors": errors})
            continue
        order = existing.get(item["external_id"]) or Order(external_id=item["external_id"])
        result = "updated" if order.pk else "created"
        setattr(report, result, getattr(report, result) + 1)
        _fill(order, item, _profile_for(item, profiles), products)
        written.append((index, result, order))
    _write(written)
    report.results += [
        {"index": index, "result": result, "id": order.pk, "errors": {}}
        for index, result, order in written
    ]
    report.results.sort(key=lambda row: row["index"])
    _record(written, actor)
    return report


def _profiles(orders) -> dict:
    """Profiles named in the batch, by id and by (database, lower-case email): one query."""
    ids = {item["profile"] for item in orders if item.get("profile")}
    emails = Q()
    for item in orders:
        if item.get("email"):
            emails |= Q(database_id=item.get("database"), email_lower=item["email"].lower())
    found = Profile.objects.annotate(email_lower=Lower("email")).filter(Q(pk__in=ids) | emails)
    by_key: dict = {}
    for profile in found.only("id", "database_id", "email"):
        by_key[profile.pk] = profile
        by_key[(profile.database_id, (profile.email or "").lower())] = profile
    return by_key


def _profile_for(item, profiles) -> Profile | None:
    if item.get("profile"):
        return profiles.get(item["profile"])
    return profiles.get((item.get("database"), (item.get("email") or "").lower()))


def _skus(orders) -> set[str]:
    return {line["sku"] for item in orders for line in item["lines"]}


def _ids(orders) -> set[str]:
    return {item["external_id"] for item in orders}


def _item_errors(item, profiles, products, seen) -> dict:
    errors: dict[str, list[str]] = {}
    if _profile_for(item, profiles) is None:
        errors["profile"] = ["No such profile."]
    unknown = sorted({line["sku"] for line in item["lines"]} - products.keys())
    if unknown:
        errors["lines"] = [f"Unknown SKU: {', '.join(unknown[:10])}."]
    if item["external_id"] in seen:
        errors["external_id"] = ["This order appears twice in the batch."]
    return errors


def _fill(order: Order, item, profile: Profile, products) -> None:
    order.profile = profile
    order.status = item.get("status", order.status)
    order.currency = item.get("currency") or order.currency
    order.ordered_at = item.get("ordered_at") or order.ordered_at or timezone.now()
    order._lines = [
        OrderLine(
            product=products[line["sku"]],
            quantity=line["quantity"],
            price=line["price"] if line.get("price") is not None else products[line["sku"]].price,
        )  # fmt: skip
        for line in item["lines"]
    ]
    order.total = sum((line.total for line in order._lines), Decimal(0))
    order.updated_at = timezone.now()


def _write(written) -> None:
    orders = [order for _, _, order in written]
    Order.objects.bulk_create([order for order in orders if order.pk is None])
    Order.objects.bulk_update(
        [order for _, result, order in written if result == "updated"],
        ["profile", "status", "currency", "total", "ordered_at", "updated_at"],
    )
    OrderLine.objects.filter(order__in=[o for _, r, o in written if r == "updated"]).delete()
    lines = []
    for order in orders:
        for line in order._lines:
            line.order = order
            lines.append(line)
    OrderLine.objects.bulk_create(lines, batch_size=2000)


def _record(written, actor) -> None:
    now = timezone.now()
    history.record_many([
        history.EventDraft(
            type=EventType.ORDER, ts=order.ordered_at or now, profile_id=order.profile.pk,
            database_id=order.profile.database_id, object_type="market.order", object_id=order.pk,
            actor_id=getattr(actor, "pk", None),
            data={"external_id": order.external_id, "status": order.status,
                  "total": str(order.total), "currency": order.currency, "result": result},
        )
        for _, result, order in written
    ])  # fmt: skip
