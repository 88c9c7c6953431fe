from celery import shared_task
from django.contrib.auth import get_user_model

from . import bulk, services
from .models import ProfileDatabase


@shared_task(acks_late=True)
def purge_field(field_id: int) -> int:
    """Remove a deleted custom field's values from every profile (safe to retry)."""
    return services.purge_field(field_id=field_id)


@shared_task(acks_late=True)
def bulk_update_profiles(
    database_id: int, filters: dict, field: str, value, actor_id: int | None
) -> dict:
    """X5 for many profiles: set `field` on the profiles of the database matching `filters`.
    Safe to retry: profiles already holding the value are skipped."""
    database = ProfileDatabase.objects.get(pk=database_id)
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    result = bulk.update_matching_profiles(
        database=database, filters=filters, field=field, value=value, actor=actor
    )
    return {"matched": result.matched, "updated": result.updated}
