"""A3: who did what to which object, when and from which IP, written by `record_action`
from the services, whatever edge (API, admin, command, task) called them."""

import json

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from rest_framework.test import APIClient

from audit.models import Action, AuditEntry
from audit.services import record_action
from config.exceptions import InvalidInput
from imports import services as imports
from imports import undo
from profiles import services as profiles
from tests.conftest import grant
from tests.profiles.factories import ProfileFactory, UserFactory

from .factories import AuditEntryFactory

pytestmark = pytest.mark.django_db


def client_for(user, **extra) -> APIClient:
    client = APIClient(**extra)
    client.force_authenticate(user)
    return client


def only_entry(**filters) -> AuditEntry:
    entries = list(AuditEntry.objects.filter(**filters))
    assert len(entries) == 1, entries
    return entries[0]


def test_deleting_a_profile_journals_who_and_from_where_without_personal_data(marketer, shop):
    # given
    grant(marketer, "delete_profile")
    ann = ProfileFactory(database=shop, email="ann@example.com", first_name="Ann", phones=[])
    client = client_for(marketer, REMOTE_ADDR="203.0.113.7")
    # when
    answer = client.delete(f"/api/v1/profiles/{ann.pk}/")
    # then
    assert answer.status_code == 204
    entry = only_entry(action=Action.DELETE)
    assert (entry.actor, entry.actor_name, entry.ip) == (marketer, "marketer", "203.0.113.7")
    assert (entry.target_type, entry.target_id) == ("profiles.profile", str(ann.pk))
    assert entry.changes == {"database": shop.pk}
    assert "ann" not in json.dumps(entry.changes).lower()


def test_a_change_names_the_changed_fields_but_keeps_no_values(api, marketer, shop):
    # given
    ann = ProfileFactory(database=shop, email="ann@example.com", fields={"age": 30})
    # when
    body = {"first_name": "Annabel", "fields": {"age": 31, "tariff": "pro"}}
    answer = api.patch(f"/api/v1/profiles/{ann.pk}/", body, format="json")
    # then
    assert answer.status_code == 200, answer.json()
    entry = only_entry(action=Action.CHANGE, target_type="profiles.profile")
    assert entry.changes == {"fields": ["first_name", "fields.age", "fields.tariff"]}
    assert entry.actor == marketer
    assert "Annabel" not in json.dumps(entry.changes)


def test_a_refused_change_leaves_no_entry(shop):
    # given
    ProfileFactory(database=shop, email="bob@example.com")
    ann = ProfileFactory(database=shop, email="ann@example.com")
    # when
    with pytest.raises(InvalidInput):
        profiles.update_profile(profile=ann, values={"email": "bob@example.com"})
    # then
    assert not AuditEntry.objects.filter(action=Action.CHANGE).exists()


def test_an_entry_is_rolled_back_with_its_transaction(db):
    # when
    with pytest.raises(RuntimeError), transaction.atomic():
        record_action(action=Action.EXPORT, target_type="profiles.profile")
        raise RuntimeError("the export failed")
    # then
    assert not AuditEntry.objects.exists()


def test_exports_are_journaled_when_asked_for(api, exporter, shop):
    # given
    ann = ProfileFactory(database=shop)
    # when
    database_export = api.get(f"/api/v1/databases/{shop.pk}/profiles/export/?format=csv")
    personal_export = api.get(f"/api/v1/profiles/{ann.pk}/export/")
    # then
    assert (database_export.status_code, personal_export.status_code) == (200, 200)
    exports = AuditEntry.objects.filter(action=Action.EXPORT, actor=exporter).order_by("id")
    assert [(e.target_type, e.target_id, e.changes) for e in exports] == [
        ("profiles.profiledatabase", str(shop.pk), {"format": "csv"}),
        ("profiles.profile", str(ann.pk), {"format": "json"}),
    ]


def test_history_exports_are_journaled_against_their_profile(admin_client, shop):
    # given
    ann = ProfileFactory(database=shop)
    # when
    answer = admin_client.get(f"/api/v1/profiles/{ann.pk}/history/export/")
    # then
    assert answer.status_code == 200
    b"".join(answer.streaming_content)
    entry = only_entry(action=Action.EXPORT)
    assert (entry.target_type, entry.target_id, entry.changes) == (
        "profiles.profile", str(ann.pk), {"what": "history"},
    )  # fmt: skip
    assert entry.actor.username == "admin"


