"""Django's Redis cache with one redis-py client a connection pool, not one a call.

Django's RedisCacheClient builds a `redis.Redis` for every operation; since redis-py 5 that
constructor costs about 0.25 ms of Python (argument checks, a retry policy), and the API's
authentication makes three cache reads a request: it was a third of a profile GET's time
(bench.scale, issue 10). A `redis.Redis` is safe to share between threads (each command takes
a connection from the pool), so one is kept per pool.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
