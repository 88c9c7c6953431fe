"""Writes on resources, subscriptions and suppression lists (S1-S9). Every status change is
recorded in history here (S9); nothing else saves these models."""

import dataclasses
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, F, IntegerField, Max, QuerySet, Value, When
from django.utils import timezone

from audit.models import Action
from audit.services import record_action
from config.exceptions import InvalidInput
from history import services as history
from history.models import EventType
from profiles import fields as registry
from profiles import services as profile_services
from profiles import storage
from profiles.contacts import normalize_email, normalize_phone
from profiles.models import Profile, Status

from .models import (
    Channel,
    Resource,
    Subscription,
    SubscriptionField,
    Suppression,
    contact_key,
)

PROFILE_LIMIT = 200
CHANNEL_LIMIT = 20  # per resource and channel
# S5: which subscription a new one replaces when a limit is reached, first to last.
REPLACED_STATUSES = [Status.INVALID, Status.HARD_BOUNCED, Status.COMPLAINER, Status.SUSPENDED,
                     Status.UNCONFIRMED]  # fmt: skip
PHONE_CHANNELS = {Channel.SMS, Channel.WHATSAPP, Channel.VIBER}
STATUS_EVENTS = {
    Status.SUBSCRIBED: EventType.SUBSCRIBE,
    Status.HARD_BOUNCED: EventType.HARD_BOUNCE,
    Status.COMPLAINER: EventType.COMPLAINT,
}  # any other new status is recorded as `unsubscribe`
DEVICE_FIELDS = (
    "device_type", "device_model", "device_name", "platform", "platform_version", "timezone",
    "language", "ad_tracking_allowed", "ad_id", "app_id", "app_install_id", "app_version",
    "browser", "browser_version",
)  # fmt: skip
_CATEGORY = re.compile(r"[a-z0-9][a-z0-9_-]*")


# Resources (S1, S8)


@transaction.atomic
def create_resource(**attributes: Any) -> Resource:
    resource = Resource(**attributes)
    _check_resource(resource)
    resource.save()
    record_action(action=Action.CREATE, target=resource)
    return resource


@transaction.atomic
def update_resource(*, resource: Resource, **changes: Any) -> Resource:
    for key, value in changes.items():
        setattr(resource, key, value)
    _check_resource(resource)
    resource.save()
    record_action(action=Action.CHANGE, target=resource, changes={"fields": sorted(changes)})
    return resource


@transaction.atomic
def delete_resource(*, resource: Resource) -> None:
    if resource.subscriptions.exists():
        raise InvalidInput({"resource": ["This resource still has subscriptions."]})
    record_action(action=Action.DELETE, target=resource)
    resource.delete()


def _check_resource(resource: Resource) -> None:
    errors = {}
    if Resource.objects.filter(name=resource.name).exclude(pk=resource.pk).exists():
        errors["name"] = ["A resource with this name already exists."]
    unknown = [name for name in resource.channels if name not in Channel.values]
    if unknown or len(set(resource.channels)) != len(resource.channels):
        errors["channels"] = [f"Use distinct channels of: {', '.join(Channel.values)}."]
    bad = [name for name in resource.categories if not _CATEGORY.fullmatch(str(name))]
    if bad or len(set(resource.categories)) != len(resource.categories):
        errors["categories"] = ["Use distinct lower-case names (letters, digits, - and _)."]
    if errors:
        raise InvalidInput(errors)


# Subscriptions (S2-S6, S9)


@transaction.atomic
def add_subscription(
    *,
    profile: Profile,
    resource: Resource,
    channel: str,
    contact: str,
    priority: int | None = None,
    status: Status | None = None,
    categories: Mapping[str, bool] | None = None,
    fields: Mapping[str, Any] | None = None,
    device: Mapping[str, Any] | None = None,
    user_agent: str = "",
    actor: AbstractBaseUser | None = None,
) -> Subscription:
    """Subscribe the profile (S2). Applies double opt-in (S6), priority (S4) and the limits
    (S5, replacing an old subscription when one is reached), and records `subscribe`."""
    _lock(profile)
    subscription = _checked_subscription(
        resource, channel=channel, contact=contact, status=status, categories=categories,
        fields=fields, definitions=_field_definitions(resource),
    )  # fmt: skip
    subscription.profile = profile
    for key, value in _device_values(device, user_agent).items():
        setattr(subscription, key, value)
    if _live_with_contact(subscription) is not None:
        raise InvalidInput({"contact": ["This profile already has this contact here."]})
    _insert(subscription, priority=priority, actor=actor)
    _journal(Action.CREATE, subscription, actor)
    return subscription


