"""PostgreSQL: drop the varchar_pattern_ops index Django adds beside a CharField primary key.
Idempotency keys are only ever matched exactly, and the index costs a quarter of the WAL of
claiming keys (bench/README.md). SQLite has no such index."""

from django.db import migrations

FIND = """
SELECT indexname FROM pg_indexes
WHERE tablename = 'history_eventkey' AND indexdef LIKE '%%varchar_pattern_ops%%'
"""


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(FIND)
        names = [row[0] for row in cursor.fetchall()]
    for name in names:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def restore(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS history_eventkey_key_like "
        "ON history_eventkey (key varchar_pattern_ops)"
    )


class Migration(migrations.Migration):
    dependencies = [("history", "0001_initial")]

    operations = [migrations.RunPython(drop, restore)]
