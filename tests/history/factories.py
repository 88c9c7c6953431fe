import factory
from django.utils import timezone

from history.models import SUMMARY_TYPES, Event, EventType, MessageAction
from tests.profiles.factories import ProfileFactory


class EventFactory(factory.django.DjangoModelFactory):
    """A raw event row, with the H3 summary row the writer would keep. Tests of the writer
    itself go through `history.services`."""

    class Meta:
        model = Event

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        event = super()._create(model_class, *args, **kwargs)
        if event.profile_id is not None and str(event.type) in SUMMARY_TYPES:
            MessageAction.objects.get_or_create(
                profile_id=event.profile_id, channel=event.channel, type=str(event.type)
            )
        return event

    profile = factory.SubFactory(ProfileFactory)
    database_id = factory.LazyAttribute(lambda event: event.profile.database_id)
    type = EventType.OPEN
    channel = "email"
    ts = factory.LazyFunction(timezone.now)
    data = factory.Dict({})
