from celery import shared_task

from . import services


@shared_task
def ensure_partitions() -> list[str]:
    """Daily: keep the monthly event partitions made ahead (PostgreSQL)."""
    return services.ensure_partitions()
