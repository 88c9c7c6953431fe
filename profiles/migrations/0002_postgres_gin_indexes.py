"""GIN indexes on PostgreSQL for custom field search (`fields @> ...`) and phone lookups
(`phones @> [...]`). SQLite has no GIN, so there this migration does nothing."""

from django.db import migrations

INDEXES = {
    # search_profiles(`name:value`), import matching on custom fields
    "profiles_profile_fields_gin": "fields jsonb_path_ops",
    # the `phone` filter, quick search and import matching by phone
    "profiles_profile_phones_gin": "phones jsonb_path_ops",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON profiles_profile USING gin ({columns})"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("profiles", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
