import factory

from interactions.models import Relation, Scenario, Segment, Trigger
from interactions.services import relations, scenarios, segments, triggers
from tests.profiles.factories import ProfileDatabaseFactory, ProfileFactory
from tests.subscriptions.factories import ResourceFactory


class SegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Segment

    database = factory.SubFactory(ProfileDatabaseFactory)
    name = factory.Sequence(lambda n: f"Segment {n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return segments.create_segment(**kwargs)


class TriggerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trigger

    name = factory.Sequence(lambda n: f"Trigger {n}")
    resource = factory.SubFactory(ResourceFactory)
    channel = "email"
    subject = "Hello {{ first_name }}"
    body = "Your tariff: {{ fields.tariff }}."

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return triggers.create_trigger(**kwargs)


class ScenarioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scenario

    name = factory.Sequence(lambda n: f"Scenario {n}")
    steps = factory.LazyFunction(lambda: [{"kind": "finish", "result": "done"}])

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return scenarios.save_scenario(**kwargs)


class RelationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relation

    type = "parent"
    from_profile = factory.SubFactory(ProfileFactory)
    to_profile = factory.SubFactory(ProfileFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return relations.add_relation(**kwargs)
