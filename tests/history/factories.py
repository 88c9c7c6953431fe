import factory
from django.utils import timezone

from history.models import Event, EventType
from tests.profiles.factories import ProfileFactory


class EventFactory(factory.django.DjangoModelFactory):
    """A raw event row. Tests of the writer itself go through `history.services`."""

    class Meta:
        model = Event

    profile = factory.SubFactory(ProfileFactory)
    database_id = factory.LazyAttribute(lambda event: event.profile.database_id)
    type = EventType.OPEN
    channel = "email"
    ts = factory.LazyFunction(timezone.now)
    data = factory.Dict({})
