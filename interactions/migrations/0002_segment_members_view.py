"""I1: a read-only SQL view of static segment memberships for external tools (BI, SQL
clients), documented in docs/segments-view.md. PostgreSQL only: SQLite is for development
and keeps no view."""

from django.db import migrations

VIEW = "interactions_segment_members"

CREATE = f"""
CREATE VIEW {VIEW} AS
SELECT m.segment_id,
       s.name AS segment_name,
       s.database_id,
       m.profile_id,
       p.md5 AS profile_md5,
       p.xxh AS profile_xxh,
       p.email AS profile_email,
       m.added_at
FROM interactions_segmentmembership m
JOIN interactions_segment s ON s.id = m.segment_id
JOIN profiles_profile p ON p.id = m.profile_id
"""


def create_view(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_view(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP VIEW IF EXISTS {VIEW}")


class Migration(migrations.Migration):
    dependencies = [("interactions", "0001_segments_triggers_scenarios_relations")]

    operations = [migrations.RunPython(create_view, drop_view)]
