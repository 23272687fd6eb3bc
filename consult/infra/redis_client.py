"""One pooled Redis client per URL for the platform's own keys (rate limits,
socket counts, viewers, tally windows). Short timeouts: every caller treats
Redis as helpful but not essential, and carries on when it is away."""

from __future__ import annotations

import functools

import redis
from django.conf import settings


@functools.cache
def _client_for(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url, socket_connect_timeout=1, socket_timeout=1, health_check_interval=30
    )


def client() -> redis.Redis | None:
    """The shared client, or None when the platform runs without Redis."""
    return _client_for(settings.REDIS_URL) if settings.REDIS_URL else None
