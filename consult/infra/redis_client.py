"""One pooled Redis client per URL for the platform's own keys (rate limits,
socket counts, viewers, tally windows). Short timeouts: every caller treats
Redis as helpful but not essential, and carries on when it is away.

With REDIS_SENTINELS set, every Redis client of the platform (this one, the
cache, the channel layer, /healthz) asks the Sentinels which Redis is the
master, and asks again when the master stops answering or turns into a
replica after a failover. REDIS_URL then gives only the password and the
database number; its host is not used.
"""

from __future__ import annotations

import functools

import redis
from django.conf import settings
from redis.connection import parse_url
from redis.sentinel import Sentinel, SentinelConnectionPool

# What REDIS_URL says that still matters behind Sentinels.
URL_CREDENTIALS = ("username", "password", "db")


def credentials(url: str) -> dict:
    """The password, user name and database number in a redis:// URL."""
    parsed = parse_url(url) if url else {}
    return {key: parsed[key] for key in URL_CREDENTIALS if parsed.get(key) is not None}


def sentinel_options() -> dict:
    """The Sentinels and master name from the settings, for SentinelPool.from_url."""
    return {
        "sentinels": list(settings.REDIS_SENTINELS),
        "sentinel_master": settings.REDIS_SENTINEL_MASTER,
        "sentinel_password": settings.REDIS_SENTINEL_PASSWORD,
    }


class SentinelPool:
    """A connection pool class for Django's Redis cache (OPTIONS["pool_class"]):
    the master the Sentinels name, with REDIS_URL's password and database."""

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        sentinels: list[tuple[str, int]],
        sentinel_master: str,
        sentinel_password: str = "",
        **options,
    ) -> SentinelConnectionPool:
        timeouts = {key: value for key, value in options.items() if key.startswith("socket_")}
        sentinel_kwargs = {
            **timeouts,
            **({"password": sentinel_password} if sentinel_password else {}),
        }
        manager = Sentinel(sentinels, sentinel_kwargs=sentinel_kwargs)
        return SentinelConnectionPool(sentinel_master, manager, **credentials(url), **options)


def channel_layer_host(url: str, sentinels, master: str, sentinel_password: str) -> dict | str:
    """One entry of the channel layer's "hosts" (channels_redis.utils.create_pool)."""
    if not sentinels:
        return url
    return {
        "master_name": master,
        "sentinels": list(sentinels),
        "sentinel_kwargs": {"password": sentinel_password} if sentinel_password else None,
        **credentials(url),
    }


def sentinel_cache_options(sentinels, master: str, sentinel_password: str) -> dict:
    """OPTIONS for Django's Redis cache: none without Sentinels."""
    if not sentinels:
        return {}
    return {
        "pool_class": "consult.infra.redis_client.SentinelPool",
        "sentinels": list(sentinels),
        "sentinel_master": master,
        "sentinel_password": sentinel_password,
    }


def channel_layers_and_cache(
    url: str, sentinels, master: str, sentinel_password: str, *, prefix: str = "consult:asgi"
) -> tuple[dict, dict]:
    """CHANNEL_LAYERS and CACHES for the settings."""
    # Redis pub/sub: one PUBLISH per event whatever the number of readers, and
    # no queues kept in Redis (a reader that misses an event asks the event
    # log for it). The measurements behind the choice: docs/benchmarks.md.
    layers = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [channel_layer_host(url, sentinels, master, sentinel_password)],
                "prefix": prefix,
            },
        }
    }
    caches = {
        "default": {
            "BACKEND": "consult.infra.cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "cache",
            "OPTIONS": {
                "socket_connect_timeout": 2,
                "socket_timeout": 2,
                **sentinel_cache_options(sentinels, master, sentinel_password),
            },
        }
    }
    return layers, caches


def new_client(url: str, **options) -> redis.Redis:
    """A client of its own (the caller closes it), through the Sentinels when set."""
    if settings.REDIS_SENTINELS:
        return redis.Redis(
            connection_pool=SentinelPool.from_url(url, **sentinel_options(), **options)
        )
    return redis.Redis.from_url(url, **options)


@functools.cache
def _client_for(url: str, sentinels: tuple) -> redis.Redis:
    return new_client(url, socket_connect_timeout=1, socket_timeout=1, health_check_interval=30)


def client() -> redis.Redis | None:
    """The shared client, or None when the platform runs without Redis."""
    if not settings.REDIS_URL:
        return None
    return _client_for(settings.REDIS_URL, tuple(settings.REDIS_SENTINELS))