@transaction.atomic
def change_subscription(
    *,
    subscription: Subscription,
    status: Status | None = None,
    priority: int | None = None,
    categories: Mapping[str, bool] | None = None,
    fields: Mapping[str, Any] | None = None,
    device: Mapping[str, Any] | None = None,
    actor: AbstractBaseUser | None = None,
) -> Subscription:
    """Change status, priority, categories (merged), custom fields (merged) or device fields.
    A deleted subscription cannot change: add it again instead."""
    _lock(subscription.profile)
    subscription.refresh_from_db()
    if subscription.deleted_at is not None:
        raise InvalidInput({"subscription": ["This subscription is deleted."]})
    old_status = subscription.status
    if categories is not None:
        merged = {**subscription.categories, **categories}
        subscription.categories = _clean_categories(subscription.resource, merged)
    if fields is not None:
        subscription.fields = _clean_fields(
            _field_definitions(subscription.resource), fields, current=subscription.fields
        )
    for key, value in _device_values(device, "").items():
        setattr(subscription, key, value)
    if priority is not None and priority != subscription.priority:
        live = _live(subscription.profile, subscription.resource, subscription.channel)
        subscription.priority = _new_priority(live.exclude(pk=subscription.pk), None, priority)
    if status is not None:
        subscription.status = status
    _save(subscription)
    if subscription.status != old_status:
        _record_status(subscription, old=old_status, actor=actor)
    _journal(Action.CHANGE, subscription, actor)
    return subscription


@transaction.atomic
def confirm_subscription(
    *, subscription: Subscription, actor: AbstractBaseUser | None = None
) -> Subscription:
    """S6: the confirmation link was opened. Records `confirm` and makes an unconfirmed
    subscription subscribed; confirming again changes nothing."""
    _lock(subscription.profile)
    subscription.refresh_from_db()
    if subscription.status != Status.UNCONFIRMED or subscription.deleted_at:
        return subscription
    history.record(
        type=EventType.CONFIRM, profile=subscription.profile, actor=actor,
        channel=subscription.channel, resource_id=subscription.resource_id,
        subscription_id=subscription.pk,
    )  # fmt: skip
    return change_subscription(subscription=subscription, status=Status.SUBSCRIBED, actor=actor)


@transaction.atomic
def delete_subscription(*, subscription: Subscription) -> None:
    """Mark deleted: it stops counting as a target and is the first to be replaced (S5).
    Deleting again keeps the first time."""
    if subscription.deleted_at is not None:
        return
    subscription.deleted_at = timezone.now()
    subscription.save(update_fields=["deleted_at", "updated_at"])
    _journal(Action.DELETE, subscription, None)


def _journal(action: Action, subscription: Subscription, actor) -> None:
    """A3: ids only; the contact is personal data and stays out of the journal."""
    record_action(
        action=action, target=subscription, actor=actor,
        changes={"profile": subscription.profile_id, "resource": subscription.resource_id,
                 "channel": subscription.channel, "status": subscription.status},
    )  # fmt: skip


def _lock(profile: Profile) -> None:
    # Concurrent writers to one profile's subscriptions queue here (a row lock on PostgreSQL;
    # SQLite serialises writers anyway), so limits and priorities hold.
    Profile.objects.select_for_update().filter(pk=profile.pk).first()


def _live(profile: Profile, resource: Resource, channel: str) -> QuerySet[Subscription]:
    return Subscription.objects.filter(
        profile=profile, resource=resource, channel=channel, deleted_at__isnull=True
    )


def _live_with_contact(subscription: Subscription) -> int | None:
    """The id of the profile's live subscription with this contact key in the resource and
    channel, the one of highest priority should there be more."""
    live = _live(subscription.profile, subscription.resource, subscription.channel)
    return live.filter(contact_key=subscription.contact_key).values_list("pk", flat=True).first()


