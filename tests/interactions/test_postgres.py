"""What only PostgreSQL proves for interactions: the SQL view of segment memberships (I1)
for external tools, and the indexes the beat task and the block read."""

import pytest
from django.db import connection

from interactions.models import Participation
from interactions.services import segments
from tests.interactions.factories import SegmentFactory
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.postgres


def view_rows() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT segment_id, segment_name, database_id, profile_id, profile_md5, "
            "profile_xxh, profile_email FROM interactions_segment_members ORDER BY profile_id"
        )
        return cursor.fetchall()


def test_the_view_lists_memberships_as_they_change(shop):
    # given
    segment = SegmentFactory(database=shop, name="VIP")
    ann, bob = ProfileFactory(database=shop), ProfileFactory(database=shop)
    # when
    segments.add_to_segment(segment=segment, profile_ids=[ann.pk, bob.pk])
    segments.remove_from_segment(segment=segment, profile_ids=[bob.pk])
    # then
    assert view_rows() == [(segment.pk, "VIP", shop.pk, ann.pk, ann.md5, ann.xxh, ann.email)]


def test_due_participations_read_the_partial_index(db):
    due = Participation.objects.filter(status="active", next_run_at__lte="2030-01-01T00:00Z")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            plan = due.order_by("next_run_at").values("pk").explain()
        finally:
            cursor.execute("RESET enable_seqscan")
    assert "interactions_participation_due" in plan
