"""How many people have a proposal open: a Redis sorted set of sockets, each
scored with the last time it was heard from, so that sockets of a crashed
server stop counting after a while."""

from __future__ import annotations

import logging
import time

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

# Browsers ping every 30 s; a socket silent for longer than this is gone.
STALE_AFTER = 90


def update(proposal_id: int | None, channel_name: str, *, joined: bool) -> int | None:
    """Record a socket joining (or pinging) or leaving; the current count, or None."""
    if proposal_id is None or not settings.REDIS_URL:
        return None
    key = f"consult:viewers:{proposal_id}"
    now = time.time()
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        with client.pipeline() as pipe:
            if joined:
                pipe.zadd(key, {channel_name: now})
            else:
                pipe.zrem(key, channel_name)
            pipe.zremrangebyscore(key, "-inf", now - STALE_AFTER)
            pipe.zcard(key)
            pipe.expire(key, STALE_AFTER * 2)
            return int(pipe.execute()[2])
    except redis.RedisError:
        logger.warning("viewer count for proposal %s unavailable: Redis unreachable", proposal_id)
        return None
    finally:
        client.close()