def _insert(subscription: Subscription, *, priority: int | None, actor) -> None:
    """Write a checked new subscription of a locked profile: make room (S5), give it its
    priority (S4), save it and record its status (S9)."""
    profile, resource, channel = subscription.profile, subscription.resource, subscription.channel
    _make_room(profile, resource, channel)
    subscription.priority = _new_priority(_live(profile, resource, channel), resource, priority)
    _save(subscription)
    _record_status(subscription, old=None, actor=actor)


def _new_priority(live: QuerySet[Subscription], resource: Resource | None, wanted: int | None):
    """S4: an explicit priority must be free; none given means 0 with the others moved down
    when the resource says so, else the lowest (one past the largest)."""
    if wanted is not None:
        if wanted < 0:
            raise InvalidInput({"priority": ["Must be 0 or more."]})
        if live.filter(priority=wanted).exists():
            raise InvalidInput({"priority": [f"Priority {wanted} is taken here."]})
        return wanted
    if resource is not None and resource.auto_priority:
        # Two steps so that no moment holds two equal priorities (a unique constraint).
        live.update(priority=F("priority") + 1_000_000)
        live.update(priority=F("priority") - 999_999)
        return 0
    largest = live.aggregate(largest=Max("priority"))["largest"]
    return 0 if largest is None else largest + 1


def make_room(*, profile: Profile, resource: Resource, channel: str) -> None:
    """S5 for a subscription joining `profile` from elsewhere (a merge of profiles): at a
    limit, replace one old subscription as adding one would."""
    _make_room(profile, resource, channel)


def _make_room(profile: Profile, resource: Resource, channel: str) -> None:
    """S5: past 20 in the resource and channel, or 200 in all, replace one old subscription."""
    group = Subscription.objects.filter(profile=profile, resource=resource, channel=channel)
    if group.count() >= CHANNEL_LIMIT:
        _replace_one(group)
    elif Subscription.objects.filter(profile=profile).count() >= PROFILE_LIMIT:
        _replace_one(Subscription.objects.filter(profile=profile))


def _replace_one(candidates: QuerySet[Subscription]) -> None:
    rank = Case(
        When(deleted_at__isnull=False, then=Value(0)),
        *(
            When(status=status, then=Value(place))
            for place, status in enumerate(REPLACED_STATUSES, 1)
        ),
        default=Value(len(REPLACED_STATUSES) + 1),
        output_field=IntegerField(),
    )
    victim = candidates.alias(rank=rank).order_by("rank", "-priority", "created_at", "id").first()
    victim.delete()


def _save(subscription: Subscription) -> None:
    try:
        with transaction.atomic():
            subscription.save()
    except IntegrityError:
        raise InvalidInput({"priority": ["Another subscription holds this priority."]}) from None


def _record_status(subscription: Subscription, *, old: str | None, actor) -> None:
    """S9: every status change, creation included, with old and new status."""
    history.record(
        profile=subscription.profile, actor=actor, **_status_event(subscription, old=old)
    )
    if _bounces(subscription):
        suppress(channel=Channel.EMAIL, contact=subscription.contact,
                 reason=Suppression.Reason.HARD_BOUNCED)  # fmt: skip


def _status_event(subscription: Subscription, *, old: str | None) -> dict[str, Any]:
    """The event of a status change, as the keyword arguments of `history.EventDraft`."""
    if old is None and subscription.status == Status.UNCONFIRMED:
        event = EventType.SUBSCRIBE  # a double opt-in request: subscribing, pending the link
    else:
        event = STATUS_EVENTS.get(subscription.status, EventType.UNSUBSCRIBE)
    return {
        "type": event, "channel": subscription.channel, "resource_id": subscription.resource_id,
        "subscription_id": subscription.pk,
        "data": {"old": old, "new": subscription.status, "contact": subscription.contact},
    }  # fmt: skip


def _bounces(subscription: Subscription) -> bool:
    """A hard-bounced email subscription puts its address on the suppression list (S7)."""
    return subscription.status == Status.HARD_BOUNCED and subscription.channel == Channel.EMAIL


