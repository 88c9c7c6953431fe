"""Reads of the interactions app, shared by the API, the admin and the profile page block."""

from django.db.models import Count, Q, QuerySet

from profiles.models import Profile, ProfileDatabase

from .models import (
    Participation,
    Relation,
    Scenario,
    Segment,
    SegmentMembership,
    Trigger,
    TriggerSend,
)

BLOCK_LATEST = 10


def segments_with_counts() -> QuerySet[Segment]:
    return Segment.objects.annotate(members=Count("memberships"))


def segment_members(segment: Segment) -> QuerySet[SegmentMembership]:
    return (
        SegmentMembership.objects.filter(segment=segment)
        .select_related("profile")
        .only("id", "profile_id", "added_at", "profile__email")
    )


def scenarios_with_steps() -> QuerySet[Scenario]:
    return Scenario.objects.prefetch_related("steps")


def profile_relations(profile_id: int) -> QuerySet[Relation]:
    return Relation.objects.filter(Q(from_profile_id=profile_id) | Q(to_profile_id=profile_id))


def profile_interactions(profile: Profile) -> dict:
    """The Interactions block of the profile page: the profile's segments, the segments of
    its database it may join, active triggers with its latest sends, active scenarios with
    its latest participations, and its relations. Seven queries whatever the profile."""
    memberships = list(SegmentMembership.objects.filter(profile=profile).select_related("segment"))
    member_of = {membership.segment_id for membership in memberships}
    return {
        "memberships": memberships,
        "other_segments": [
            segment
            for segment in Segment.objects.filter(database_id=profile.database_id)
            if segment.pk not in member_of
        ],
        "triggers": list(Trigger.objects.filter(is_active=True).select_related("resource")),
        "sends": list(
            TriggerSend.objects.filter(profile=profile).select_related("trigger")[:BLOCK_LATEST]
        ),
        "scenarios": list(Scenario.objects.filter(is_active=True)),
        "participations": list(
            Participation.objects.filter(profile=profile).select_related("scenario")[:BLOCK_LATEST]
        ),
        "relations": list(
            profile_relations(profile.pk).select_related("from_profile", "to_profile")[
                :BLOCK_LATEST
            ]
        ),
    }


def segment_choices(database: ProfileDatabase) -> list[tuple[int, str]]:
    """The database's segments for the profile list's segment filter (issue 6)."""
    return list(
        Segment.objects.filter(database=database).order_by("name").values_list("id", "name")
    )


def in_segment(profiles: QuerySet[Profile], segment_id: int) -> QuerySet[Profile]:
    """`profiles` narrowed to the members of one segment (a semi-join on the membership's
    (segment, profile) unique index)."""
    members = SegmentMembership.objects.filter(segment_id=segment_id).values("profile_id")
    return profiles.filter(pk__in=members)
