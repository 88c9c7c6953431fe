"""Deleting a custom field: the field hides at once and a task removes its values in batches."""

import time
from collections.abc import Callable

import pytest

from profiles import services, storage
from profiles.models import CustomField
from tests.conftest import grant
from tests.profiles.factories import CustomFieldFactory, ProfileDatabaseFactory, ProfileFactory

PURGE_TIMEOUT_SECONDS = 20


def wait_until(condition: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + PURGE_TIMEOUT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_worker_purges_a_deleted_field_whose_name_stays_taken_until_then(
    shop, api, marketer, celery_worker
):
    # given
    grant(marketer, "delete_customfield")
    for _ in range(3):
        ProfileFactory(database=shop, fields={"tariff": "pro", "age": 30})
    url = f"/api/v1/databases/{shop.pk}/fields/"

    # when: deleted while no worker runs, so the purge is still pending
    deleted = api.delete(f"{url}tariff/")
    recreated_while_pending = api.post(url, {"name": "tariff", "type": "line"}, format="json")
    with celery_worker():
        purged = wait_until(lambda: not CustomField.all_objects.filter(name="tariff").exists())

    # then
    assert deleted.status_code == 204
    assert recreated_while_pending.status_code == 400
    assert recreated_while_pending.data == {
        "name": ["A field of this name is being deleted; try again shortly."]
    }
    assert purged, f"the worker did not purge the field within {PURGE_TIMEOUT_SECONDS} s"
    assert list(shop.profiles.values_list("fields", flat=True)) == [{"age": 30}] * 3
    assert api.post(url, {"name": "tariff", "type": "line"}, format="json").status_code == 201


def test_purge_removes_the_values_in_batches_and_nothing_else(shop, monkeypatch):
    # given
    monkeypatch.setattr(services, "PURGE_BATCH_SIZE", 2)
    batches = []
    remove_values_batch = storage.remove_values_batch

    def counted_batch(**kwargs):
        batches.append(remove_values_batch(**kwargs))
        return batches[-1]

    monkeypatch.setattr(storage, "remove_values_batch", counted_batch)
    other_database = ProfileDatabaseFactory()
    CustomFieldFactory(database=other_database, name="tariff", type="line")
    for _ in range(5):
        ProfileFactory(database=shop, fields={"tariff": "pro", "age": 40})
    ProfileFactory(database=shop, fields={"age": 41})
    ProfileFactory(database=other_database, fields={"tariff": "gold"})
    field = CustomField.objects.get(database=shop, name="tariff")
    services.delete_field(field=field)

    # when
    removed = services.purge_field(field_id=field.pk)

    # then
    assert (removed, batches) == (5, [2, 2, 1])
    assert list(shop.profiles.values_list("fields", flat=True)) == [{"age": 40}] * 5 + [{"age": 41}]
    assert list(other_database.profiles.values_list("fields", flat=True)) == [{"tariff": "gold"}]
    assert not CustomField.all_objects.filter(pk=field.pk).exists()
    assert CustomField.objects.filter(database=other_database, name="tariff").exists()
