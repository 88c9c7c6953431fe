"""I1 static segments: create, delete, add and remove profiles in bulk with their
`segment_entered` / `segment_exited` events."""

from collections.abc import Iterable, Iterator
from itertools import islice

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from config.exceptions import InvalidInput
from history import services as history
from history.models import EventType
from profiles.models import Profile, ProfileDatabase

from ..models import Segment, SegmentMembership

BATCH_SIZE = 5_000
OBJECT_TYPE = "interactions.segment"


@transaction.atomic
def create_segment(*, database: ProfileDatabase, name: str, description: str = "") -> Segment:
    name = name.strip()
    if not name:
        raise InvalidInput({"name": ["Enter a name."]})
    if Segment.objects.filter(database=database, name=name).exists():
        raise InvalidInput({"name": ["This database already has a segment with this name."]})
    return Segment.objects.create(database=database, name=name, description=description)


def check_new_segment_name(*, database: ProfileDatabase, name: str) -> str:
    """The stripped name, if no segment of the database has it ("" stays ""); for options
    that make a segment later, such as an import's (X1)."""
    name = name.strip()
    if name and Segment.objects.filter(database=database, name=name).exists():
        raise InvalidInput(
            {"segment_name": ["This database already has a segment with this name."]}
        )
    return name


@transaction.atomic
def segment_from_import(*, job) -> Segment | None:
    """X1: put the profiles an import created or updated into a new static segment, when the
    job names one and has none yet (so a rerun makes no second). A name taken meanwhile gets
    the import's number."""
    if not job.segment_name or job.segment_id:
        return None
    from imports.services import imported_profile_ids

    name = job.segment_name
    if Segment.objects.filter(database_id=job.database_id, name=name).exists():
        name = f"{name} (import #{job.pk})"
    segment = create_segment(
        database=job.database, name=name, description=f"The profiles of import #{job.pk}."
    )
    add_to_segment(
        segment=segment, profile_ids=imported_profile_ids(job), actor=job.created_by,
        source="import", check_database=False,
    )  # fmt: skip
    type(job).objects.filter(pk=job.pk).update(segment=segment)
    job.segment = segment
    return segment


@transaction.atomic
def update_segment(*, segment: Segment, name: str, description: str) -> Segment:
    name = name.strip()
    if not name:
        raise InvalidInput({"name": ["Enter a name."]})
    taken = Segment.objects.filter(database_id=segment.database_id, name=name)
    if taken.exclude(pk=segment.pk).exists():
        raise InvalidInput({"name": ["This database already has a segment with this name."]})
    segment.name, segment.description = name, description
    segment.save(update_fields=["name", "description"])
    return segment


@transaction.atomic
def delete_segment(*, segment: Segment) -> None:
    """Deletes the segment and its memberships; a scenario step using it keeps it (409)."""
    segment.delete()


def add_to_segment(
    *,
    segment: Segment,
    profile_ids: Iterable[int],
    actor: AbstractBaseUser | None = None,
    source: str = "manual",
    check_database: bool = True,
) -> int:
    """Add profiles (of the segment's database) that are not members yet, in batches, each
    with a `segment_entered` event; return how many entered. With `check_database`, a profile
    of another database (or none) is refused by id before anything is written."""
    entered = 0
    with transaction.atomic():
        for batch in _batches(profile_ids):
            if check_database:
                _check_profiles(segment, batch)
            entered += _add_batch(segment, batch, actor, source)
    return entered


def _add_batch(segment: Segment, batch: list[int], actor, source: str) -> int:
    members = SegmentMembership.objects.filter(segment=segment, profile_id__in=batch)
    new = sorted(set(batch) - set(members.values_list("profile_id", flat=True)))
    try:
        with transaction.atomic():
            SegmentMembership.objects.bulk_create(
                [SegmentMembership(segment=segment, profile_id=pk) for pk in new]
            )
    except IntegrityError:  # added meanwhile by someone else: only record what we added
        return _add_batch(segment, batch, actor, source)
    _record(segment, new, EventType.SEGMENT_ENTERED, actor, source)
    return len(new)


@transaction.atomic
def remove_from_segment(
    *,
    segment: Segment,
    profile_ids: Iterable[int],
    actor: AbstractBaseUser | None = None,
    source: str = "manual",
) -> int:
    """Remove members, each with a `segment_exited` event; non-members are ignored."""
    exited = 0
    for batch in _batches(profile_ids):
        members = SegmentMembership.objects.select_for_update().filter(
            segment=segment, profile_id__in=batch
        )
        gone = sorted(members.values_list("profile_id", flat=True))
        SegmentMembership.objects.filter(segment=segment, profile_id__in=gone).delete()
        _record(segment, gone, EventType.SEGMENT_EXITED, actor, source)
        exited += len(gone)
    return exited


def _check_profiles(segment: Segment, batch: list[int]) -> None:
    found = set(
        Profile.objects.filter(pk__in=batch, database_id=segment.database_id).values_list(
            "id", flat=True
        )
    )
    missing = sorted(set(batch) - found)
    if missing:
        shown = ", ".join(str(pk) for pk in missing[:20])
        raise InvalidInput({"profiles": [f"No profile of this segment's database has id {shown}."]})


def _record(segment: Segment, profile_ids: list[int], type: EventType, actor, source: str):
    now = timezone.now()
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    history.record_many(
        [
            history.EventDraft(
                type=type,
                ts=now,
                profile_id=pk,
                database_id=segment.database_id,
                object_type=OBJECT_TYPE,
                object_id=segment.pk,
                actor_id=actor_id,
                data={"segment": segment.name, "source": source},
            )  # fmt: skip
            for pk in profile_ids
        ]
    )


def _batches(ids: Iterable[int]) -> Iterator[list[int]]:
    iterator = iter(ids)
    while batch := list(islice(iterator, BATCH_SIZE)):
        yield batch
