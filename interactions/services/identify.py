"""P14 identify: an anonymous visitor (a cookie id on pixel and form events) turns out to be
a profile. Its anonymous events are attached to the profile, and a contactless profile the
same visitor was identified as before is merged into it; calling again changes nothing."""

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from config.exceptions import InvalidInput
from history import services as history
from history.models import Event
from profiles import selectors
from profiles.contacts import normalize_phone, placeholder_email
from profiles.fields import Invalid
from profiles.merge import merge_profiles
from profiles.models import Profile, ProfileDatabase


@dataclass(frozen=True)
class Identified:
    profile: Profile
    attached: int  # anonymous events now the profile's
    merged: list[int] = field(default_factory=list)  # profiles merged into it


@transaction.atomic
def identify(
    *,
    visitor: str,
    database: ProfileDatabase,
    email: str = "",
    phone: str = "",
    profile_id: int | None = None,
    actor: AbstractBaseUser | None = None,
) -> Identified:
    profile = _find(database, email=email, phone=phone, profile_id=profile_id)
    attached = history.attach_visitor_events(
        visitor=visitor, profile_id=profile.pk, database_id=profile.database_id
    )
    merged = []
    for other in _earlier_profiles(visitor, profile):
        merge_profiles(winner=profile, loser=other, actor=actor)
        merged.append(other.pk)
    if merged:
        profile.refresh_from_db()
    return Identified(profile=profile, attached=attached, merged=merged)


def _find(database: ProfileDatabase, *, email: str, phone: str, profile_id: int | None):
    profiles = selectors.database_profiles(database)
    if profile_id is not None:
        found, key = profiles.filter(pk=profile_id).first(), "profile"
    elif email:
        found, key = selectors.with_email(profiles, email).first(), "email"
    elif phone:
        try:
            e164 = normalize_phone(phone)
        except Invalid as error:
            raise InvalidInput({"phone": [str(error)]}) from None
        found, key = profiles.filter(selectors.phone_query(e164)).first(), "phone"
    else:
        raise InvalidInput({"email": ["Give an email, a phone or a profile id."]})
    if found is None:
        raise InvalidInput({key: ["No profile of this database matches."]})
    return found


def _earlier_profiles(visitor: str, profile: Profile) -> list[Profile]:
    """Profiles of the same database this visitor's events already belong to that hold no
    contact of their own (placeholder email, no phone): the same person, seen earlier."""
    others = (
        Event.objects.filter(visitor=visitor, database_id=profile.database_id)
        .exclude(profile_id=profile.pk)
        .values("profile_id")
    )
    candidates = Profile.objects.filter(pk__in=others, phones=[])
    return [other for other in candidates if other.email == placeholder_email(other.pk)]