def _checked_subscription(
    resource: Resource, *, channel: str, contact: str, status: str | None,
    categories: Mapping[str, bool] | None, fields: Mapping[str, Any] | None,
    definitions: Mapping[str, SubscriptionField],
) -> Subscription:  # fmt: skip
    """A new, unsaved subscription to `resource` from checked input, or InvalidInput naming
    the first problem of: channel and contact, status, categories, fields. Double opt-in
    makes it unconfirmed whatever the status asked (S6)."""
    contact = _clean_channel_contact(resource, channel, contact)
    if status and status not in Status.values:
        raise InvalidInput({"status": [f"Choose one of: {', '.join(Status.values)}."]})
    if resource.double_opt_in:
        status = Status.UNCONFIRMED
    return Subscription(
        resource=resource, channel=channel, contact=contact,
        contact_key=contact_key(channel, contact), status=status or Status.SUBSCRIBED,
        categories=_clean_categories(resource, categories),
        fields=_clean_fields(definitions, fields, current=None),
    )  # fmt: skip


def _clean_channel_contact(resource: Resource, channel: str, contact: str) -> str:
    if channel not in resource.channels:
        raise InvalidInput({"channel": [f"{resource.name!r} has no {channel!r} channel."]})
    try:
        return normalize_contact(channel, contact)
    except registry.Invalid as error:
        raise InvalidInput({"contact": [str(error)]}) from None


def normalize_contact(channel: str, contact: str) -> str:
    """The contact as stored for the channel: email normalised, phones in E.164."""
    if channel == Channel.EMAIL:
        return normalize_email(contact)
    if channel in PHONE_CHANNELS:
        return normalize_phone(contact)
    contact = str(contact).strip()
    if not contact or len(contact) > 255:
        raise registry.Invalid("Give the contact: 1 to 255 characters.")
    return contact


def _clean_categories(resource: Resource, categories: Mapping[str, bool] | None) -> dict:
    if not isinstance(categories or {}, Mapping):
        raise InvalidInput({"categories": ["Give an object of category names and true or false."]})
    categories = dict(categories or {})
    unknown = [name for name in categories if name not in resource.categories]
    if unknown:
        raise InvalidInput({"categories": [f"Unknown categories: {', '.join(unknown)}."]})
    if not all(isinstance(value, bool) for value in categories.values()):
        raise InvalidInput({"categories": ["Each category is true or false (S8)."]})
    return categories


def _field_definitions(resource: Resource) -> dict[str, SubscriptionField]:
    return {field.name: field for field in SubscriptionField.objects.filter(resource=resource)}


def _clean_fields(definitions: Mapping[str, SubscriptionField], values, *, current) -> dict:
    if not isinstance(values or {}, Mapping):
        raise InvalidInput({"fields": ["Give an object of field names and values."]})
    return registry.clean_fields(definitions, values or {}, current=current)


def _device_values(device: Mapping[str, Any] | None, user_agent: str) -> dict[str, Any]:
    """G3: device fields read from the user agent, overridden by any given explicitly."""
    from .devices import parse_user_agent

    values = {}
    if user_agent:
        parsed = parse_user_agent(user_agent)
        values = {key: parsed[key] for key in DEVICE_FIELDS if parsed.get(key)}
    values.update({key: value for key, value in (device or {}).items() if key in DEVICE_FIELDS})
    return values


# Subscribing in bulk (X1, X2: subscribe on import)


@dataclass(frozen=True)
class SubscriptionRequest:
    """One subscription for `subscribe_many`: add_subscription's input, by ids."""

    profile_id: int
    resource_id: int
    channel: str
    contact: str
    categories: Mapping[str, bool] | None = None
    fields: Mapping[str, Any] | None = None
    status: str | None = None  # double opt-in still makes it unconfirmed (S6)


@dataclass(frozen=True)
class SubscribeOutcome:
    subscription_id: int | None  # the new subscription, or the live one with this contact
    created: bool  # False when the profile already had this contact there, or on errors
    errors: dict[str, Any]  # InvalidInput's {"contact": ["..."]}; empty on success


