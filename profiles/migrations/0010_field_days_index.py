"""PostgreSQL: the `field:value` search of a date field by a bare day (P15) served by a GIN
index, as every other custom field search is. A date field holds days ("2019-03-04") and
date-times ("2019-03-04T10:00:00Z", UTC); a day finds both. The day is found through the GIN
index on `fields`; the date-times on that day through this second one, on the day of each
date-time value (`profiles_days_of_times(fields)`: {"signed_up": "2019-03-04", ...}), where
before a `LIKE '2019-03-04T%'` read every profile (issue 10). Profiles holding no date-time
have no entry in it. SQLite keeps the LIKE."""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION profiles_days_of_times(fields jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(jsonb_object_agg(key, left(value #>> '{}', 10)), '{}'::jsonb)
    FROM jsonb_each(fields)
    WHERE jsonb_typeof(value) = 'string' AND (value #>> '{}') ~ '^\d{4}-\d{2}-\d{2}T'
$$
"""
INDEX = """
CREATE INDEX IF NOT EXISTS profiles_profile_field_days_gin
ON profiles_profile USING gin (profiles_days_of_times(fields) jsonb_path_ops)
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)
        schema_editor.execute(INDEX)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS profiles_profile_field_days_gin")
        schema_editor.execute("DROP FUNCTION IF EXISTS profiles_days_of_times(jsonb)")


class Migration(migrations.Migration):
    dependencies = [("profiles", "0009_name_prefix_indexes")]

    operations = [migrations.RunPython(create, drop)]
