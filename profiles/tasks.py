from celery import shared_task

from . import services


@shared_task(acks_late=True)
def purge_field(field_id: int) -> int:
    """Remove a deleted custom field's values from every profile (safe to retry)."""
    return services.purge_field(field_id=field_id)