def test_a_bulk_update_is_one_entry_with_counts(api, shop):
    # given
    ProfileFactory.create_batch(3, database=shop)
    # when
    url = f"/api/v1/databases/{shop.pk}/profiles/bulk-update/"
    body = {"filter": {}, "field": "first_name", "value": "Same"}
    answer = api.post(url, body, format="json")
    # then
    assert answer.status_code == 200, answer.json()
    entry = only_entry(action=Action.BULK_UPDATE)
    assert entry.changes == {"field": "first_name", "matched": 3, "updated": 3}


def test_a_file_import_journals_its_start_finish_and_undo_as_its_uploader(shop):
    # given
    uploader = UserFactory(username="uploader")
    text = "email,first_name\nann@example.com,Ann\nbob@example.com,Bob\n"
    job = imports.upload_file(
        database=shop, file=ContentFile(text.encode(), name="people.csv"), actor=uploader
    )
    imports.configure_import(job=job, mapping=["email", "first_name"])
    # when
    imports.run_import(job_id=job.pk)
    undo.undo_import(job=job, actor=uploader)
    # then
    entries = AuditEntry.objects.filter(target_type="imports.importjob").order_by("id")
    assert [e.action for e in entries] == [
        Action.IMPORT_STARTED,
        Action.IMPORT_FINISHED,
        Action.IMPORT_UNDONE,
    ]
    assert {e.actor_name for e in entries} == {"uploader"}
    assert entries[1].changes["created"] == 2
    assert entries[2].changes["deleted"] == 2
    deletion = only_entry(action=Action.DELETE, target_type="profiles.profile")
    assert deletion.changes["count"] == 2 and "ann" not in json.dumps(deletion.changes)


def test_an_api_import_is_one_entry(api, shop):
    # when
    url = f"/api/v1/databases/{shop.pk}/profiles/import/"
    answer = api.post(url, {"profiles": [{"email": "ann@example.com"}]}, format="json")
    # then
    assert answer.status_code == 200, answer.json()
    entry = only_entry(target_type="imports.importjob")
    assert (entry.action, entry.changes["created"], entry.actor_name) == (
        Action.IMPORT_FINISHED, 1, "marketer",
    )  # fmt: skip


def test_the_client_ip_is_the_proxy_appended_address_only_behind_a_proxy(marketer, shop, settings):
    # given
    grant(marketer, "delete_profile")
    first, second = ProfileFactory.create_batch(2, database=shop)
    headers = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 198.51.100.9"}
    client = client_for(marketer, **headers)
    # when
    client.delete(f"/api/v1/profiles/{first.pk}/")
    settings.BEHIND_PROXY = True
    client.delete(f"/api/v1/profiles/{second.pk}/")
    # then
    entries = AuditEntry.objects.filter(action=Action.DELETE).order_by("id")
    assert [entry.ip for entry in entries] == ["10.0.0.2", "198.51.100.9"]


def test_outside_a_request_there_is_no_actor_or_ip(shop):
    # when
    profiles.create_database(name="Offline")
    # then
    entry = only_entry(action=Action.CREATE, target_type="profiles.profiledatabase")
    assert (entry.actor, entry.actor_name, entry.ip) == (None, "", None)


def test_the_admin_journal_is_filterable_and_read_only(admin_client):
    # given
    AuditEntryFactory(action=Action.DELETE, target_type="profiles.profile", target_id="17")
    AuditEntryFactory(action=Action.EXPORT, target_type="profiles.profiledatabase")
    url = "/admin/audit/auditentry/"
    # when
    filtered = admin_client.get(url, {"action": "delete", "target_type": "profiles.profile"})
    add_page = admin_client.get(url + "add/")
    # then
    assert filtered.status_code == 200
    assert [entry.target_id for entry in filtered.context["cl"].result_list] == ["17"]
    assert add_page.status_code == 403


def test_the_journal_needs_its_view_permission(client, marketer):
    # given
    client.force_login(marketer)
    # when
    answer = client.get("/admin/audit/auditentry/")
    # then
    assert answer.status_code == 403
