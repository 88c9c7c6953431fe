"""D4 with a real broker: the GIF is answered before the hit is written, and a worker writes
it afterwards."""

import pytest
from django.test import Client

from history.models import Event
from tests.profiles.test_field_purge_worker import wait_until

from .factories import PixelFactory


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_records_the_hit_after_the_gif_is_answered(shop, celery_worker):
    pixel = PixelFactory(database=shop)
    answer = Client().get(f"/px/{pixel.pixel_id}.gif", {"goal": "signup"})
    written_before = Event.objects.filter(type="pixel").count()
    with celery_worker():
        done = wait_until(lambda: Event.objects.filter(type="pixel").exists())
    assert answer.status_code == 200 and written_before == 0
    assert done, "the worker did not record the hit in time"
    assert Event.objects.get(type="pixel").data["goal"] == "signup"
