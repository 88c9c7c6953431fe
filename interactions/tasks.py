"""Celery tasks of the interactions app: thin wrappers that call services."""

from celery import shared_task

from .services import scenarios, triggers


@shared_task(acks_late=True)
def deliver_trigger_sends(send_ids: list[int]) -> None:
    for send_id in send_ids:
        triggers.deliver(send_id=send_id)


@shared_task
def requeue_waiting_sends() -> int:
    return triggers.requeue_waiting_sends()


@shared_task
def launch_triggers() -> int:
    return triggers.launch_triggers()


@shared_task
def advance_scenarios(ids: list[int] | None = None) -> int:
    return scenarios.advance_due(ids=ids)
