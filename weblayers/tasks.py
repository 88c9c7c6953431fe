from celery import shared_task

from . import tracking


@shared_task(ignore_result=True)
def record_pixel_hit(hit: dict) -> None:
    """Record one pixel hit checked by the public endpoint (D4)."""
    tracking.record_hit(tracking.Hit(**hit))
