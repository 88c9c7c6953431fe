"""I2 trigger mailings: define them, queue a send (by hand, by API, from a scenario or
automatically on their event), and deliver it in a Celery task: delivery target (S3, with
the control group for marketing triggers, P13), rendering, the channel backend, and the
`send` / `delivery` / `trigger_sent` events."""

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from kombu.exceptions import KombuError

from config.exceptions import InvalidInput
from history import services as history
from history.models import Event, EventType
from profiles.models import Profile
from subscriptions.selectors import delivery_target

from .. import channels, rendering
from ..models import Trigger, TriggerCursor, TriggerSend

logger = logging.getLogger(__name__)
OBJECT_TYPE = "interactions.trigger"
LAUNCH_BATCH = 5_000
LOOKBACK_IDS = 10_000
WAITING_GRACE = timedelta(minutes=2)
REQUEUE_BATCH = 10_000
# Sends record these; a trigger launched by them could launch itself for ever.
SELF_MADE_EVENTS = (EventType.SEND, EventType.DELIVERY, EventType.TRIGGER_SENT)
TRIGGER_FIELDS = ("name", "resource", "channel", "subject", "body", "event_type", "is_marketing",
                  "is_active")  # fmt: skip


@transaction.atomic
def create_trigger(**attributes: Any) -> Trigger:
    trigger = Trigger(**attributes)
    _check(trigger)
    trigger.save()
    return trigger


@transaction.atomic
def update_trigger(*, trigger: Trigger, **changes: Any) -> Trigger:
    for name, value in changes.items():
        setattr(trigger, name, value)
    _check(trigger)
    trigger.save(update_fields=list(changes))
    return trigger


def _check(trigger: Trigger) -> None:
    errors: dict[str, list[str]] = {}
    if trigger.channel not in (trigger.resource.channels or []):
        errors["channel"] = [f"The resource {trigger.resource} has no {trigger.channel} channel."]
    for name in ("subject", "body"):
        unknown = rendering.unknown_placeholders(getattr(trigger, name))
        if unknown:
            errors[name] = [f"Unknown placeholder {{{{ {unknown[0]} }}}}."]
    if trigger.event_type in SELF_MADE_EVENTS:
        errors["event_type"] = ["A trigger cannot be launched by the events sends make."]
    taken = Trigger.objects.filter(name=trigger.name).exclude(pk=trigger.pk)
    if taken.exists():
        errors["name"] = ["A trigger with this name already exists."]
    if errors:
        raise InvalidInput(errors)


@transaction.atomic
def send_trigger(
    *, trigger: Trigger, profile: Profile, actor: AbstractBaseUser | None = None
) -> TriggerSend:
    """Queue one send of the trigger to the profile; it is delivered after commit."""
    if not trigger.is_active:
        raise InvalidInput({"trigger": ["This trigger is switched off."]})
    send = TriggerSend.objects.create(
        trigger=trigger, profile=profile,
        actor=actor if actor is not None and actor.is_authenticated else None,
    )  # fmt: skip
    _enqueue([send.pk])
    return send


def _enqueue(send_ids: list[int]) -> None:
    transaction.on_commit(lambda: _queue(send_ids))


def _queue(send_ids: list[int]) -> None:
    """Hand the sends to a worker. With the task queue unreachable they stay queued, say so,
    and `requeue_waiting_sends` (beat) hands them over once it is back."""
    from .. import tasks

    try:
        tasks.deliver_trigger_sends.delay(send_ids)
    except KombuError as error:
        logger.warning("Trigger sends %s not queued: %s", send_ids, error)
        TriggerSend.objects.filter(pk__in=send_ids, status=TriggerSend.Status.QUEUED).update(
            reason=f"Waiting: the task queue was unreachable ({error})."[:500]
        )


def requeue_waiting_sends(*, older_than: timedelta = WAITING_GRACE) -> int:
    """Queue again the sends queued more than `older_than` ago and still not handled (the
    queue was down, or a worker died with them); `deliver` skips any already handled, so a
    send is never delivered twice by this. Returns how many were queued."""
    waiting = TriggerSend.objects.filter(
        status=TriggerSend.Status.QUEUED, created_at__lt=timezone.now() - older_than
    )
    ids = list(waiting.order_by("created_at").values_list("id", flat=True)[:REQUEUE_BATCH])
    for start in range(0, len(ids), 100):
        _queue(ids[start : start + 100])
    return len(ids)


