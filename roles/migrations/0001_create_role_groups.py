"""A2: the four staff role groups. Their permissions are set by `roles.sync.sync_roles` after
every migrate (post_migrate), when every app's permissions exist; see roles/definitions.py."""

from django.db import migrations

ROLE_NAMES = ["Marketer", "Analyst", "Market manager", "Administrator"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_NAMES:
        Group.objects.get_or_create(name=name)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_NAMES).delete()


class Migration(migrations.Migration):
    dependencies = [("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_groups, remove_groups)]
