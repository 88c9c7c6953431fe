"""A fixed-window rate limit for the public endpoints (forms, pixels, links).

Counters live in Redis when one is configured (`REDIS_URL`, else a `redis://` CELERY_BROKER_URL),
so every web process shares them; otherwise in this process's memory (the "local" cache), which
is enough for one process. If Redis fails, that memory takes over rather than failing the
request.
"""

import logging
import time
from functools import cache

import redis
from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest

logger = logging.getLogger(__name__)


def allow(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count one request of `key` in `scope`; False once more than `limit` came in the
    current `window` seconds."""
    slot = int(_now() // window)
    name = f"{getattr(settings, 'RATELIMIT_PREFIX', 'rl')}:{scope}:{key}:{slot}"
    client = _redis(_redis_url())
    if client is not None:
        try:
            count, _ = client.pipeline().incr(name).expire(name, window + 1).execute()
            return count <= limit
        except redis.RedisError:
            logger.warning("Rate limit: Redis unavailable, using the cache.", exc_info=True)
    local = caches["local"]
    local.add(name, 0, window + 1)
    try:
        return local.incr(name) <= limit
    except ValueError:  # expired between add and incr: this is the first request of a new slot
        local.set(name, 1, window + 1)
        return True


def _now() -> float:
    return time.time()


def client_address(request: HttpRequest) -> str:
    """The address to count requests by. Behind a proxy, REMOTE_ADDR must be set to the
    client by the proxy's trusted configuration, never from a header the client sends."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _redis_url() -> str:
    url = getattr(settings, "REDIS_URL", "") or settings.CELERY_BROKER_URL
    return url if url.startswith(("redis://", "rediss://")) else ""


@cache
def _redis(url: str) -> redis.Redis | None:
    return (
        redis.Redis.from_url(url, socket_timeout=0.2, socket_connect_timeout=0.2) if url else None
    )