@transaction.atomic
def subscribe_many(
    requests: Sequence[SubscriptionRequest], *, actor: AbstractBaseUser | None = None
) -> list[SubscribeOutcome]:
    """`add_subscription` for each request in order, one outcome each, except that a contact
    the profile already has live there is no error: its subscription is answered with
    `created=False`, so an import run twice changes nothing. A bad request never stops the
    others.

    Queries, whatever the number of requests, while no stored subscription has to move or
    go: five reads (the profiles, locked in id order; the resources; their fields; the
    stored subscriptions of the requests' resources and channels; each profile's count),
    one INSERT of the new subscriptions, one write of their events, one of suppressions if
    a request is hard_bounced, and savepoints (SQLite's backend splits a bulk INSERT into
    statements of 999 parameters). That covers profiles with nothing live in the
    resource and channel yet, with this contact there already, or with others there on a
    resource without auto priority. A profile whose request must move stored subscriptions
    (auto priority, S4) or replace one (a limit, S5) takes add_subscription's own path for
    all its requests: 11 to 16 queries each, four more for a hard-bounced email."""
    checked, outcomes = _check_requests(requests)
    plan = _plan(checked)
    if plan.added and not _create_in_bulk(list(plan.added.values())):
        plan = _Plan(one_by_one=list(checked))  # a writer that skipped the profile lock
    for index in plan.one_by_one:
        outcomes[index] = _subscribe_one(checked[index], actor=actor)
    _record_added(list(plan.added.values()), actor=actor)
    for index, subscription in plan.added.items():
        outcomes[index] = SubscribeOutcome(subscription.pk, created=True, errors={})
    for index, known in plan.known.items():
        known_id = known.pk if isinstance(known, Subscription) else known
        outcomes[index] = SubscribeOutcome(known_id, created=False, errors={})
    return [outcomes[index] for index in range(len(requests))]


@dataclasses.dataclass
class _Plan:
    """What subscribe_many does with each checked request, by position."""

    added: dict[int, Subscription] = dataclasses.field(default_factory=dict)  # in bulk
    known: dict[int, int | Subscription] = dataclasses.field(default_factory=dict)  # live already
    one_by_one: list[int] = dataclasses.field(default_factory=list)  # add_subscription's path


@dataclasses.dataclass
class _Group:
    """One profile's subscriptions in one resource and channel: the stored ones and those
    this call adds."""

    live: dict[str, int | Subscription] = dataclasses.field(default_factory=dict)  # by key
    stored_live: int = 0
    largest: int | None = None  # the largest live priority
    count: int = 0  # deleted ones included: they count towards the limit (S5)
    added: list[Subscription] = dataclasses.field(default_factory=list)

    def add(self, subscription: Subscription) -> None:
        """S4 as `_new_priority` gives it without an explicit priority."""
        if subscription.resource.auto_priority:  # only here with no stored live subscription
            for earlier in self.added:
                earlier.priority += 1
            subscription.priority = 0
        else:
            subscription.priority = 0 if self.largest is None else self.largest + 1
            self.largest = subscription.priority
        self.added.append(subscription)
        self.live[subscription.contact_key] = subscription
        self.count += 1


def _check_requests(
    requests: Sequence[SubscriptionRequest],
) -> tuple[dict[int, Subscription], dict[int, SubscribeOutcome]]:
    """Lock the profiles, in id order so that two calls never deadlock, and check every
    request as add_subscription does, in three queries: the checked new subscriptions and the
    refusals, by position."""
    profiles = Profile.objects.select_for_update().filter(
        pk__in={request.profile_id for request in requests}
    )
    profiles = {profile.pk: profile for profile in profiles.order_by("pk").only("database_id")}
    resources = Resource.objects.in_bulk({request.resource_id for request in requests})
    definitions = defaultdict(dict)
    for field in SubscriptionField.objects.filter(resource__in=list(resources)):
        definitions[field.resource_id][field.name] = field
    checked, refused = {}, {}
    for index, request in enumerate(requests):
        try:
            checked[index] = _check_request(request, profiles, resources, definitions)
        except InvalidInput as error:
            refused[index] = SubscribeOutcome(None, created=False, errors=error.errors)
    return checked, refused


