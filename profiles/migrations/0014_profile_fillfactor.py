"""PostgreSQL: profiles_profile keeps a tenth of each heap page free (fillfactor 90).

Profiles are updated all the time (status, custom fields, an import's update path), and an
update's new row version stays on its page only if the page has room for it. On full pages
it went elsewhere, and VACUUM then left a freed slot on nearly every page of the table: the
next file import put its new profiles into those slots, one page each (100,000 rows over
39,000 pages of a million-profile table instead of 4,300), and ran at 0.81 of the rate of an
import into an empty database (docs/performance.md). With the room kept, updates stay on their
page and inserts go to the end of the table.

Applies to pages written from now on; `VACUUM FULL profiles_profile` rewrites the old ones."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE profiles_profile SET (fillfactor = 90)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE profiles_profile RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("profiles", "0013_digest_hash_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
