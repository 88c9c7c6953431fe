import factory

from subscriptions import services
from subscriptions.models import Resource, Subscription, Suppression
from tests.profiles.factories import ProfileFactory


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    name = factory.Sequence(lambda n: f"Resource {n}")
    channels = factory.LazyFunction(lambda: ["email", "sms", "push"])
    categories = factory.LazyFunction(lambda: ["news", "sales"])

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.create_resource(**kwargs)


class SubscriptionFactory(factory.django.DjangoModelFactory):
    """Goes through `add_subscription`, so priorities, limits and history are real."""

    class Meta:
        model = Subscription

    profile = factory.SubFactory(ProfileFactory)
    resource = factory.SubFactory(ResourceFactory)
    channel = "email"
    contact = factory.Sequence(lambda n: f"contact{n}@example.com")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.add_subscription(**kwargs)


class SuppressionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Suppression

    channel = "email"
    contact = factory.Sequence(lambda n: f"blocked{n}@example.com")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.suppress(**kwargs)