def _check_request(
    request: SubscriptionRequest,
    profiles: Mapping[int, Profile],
    resources: Mapping[int, Resource],
    definitions: Mapping[int, Mapping[str, SubscriptionField]],
) -> Subscription:
    profile = profiles.get(request.profile_id)
    if profile is None:
        raise InvalidInput({"profile": [f"No profile has id {request.profile_id}."]})
    resource = resources.get(request.resource_id)
    if resource is None:
        raise InvalidInput({"resource": [f"No resource has id {request.resource_id}."]})
    subscription = _checked_subscription(
        resource, channel=request.channel, contact=request.contact, status=request.status,
        categories=request.categories, fields=request.fields,
        definitions=definitions[resource.pk],
    )  # fmt: skip
    subscription.profile = profile
    return subscription


def _plan(checked: dict[int, Subscription]) -> _Plan:
    """Give each profile's new subscriptions their priorities as add_subscription would, one
    by one, from two queries: the stored subscriptions of the requests' resources and
    channels, and how many each profile has (S5)."""
    plan, groups, by_profile = _Plan(), defaultdict(_Group), defaultdict(list)
    for index, subscription in checked.items():
        by_profile[subscription.profile_id].append(index)
    stored = Subscription.objects.filter(
        profile_id__in=list(by_profile),
        resource_id__in={subscription.resource_id for subscription in checked.values()},
        channel__in={subscription.channel for subscription in checked.values()},
    )  # ordered by priority, so `live` keeps the highest, as _live_with_contact does
    rows = stored.values_list("profile_id", "resource_id", "channel", "contact_key", "pk",
                              "priority", "deleted_at")  # fmt: skip
    for profile_id, resource_id, channel, key, pk, priority, deleted_at in rows:
        group = groups[profile_id, resource_id, channel]
        group.count += 1
        if deleted_at is None:
            group.stored_live += 1
            group.largest = max(priority, group.largest or 0)
            group.live.setdefault(key, pk)
    counts = Subscription.objects.filter(profile_id__in=list(by_profile)).order_by()
    counts = dict(counts.values_list("profile_id").annotate(Count("pk")))
    for profile_id, indexes in by_profile.items():
        _plan_profile(plan, [(i, checked[i]) for i in indexes], groups, counts.get(profile_id, 0))
    plan.added = dict(sorted(plan.added.items()))  # ids in the order of the requests
    plan.one_by_one.sort()
    return plan


def _plan_profile(
    plan: _Plan, items: list[tuple[int, Subscription]], groups: defaultdict, count: int
) -> None:
    """Plan one profile's requests, or leave them all to add_subscription's path when one of
    them must move stored subscriptions (auto priority) or replace one (a limit, S5)."""
    added, known = {}, {}
    for index, subscription in items:
        group = groups[subscription.profile_id, subscription.resource_id, subscription.channel]
        if subscription.contact_key in group.live:
            known[index] = group.live[subscription.contact_key]
        elif (
            count >= PROFILE_LIMIT
            or group.count >= CHANNEL_LIMIT
            or (subscription.resource.auto_priority and group.stored_live)
        ):
            plan.one_by_one.extend(index for index, _ in items)
            return
        else:
            group.add(subscription)
            added[index] = subscription
            count += 1
    plan.added.update(added)
    plan.known.update(known)


def _create_in_bulk(subscriptions: list[Subscription]) -> bool:
    """Insert them at once; False, with nothing written, when a priority was taken meanwhile
    by a writer that did not wait for the profile lock."""
    try:
        with transaction.atomic():
            Subscription.objects.bulk_create(subscriptions)
    except IntegrityError:
        return False
    return True


def _subscribe_one(subscription: Subscription, *, actor) -> SubscribeOutcome:
    """add_subscription's write for a checked subscription of a locked profile, undone on a
    refusal (a savepoint, as add_subscription's own transaction would)."""
    known = _live_with_contact(subscription)
    if known is not None:
        return SubscribeOutcome(known, created=False, errors={})
    try:
        with transaction.atomic():
            _insert(subscription, priority=None, actor=actor)
    except InvalidInput as error:
        return SubscribeOutcome(None, created=False, errors=error.errors)
    return SubscribeOutcome(subscription.pk, created=True, errors={})


