"""Fill H3's message actions from the events already written (rerunnable: pairs already there
are kept)."""

from django.db import migrations

# The summary's event types as they were when this migration was written.
FILL = """
INSERT INTO history_messageaction (profile_id, channel, type)
SELECT DISTINCT profile_id, channel, type FROM history_event
WHERE profile_id IS NOT NULL AND type IN ('send', 'delivery', 'open', 'click', 'read', 'reply')
ON CONFLICT DO NOTHING
"""


def fill(apps, schema_editor):
    schema_editor.execute(FILL)


class Migration(migrations.Migration):
    dependencies = [("history", "0004_message_actions")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
