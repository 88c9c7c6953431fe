"""What the interactions app does when a profile is merged into another (P14): the loser's
memberships, relations, sends and participations go to the winner, without duplicates."""

from django.db import transaction
from django.db.models import Q

from ..models import Participation, Relation, SegmentMembership, TriggerSend


@transaction.atomic
def move_interactions(*, winner_id: int, loser_id: int) -> None:
    held = SegmentMembership.objects.filter(profile_id=winner_id).values("segment_id")
    SegmentMembership.objects.filter(profile_id=loser_id).exclude(segment_id__in=held).update(
        profile_id=winner_id
    )
    _move_relations(winner_id, loser_id)
    TriggerSend.objects.filter(profile_id=loser_id).update(profile_id=winner_id)
    running = Participation.objects.filter(profile_id=winner_id, status="active")
    Participation.objects.filter(profile_id=loser_id).exclude(
        status="active", scenario_id__in=running.values("scenario_id")
    ).update(profile_id=winner_id)


def _move_relations(winner_id: int, loser_id: int) -> None:
    """Repoint the loser's relations; drop those that would relate the winner to itself or
    repeat one it already has (the rest go with the loser's deletion)."""
    relations = Relation.objects.filter(Q(from_profile_id=loser_id) | Q(to_profile_id=loser_id))
    existing = set(
        Relation.objects.filter(
            Q(from_profile_id=winner_id) | Q(to_profile_id=winner_id)
        ).values_list("from_profile_id", "type", "to_profile_id")
    )
    for relation in relations:
        ends = [relation.from_profile_id, relation.to_profile_id]
        ends = [winner_id if end == loser_id else end for end in ends]
        key = (ends[0], relation.type, ends[1])
        if ends[0] == ends[1] or key in existing:
            continue
        existing.add(key)
        relation.from_profile_id, relation.to_profile_id = ends
        relation.save(update_fields=["from_profile", "to_profile"])
