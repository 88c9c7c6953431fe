"""config/ratelimit.py: counting per key and window, in Redis or the cache."""

import pytest
import redis

from config import ratelimit


def test_requests_are_counted_per_key_and_window(monkeypatch):
    assert [ratelimit.allow("t", "a", limit=2, window=60) for _ in range(3)] == [
        True, True, False,
    ]  # fmt: skip
    assert ratelimit.allow("t", "b", limit=2, window=60)
    monkeypatch.setattr(ratelimit, "_now", lambda: 1_800_000_060.0)  # the next window
    assert ratelimit.allow("t", "a", limit=2, window=60)


def test_a_failing_redis_falls_back_to_the_cache(settings, monkeypatch):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    monkeypatch.setattr(ratelimit, "_redis", lambda url: redis.Redis.from_url(url))
    assert ratelimit.allow("t", "c", limit=1, window=60)
    assert not ratelimit.allow("t", "c", limit=1, window=60)


@pytest.mark.parametrize("url", ["", "amqp://broker/"])
def test_redis_is_used_only_for_a_redis_url(settings, url):
    settings.REDIS_URL, settings.CELERY_BROKER_URL = "", url
    assert ratelimit._redis_url() == ""
