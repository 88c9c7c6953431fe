"""Who a request is and what it may do, cached across requests (issue 10: every API call and
staff page checks permissions, and Django reads them with two joins each time; every API
call also reads its token with a join).

Both live in Django's cache. A user's permission set is kept under a generation number that
every change to who holds what bumps; an API token is kept under a digest of its key and
dropped when the token is deleted or its user saved (deactivated, made superuser, ...), and
carries its user's permission set with the generation it was read at, so that an API request
makes one cache read (the entry and the current generation). So a change counts from the
next request. With REDIS_URL the cache is Redis, shared by every
process; without it each process caches in its own memory, and another process may serve an
old entry for AUTH_CACHE_SECONDS at most (docs/security.md). The superuser flag is part of a
permission key and `is_active` is checked on each request. If the cache is down, both are
read from the database as without a cache.
"""

import copy
import hashlib
import logging
import time
from contextlib import suppress

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from redis.exceptions import RedisError
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

logger = logging.getLogger(__name__)
GENERATION_KEY = "roles:permissions:generation"


class CachedModelBackend(ModelBackend):
    """Django's ModelBackend with `get_all_permissions` served from the cache."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if hasattr(user_obj, "_perm_cache"):
            return user_obj._perm_cache
        try:
            key = f"roles:permissions:{generation()}:{user_obj.pk}:{user_obj.is_superuser}"
            permissions = cache.get(key)
        except RedisError:
            logger.warning("Auth cache unreachable; reading permissions from the database")
            return super().get_all_permissions(user_obj)
        if permissions is None:
            permissions = super().get_all_permissions(user_obj)
            with suppress(RedisError):
                cache.set(key, permissions, settings.AUTH_CACHE_SECONDS)
        user_obj._perm_cache = permissions
        return permissions


class CachedTokenAuthentication(TokenAuthentication):
    """DRF's token authentication with the token, its user and the user's permission set
    served from the cache in one read (the entry and the generation together): each cache
    call costs a round trip, and the profile GET made three (bench.scale, issue 10)."""

    def authenticate_credentials(self, key):
        try:
            found = cache.get_many([token_key(key), GENERATION_KEY])
        except RedisError:
            logger.warning("Auth cache unreachable; reading the token from the database")
            return super().authenticate_credentials(key)
        cached, current = found.get(token_key(key)), found.get(GENERATION_KEY)
        if cached is None:
            user, token = super().authenticate_credentials(key)
        else:
            user, created, permissions_generation, permissions = cached
            if not user.is_active:  # saved inactive since: the save dropped the entry
                raise exceptions.AuthenticationFailed("User inactive or deleted.")
            token = Token(key=key, user=user, created=created)
            if current is not None and permissions_generation == current:
                user._perm_cache = permissions
                return user, token
        with suppress(RedisError):
            # Tagged with the generation read before the set was: a change made meanwhile
            # has bumped it, so the next request reads the set again.
            current = current if current is not None else generation()
            permissions = CachedModelBackend().get_all_permissions(user)
            # The user and the token's date, not the token: the cache never holds a key.
            entry = (_without_relations(user), token.created, current, permissions)
            cache.set(token_key(key), entry, settings.AUTH_CACHE_SECONDS)
        return user, token


def _without_relations(user: User) -> User:
    """A copy of `user` without the related objects (the token among them) and the
    permission sets it caches."""
    bare = copy.copy(user)
    bare._state = copy.copy(user._state)
    bare._state.fields_cache = {}
    for cached in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        bare.__dict__.pop(cached, None)
    return bare


def token_key(key: str) -> str:
    # A digest: the cache never holds a usable token.
    # v2: the entry holds the permission set too.
    return f"roles:token:v2:{hashlib.sha256(key.encode()).hexdigest()}"


def generation() -> int:
    current = cache.get(GENERATION_KEY)
    if current is None:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        current = cache.get(GENERATION_KEY)
    return current


def forget_all(**kwargs) -> None:
    """Every cached permission set is old from now on: a new generation, unique to now."""
    try:
        cache.set(GENERATION_KEY, time.time_ns(), timeout=None)
    except RedisError:  # nothing is served from a cache that is down; entries also expire
        logger.warning("Auth cache unreachable; could not mark cached permissions as old")


def forget_token(instance: Token, **kwargs) -> None:
    with suppress(RedisError):
        cache.delete(token_key(instance.key))


def forget_tokens_of(instance: User, **kwargs) -> None:
    keys = Token.objects.filter(user=instance).values_list("key", flat=True)
    with suppress(RedisError):
        cache.delete_many([token_key(key) for key in keys])


def connect() -> None:
    """Who holds what changes through these relations; a group's or a permission's deletion
    also removes rows of them without an m2m signal. A user's save (each login writes
    `last_login`) keeps the permission sets, whose key holds the superuser flag, and drops
    the user's tokens, which carry the user."""
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(forget_all, sender=through, dispatch_uid=f"roles.forget.{through}")
    for model in (Group, Permission, User):
        post_delete.connect(forget_all, sender=model, dispatch_uid=f"roles.forget.del.{model}")
    post_save.connect(forget_all, sender=Permission, dispatch_uid="roles.forget.permission")
    post_delete.connect(forget_token, sender=Token, dispatch_uid="roles.forget.token")
    post_save.connect(forget_tokens_of, sender=User, dispatch_uid="roles.forget.user_tokens")
