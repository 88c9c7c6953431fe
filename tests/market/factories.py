import factory
from django.utils import timezone

from market.models import Order, OrderLine, Product
from tests.profiles.factories import ProfileFactory


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n:04d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    price = 10


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    profile = factory.SubFactory(ProfileFactory)
    external_id = factory.Sequence(lambda n: f"ORD-{n:05d}")
    ordered_at = factory.LazyFunction(timezone.now)
    total = 20


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    product = factory.SubFactory(ProductFactory)
    quantity = 2
    price = 10
