"""A Redis cache that degrades to a miss when Redis is unreachable.

Rate limits and cached fragments live in Redis; a Redis outage must not turn
sign-in or posting into an error page. Failures are logged once per call.
"""

import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


def _guard(method_name: str, fallback):
    def wrapper(self, *args, **kwargs):
        try:
            return getattr(super(ResilientRedisCacheClient, self), method_name)(*args, **kwargs)
        except UNREACHABLE as exc:
            logger.warning("cache %s skipped, Redis unreachable: %s", method_name, exc)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    wrapper.__name__ = method_name
    return wrapper


def _default_arg(key, default=None, *args, **kwargs):
    return default


class ResilientRedisCacheClient(RedisCacheClient):
    get = _guard("get", _default_arg)
    get_many = _guard("get_many", lambda *a, **k: {})
    has_key = _guard("has_key", False)
    add = _guard("add", False)
    set = _guard("set", None)
    set_many = _guard("set_many", lambda *a, **k: [])
    touch = _guard("touch", False)
    delete = _guard("delete", False)
    delete_many = _guard("delete_many", None)
    clear = _guard("clear", False)


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ResilientRedisCacheClient
