"""config/cache.py: Django's Redis cache, one redis-py client a connection pool."""

import pytest
from django.core.cache import caches

pytestmark = pytest.mark.redis


@pytest.fixture
def redis_cache(settings):
    settings.CACHES = {
        **settings.CACHES,
        "reused": {"BACKEND": "config.cache.RedisCache", "LOCATION": settings.REDIS_URL},
    }
    cache = caches["reused"]
    yield cache
    cache.delete_many(["config-cache-test:a", "config-cache-test:b"])


def test_every_call_goes_through_one_client_that_works(redis_cache):
    first = redis_cache._cache.get_client(write=True)
    redis_cache.set("config-cache-test:a", {"value": 1}, 60)
    assert redis_cache.get("config-cache-test:a") == {"value": 1}
    assert redis_cache.get_many(["config-cache-test:a", "config-cache-test:b"]) == {
        "config-cache-test:a": {"value": 1}
    }
    assert redis_cache.add("config-cache-test:a", 2, 60) is False
    redis_cache.delete("config-cache-test:a")
    assert redis_cache.get("config-cache-test:a") is None
    assert redis_cache._cache.get_client() is first
