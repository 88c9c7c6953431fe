import factory

from audit.models import Action, AuditEntry
from audit.services import record_action


class AuditEntryFactory(factory.django.DjangoModelFactory):
    """Goes through `record_action`, the journal's one writer."""

    class Meta:
        model = AuditEntry

    action = Action.CHANGE
    target_type = "profiles.profile"
    target_id = factory.Sequence(str)
    changes = factory.LazyFunction(dict)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return record_action(**kwargs)
