"""PostgreSQL: indexes for quick search by name (P15), which matches a name by its lower-case
prefix (`LOWER(first_name) LIKE 'ann%'`). `text_pattern_ops` lets a btree serve LIKE whatever
the database's collation; without these a name search read every profile. SQLite: nothing."""

from django.db import migrations

INDEXES = {
    "profiles_profile_first_name_prefix": "LOWER(first_name) text_pattern_ops",
    "profiles_profile_last_name_prefix": "LOWER(last_name) text_pattern_ops",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON profiles_profile ({columns})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("profiles", "0008_drop_redundant_profile_indexes")]

    operations = [migrations.RunPython(create, drop)]
