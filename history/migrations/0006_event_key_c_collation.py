"""PostgreSQL: idempotency keys compared byte by byte (COLLATE "C"). Keys are only ever
compared for equality, which no collation changes; the database's linguistic collation
made every comparison of the primary key's btree a strcoll() call, the bulk of the cost of a
keyed event (issue 10: `record_many` with keys at 0.15-0.18 of a bare COPY against the
target of 0.30). Rebuilds the primary key. The model keeps no collation, which SQLite would
refuse; a later AlterField of `key` must keep this."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'ALTER TABLE history_eventkey ALTER COLUMN key TYPE varchar(200) COLLATE "C"'
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'ALTER TABLE history_eventkey ALTER COLUMN key TYPE varchar(200) COLLATE "default"'
        )


class Migration(migrations.Migration):
    dependencies = [("history", "0005_fill_message_actions")]

    operations = [migrations.RunPython(forwards, backwards)]