@transaction.atomic
def deliver(*, send_id: int) -> TriggerSend:
    """Deliver one queued send; a send already handled is left alone, so a retried task
    never sends twice. No target is recorded with its reason, never skipped silently."""
    send = TriggerSend.objects.select_for_update().select_related("trigger__resource", "profile")
    send = send.get(pk=send_id)
    if send.status != TriggerSend.Status.QUEUED:
        return send
    trigger, profile = send.trigger, send.profile
    target = delivery_target(
        profile=profile, resource=trigger.resource, channel=trigger.channel,
        marketing=trigger.is_marketing,
    )  # fmt: skip
    if target.subscription is None:
        return _finish(send, TriggerSend.Status.NO_TARGET, target.reason)
    send.contact = target.contact
    message = channels.OutgoingMessage(
        channel=trigger.channel, contact=target.contact, send_id=send.pk,
        subject=" ".join(rendering.render(trigger.subject, profile).splitlines()),
        body=rendering.render(trigger.body, profile),
    )  # fmt: skip
    _event(send, EventType.SEND, subscription_id=target.subscription.pk)
    try:
        channels.backend_for(trigger.channel).send(message)
    except channels.DeliveryFailed as error:
        return _finish(send, TriggerSend.Status.FAILED, str(error))
    except Exception as error:  # a broken backend fails this send, not the others queued
        logger.exception("Channel backend for %s failed on send %s", trigger.channel, send.pk)
        return _finish(send, TriggerSend.Status.FAILED, f"backend error: {error}")
    _event(send, EventType.DELIVERY, subscription_id=target.subscription.pk)
    return _finish(send, TriggerSend.Status.DELIVERED, "")


def _finish(send: TriggerSend, status: str, reason: str) -> TriggerSend:
    send.status, send.reason, send.sent_at = status, reason[:500], timezone.now()
    send.save(update_fields=["status", "reason", "contact", "sent_at"])
    data = {"result": status} | ({"reason": send.reason} if reason else {})
    _event(send, EventType.TRIGGER_SENT, data=data)
    return send


def _event(send: TriggerSend, type: EventType, data: dict | None = None, **references) -> None:
    trigger = send.trigger
    history.record(
        type=type, profile=send.profile, actor=send.actor, channel=trigger.channel,
        resource_id=trigger.resource_id, object_type=OBJECT_TYPE, object_id=trigger.pk,
        data={"trigger": trigger.name, "send": send.pk, "contact": send.contact, **(data or {})},
        key=f"trigger-send:{send.pk}:{type}", **references,
    )  # fmt: skip


@transaction.atomic
def launch_triggers(*, batch_size: int = LAUNCH_BATCH) -> int:
    """Queue a send of every active trigger for each new history event of its `event_type`
    recorded after the trigger was made (events after the cursor, oldest first, at most
    `batch_size`); return how many sends were queued. Events up to LOOKBACK_IDS before the
    cursor are read again, because a transaction may commit an event after events with
    higher ids were seen; an event launches a trigger once whatever happens."""
    cursor, _ = TriggerCursor.objects.select_for_update().get_or_create(pk=1)
    upper = Event.objects.aggregate(last=Max("pk"))["last"] or 0
    if upper <= cursor.last_event_id:
        return 0
    triggers = list(Trigger.objects.filter(is_active=True).exclude(event_type=""))
    matching = Event.objects.filter(
        profile__isnull=False, type__in={item.event_type for item in triggers}
    ).order_by("pk")
    columns = ("pk", "type", "profile_id", "created_at")
    late = matching.filter(pk__gt=cursor.last_event_id - LOOKBACK_IDS,
                           pk__lte=cursor.last_event_id)  # fmt: skip
    new = list(matching.filter(pk__gt=cursor.last_event_id, pk__lte=upper)
               .values_list(*columns)[:batch_size])  # fmt: skip
    cursor.last_event_id = new[-1][0] if len(new) == batch_size else upper
    cursor.save(update_fields=["last_event_id"])
    sends = TriggerSend.objects.bulk_create(
        _new_sends(triggers, [*late.values_list(*columns), *new])
    )
    ids = [send.pk for send in sends]
    for start in range(0, len(ids), 100):
        _enqueue(ids[start : start + 100])
    return len(ids)


def _new_sends(triggers: list[Trigger], rows: list[tuple]) -> list[TriggerSend]:
    """A send per trigger of each event's type made before the event, unless one exists;
    events of deleted profiles (history keeps no reference to them) send nothing."""
    if not rows:
        return []
    event_ids = {row[0] for row in rows}
    sent = set(
        TriggerSend.objects.filter(trigger__in=triggers, event_id__in=event_ids).values_list(
            "trigger_id", "event_id"
        )
    )
    alive = set(
        Profile.objects.filter(pk__in={row[2] for row in rows}).values_list("pk", flat=True)
    )
    return [
        send
        for send in _sends_for(triggers, rows)
        if (send.trigger_id, send.event_id) not in sent and send.profile_id in alive
    ]


def _sends_for(triggers: list[Trigger], rows: Iterable[tuple]) -> list[TriggerSend]:
    by_type: dict[str, list[Trigger]] = {}
    for trigger in triggers:
        by_type.setdefault(trigger.event_type, []).append(trigger)
    return [
        TriggerSend(trigger=trigger, profile_id=profile_id, event_id=event_id)
        for event_id, type, profile_id, created_at in rows
        for trigger in by_type.get(type, [])
        if created_at >= trigger.created_at
    ]