def _record_added(subscriptions: list[Subscription], *, actor) -> None:
    """`_record_status` for new subscriptions written in bulk: one event each (S9) in one
    write, and their hard-bounced email addresses suppressed in one more (S7)."""
    if not subscriptions:
        return
    now = timezone.now()
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    history.record_many([
        history.EventDraft(ts=now, profile_id=subscription.profile_id, actor_id=actor_id,
                           database_id=subscription.profile.database_id,
                           **_status_event(subscription, old=None))
        for subscription in subscriptions
    ])  # fmt: skip
    bounced = {subscription.contact_key for subscription in subscriptions if _bounces(subscription)}
    Suppression.objects.bulk_create(
        [Suppression(channel=Channel.EMAIL, contact=key, reason=Suppression.Reason.HARD_BOUNCED)
         for key in sorted(bounced)],
        ignore_conflicts=True,
    )  # fmt: skip


# Suppression lists (S7)


def suppress(*, channel: str, contact: str, reason: str = Suppression.Reason.MANUAL) -> Suppression:
    """Add a contact to the channel's stop list (idempotent)."""
    if channel not in Channel.values:
        raise InvalidInput({"channel": [f"Choose one of: {', '.join(Channel.values)}."]})
    if reason not in Suppression.Reason.values:
        raise InvalidInput({"reason": [f"Choose one of: {', '.join(Suppression.Reason.values)}."]})
    try:
        stored = normalize_contact(channel, contact)
    except registry.Invalid as error:
        raise InvalidInput({"contact": [str(error)]}) from None
    suppression, _ = Suppression.objects.get_or_create(
        channel=channel, contact=contact_key(channel, stored), defaults={"reason": reason}
    )
    return suppression


def unsuppress(*, suppression: Suppression) -> None:
    record_action(
        action=Action.DELETE, target=suppression, changes={"channel": suppression.channel}
    )
    suppression.delete()


# Subscription fields (custom fields of a resource's subscriptions)


@transaction.atomic
def create_subscription_field(*, resource: Resource, **attributes: Any) -> SubscriptionField:
    field = SubscriptionField(resource=resource, **attributes)
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,62}", field.name or ""):
        raise InvalidInput(
            {"name": ["Use lower-case letters, digits and _, starting with a letter."]}
        )
    if resource.fields.filter(name=field.name).exists():
        raise InvalidInput({"name": ["This resource already has a field with this name."]})
    profile_services.check_field_definition(field)
    field.save()
    return field


@transaction.atomic
def update_subscription_field(*, field: SubscriptionField, **changes: Any) -> SubscriptionField:
    if any(key in changes and changes[key] != getattr(field, key) for key in ("name", "type")):
        raise InvalidInput({"type": ["Name and type cannot be changed; create a new field."]})
    for key, value in changes.items():
        setattr(field, key, value)
    profile_services.check_field_definition(field)
    field.save()
    return field


@transaction.atomic
def delete_subscription_field(*, field: SubscriptionField) -> None:
    """Delete the definition and its values from the resource's subscriptions."""
    while storage.remove_values_batch(
        database_id=field.resource_id, name=field.name, batch_size=10_000,
        table=Subscription._meta.db_table, owner="resource_id",
    ):  # fmt: skip
        pass
    field.delete()


def suppress_hard_bounces(bounces: list[tuple[int, str | None]]) -> int:
    """S7: ingested email `hard_bounce` events, as (profile id, contact or None), put the
    bounced address on the suppression list; without a contact, the profile's email."""
    emails = dict(
        Profile.objects.filter(pk__in={pk for pk, contact in bounces if not contact})
        .exclude(email__endswith="@localhost")
        .values_list("id", "email")
    )
    added = 0
    for profile_id, contact in bounces:
        address = contact or emails.get(profile_id)
        if not address:
            continue
        try:
            suppress(channel=Channel.EMAIL, contact=address, reason=Suppression.Reason.HARD_BOUNCED)
        except InvalidInput:
            continue  # an unparsable address in event data cannot be suppressed
        added += 1
    return added
