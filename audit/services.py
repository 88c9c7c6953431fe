"""The one writer of the audit journal (A3).

Other apps call it from their services, right where the action happens, inside the same
transaction (a rolled-back change leaves no entry):

    from audit.models import Action
    from audit.services import record_action

    record_action(action=Action.DELETE, target=profile, changes={"database": profile.database_id})

- `actor`: the user who acted. Left out, it is the user of the request being served (set by
  `audit.context.AuditContextMiddleware`, which also gives the IP); in a command or a Celery
  task there is none, so pass `actor_id` (e.g. `job.created_by_id`) when the work was asked
  for by someone.
- `target`: the model instance acted on; or `target_type` ("app_label.model") and `target_id`
  when the object is gone or was never loaded.
- `changes`: a small JSON object of ids, counts and names of changed fields. Never values a
  person typed about themselves (names, emails, phones, custom field values): the journal
  outlives the profile it mentions.
"""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import models

from .context import client_ip, current_request
from .models import Action, AuditEntry

MAX_LISTED_IDS = 1000


def record_action(
    *,
    action: Action,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: Any = "",
    actor: AbstractBaseUser | None = None,
    actor_id: int | None = None,
    ip: str | None = None,
    changes: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Write one journal entry and return it."""
    request = current_request.get()
    if actor is None and actor_id is None and request is not None:
        actor = getattr(request, "user", None)
    if actor is not None and not actor.is_authenticated:
        actor = None
    if ip is None and request is not None:
        ip = client_ip(request)
    if target is not None:
        target_type, target_id = target._meta.label_lower, target.pk
    if actor is not None:
        actor_id, actor_name = actor.pk, actor.get_username()
    else:
        actor_name = _username(actor_id)
    return AuditEntry.objects.create(
        action=action,
        actor_id=actor_id,
        actor_name=actor_name,
        target_type=target_type,
        target_id="" if target_id is None else str(target_id),
        ip=ip,
        changes=dict(changes or {}),
    )


def _username(user_id: int | None) -> str:
    if user_id is None:
        return ""
    User = get_user_model()
    names = User.objects.filter(pk=user_id).values_list(User.USERNAME_FIELD, flat=True)
    return next(iter(names), "")


def listed_ids(ids: list[int]) -> dict[str, Any]:
    """`changes` for an action on many objects: their count, and their ids up to
    MAX_LISTED_IDS (a huge list would bloat the journal; the count stays exact)."""
    listed = {"count": len(ids), "ids": sorted(ids)[:MAX_LISTED_IDS]}
    if len(ids) > MAX_LISTED_IDS:
        listed["ids_truncated"] = True
    return listed
