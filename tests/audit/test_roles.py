"""A2: the staff roles are groups whose permissions follow `roles.definitions.ROLES`, and the
API, the admin and the pages all obey those same model permissions."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.sql import emit_post_migrate_signal
from rest_framework.test import APIClient

from roles.definitions import ROLES
from roles.sync import sync_roles
from tests.profiles.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


def member_of(role: str, **attributes):
    user = UserFactory(username=role.lower().replace(" ", "_"), is_staff=True, **attributes)
    user.groups.add(Group.objects.get(name=role))
    return user


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def perms(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def test_migrate_makes_the_four_roles():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES) == {
        "Marketer", "Analyst", "Market manager", "Administrator"
    }  # fmt: skip


def test_deleting_and_exporting_profiles_are_rights_of_their_own():
    marketer, analyst, admin = perms("Marketer"), perms("Analyst"), perms("Administrator")
    assert {"profiles.add_profile", "profiles.change_profile", "imports.add_importjob"} <= marketer
    assert not {"profiles.delete_profile", "profiles.export_profile"} & (marketer | analyst)
    assert {"profiles.delete_profile", "profiles.export_profile", "audit.view_auditentry"} <= admin


def test_the_analyst_only_reads():
    analyst = perms("Analyst")
    assert "profiles.view_profile" in analyst
    assert all(label.split(".")[1].startswith("view_") for label in analyst)
    assert not any(label.startswith(("market.", "audit.", "auth.")) for label in analyst)


def test_permissions_of_an_app_merged_later_join_the_right_groups_on_migrate():
    # given a permission that appears after the roles migration ran (as market's do)
    order, _ = ContentType.objects.get_or_create(app_label="market", model="order")
    view_order, _ = Permission.objects.get_or_create(
        content_type=order, codename="view_order", defaults={"name": "Can view order"}
    )
    view_order.group_set.clear()
    # when migrate finishes (post_migrate)
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    # then
    assert "market.view_order" in perms("Market manager")
    assert "market.view_order" in perms("Administrator")
    assert "market.view_order" not in perms("Marketer") | perms("Analyst")


def test_a_permission_given_by_hand_to_a_role_is_taken_back_by_the_sync():
    # given
    analyst = Group.objects.get(name="Analyst")
    analyst.permissions.add(Permission.objects.get(codename="delete_profile"))
    # when
    sync_roles()
    # then
    assert "profiles.delete_profile" not in perms("Analyst")


def test_the_api_obeys_each_role(shop):
    # given
    ann = ProfileFactory(database=shop)
    analyst, marketer = api_for(member_of("Analyst")), api_for(member_of("Marketer"))
    manager, admin = api_for(member_of("Market manager")), api_for(member_of("Administrator"))
    profile_url, export_url = f"/api/v1/profiles/{ann.pk}/", f"/api/v1/profiles/{ann.pk}/export/"
    # when / then: reading
    assert analyst.get("/api/v1/databases/").status_code == 200
    assert manager.get(profile_url).status_code == 200
    assert manager.get("/api/v1/resources/").status_code == 403
    # writing
    assert analyst.post("/api/v1/databases/", {"name": "X"}, format="json").status_code == 403
    assert analyst.patch(profile_url, {"first_name": "A"}, format="json").status_code == 403
    assert marketer.patch(profile_url, {"first_name": "A"}, format="json").status_code == 200
    # exporting personal data and deleting: their own rights
    assert marketer.get(export_url).status_code == 403
    assert marketer.delete(profile_url).status_code == 403
    assert admin.get(export_url).status_code == 200
    assert admin.delete(profile_url).status_code == 204


def test_the_admin_obeys_each_role(client, shop):
    # given
    ann = ProfileFactory(database=shop)
    change_url = f"/admin/profiles/profile/{ann.pk}/change/"
    delete_url = f"/admin/profiles/profile/{ann.pk}/delete/"
    # when / then
    client.force_login(member_of("Analyst"))
    assert client.get("/admin/profiles/profile/").status_code == 200
    assert client.get("/admin/profiles/profile/add/").status_code == 403
    assert client.get("/admin/audit/auditentry/").status_code == 403
    client.force_login(member_of("Marketer"))
    assert client.get(change_url).status_code == 200
    assert client.get(delete_url).status_code == 403
    client.force_login(member_of("Administrator"))
    assert client.get(delete_url).status_code == 200
    assert client.get("/admin/audit/auditentry/").status_code == 200
