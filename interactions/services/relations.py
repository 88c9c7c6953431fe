"""P16 relations between profiles, added and removed by hand or API."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from config.exceptions import InvalidInput
from profiles.models import Profile

from ..models import Relation, slug_validator


@transaction.atomic
def add_relation(
    *, type: str, from_profile: Profile, to_profile: Profile, actor: AbstractBaseUser | None = None
) -> Relation:
    """Relate two distinct profiles with a slug type; the same relation twice is refused."""
    if not slug_validator.regex.match(type or ""):
        raise InvalidInput({"type": [slug_validator.message]})
    if from_profile.pk == to_profile.pk:
        raise InvalidInput({"to_profile": ["A profile cannot be related to itself."]})
    exists = Relation.objects.filter(from_profile=from_profile, type=type, to_profile=to_profile)
    if exists.exists():
        raise InvalidInput({"type": ["These profiles already have this relation."]})
    created_by = actor if actor is not None and actor.is_authenticated else None
    return Relation.objects.create(
        type=type, from_profile=from_profile, to_profile=to_profile, created_by=created_by
    )


@transaction.atomic
def delete_relation(*, relation: Relation) -> None:
    relation.delete()
