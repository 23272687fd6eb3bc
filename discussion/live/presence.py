"""How many people have a proposal open: a Redis sorted set of viewers, each
scored with the last time one of their sockets was heard from, so that the
sockets of a crashed server stop counting after a while. A viewer is a person
signed in, or for readers not signed in an address (hashed): three tabs of one
person are one viewer. Each viewer's own sockets are a sorted set beside it,
so that closing one tab of three leaves the viewer counted.

The count goes out coalesced: when two thousand people open a page in the
same minute, each listener gets a handful of counts, not two thousand; and
the window widens while the process's event loop lags (hub.stretch).
"""

from __future__ import annotations

import functools
import logging
import time

import redis
from django.conf import settings

from consult.infra import redis_client
from discussion.live.hub import stretch

logger = logging.getLogger(__name__)

# Browsers ping every 30 s; a socket silent for longer than this is gone.
STALE_AFTER = 90
WINDOW_SECONDS = 2.0  # at most one viewer count every two seconds per proposal

# A socket leaves; its viewer leaves with their last live socket. One script,
# so that a tab opening as another closes cannot be lost between the steps.
_LEAVE = """
redis.call('zrem', KEYS[2], ARGV[2])
redis.call('zremrangebyscore', KEYS[2], '-inf', ARGV[3])
if redis.call('zcard', KEYS[2]) == 0 then
  redis.call('zrem', KEYS[1], ARGV[1])
end
return 1
"""


def window_seconds() -> float:
    # Wider while this process falls behind: counts are a courtesy, comments are not.
    return stretch(getattr(settings, "CONSULT_VIEWERS_WINDOW_SECONDS", WINDOW_SECONDS))


def _key(proposal_id: int) -> str:
    return f"consult:viewers:{proposal_id}"


def _sockets_key(proposal_id: int, viewer: str) -> str:
    return f"consult:viewers:{proposal_id}:s:{viewer}"


@functools.cache
def _leave_script(client: redis.Redis):
    return client.register_script(_LEAVE)


def record(
    proposal_id: int,
    channel_name: str,
    *,
    viewer: str | None,
    joined: bool,
) -> bool:
    """Record a socket of `viewer` joining or leaving. True when the caller
    should announce the count (after `window_seconds()`); False when another
    announcement is already on its way, or when Redis is away."""
    if joined:
        return joined_all([(proposal_id, channel_name, viewer)])[0]
    client = redis_client.client()
    if client is None:
        return False
    viewer = viewer or channel_name  # nobody to tell apart: the socket is the viewer
    key, sockets, now = _key(proposal_id), _sockets_key(proposal_id, viewer), time.time()
    try:
        with client.pipeline() as pipe:
            _leave_script(client)(
                keys=[key, sockets], args=[viewer, channel_name, now - STALE_AFTER], client=pipe
            )
            pipe.expire(sockets, STALE_AFTER * 2)
            pipe.expire(key, STALE_AFTER * 2)
            _announce_lock(pipe, key)
            results = pipe.execute()
    except redis.RedisError:
        logger.warning("viewer count for proposal %s unavailable: Redis unreachable", proposal_id)
        return False
    return window_seconds() <= 0 or bool(results[-1])


def joined_all(asks: list[tuple[int, str, str | None]]) -> list[bool]:
    """``record`` of many sockets joining, (proposal, channel, viewer) each, in
    one round trip: the sockets of a herd opening together. Only the first
    socket of a proposal in a window is told to announce."""
    client = redis_client.client()
    if client is None:
        return [False] * len(asks)
    now = time.time()
    try:
        with client.pipeline() as pipe:
            for proposal_id, channel_name, viewer in asks:
                viewer = viewer or channel_name
                key, sockets = _key(proposal_id), _sockets_key(proposal_id, viewer)
                pipe.zadd(sockets, {channel_name: now})
                pipe.zadd(key, {viewer: now})
                pipe.expire(sockets, STALE_AFTER * 2)
                pipe.expire(key, STALE_AFTER * 2)
                _announce_lock(pipe, key)
            results = pipe.execute()
    except redis.RedisError:
        logger.warning("viewer counts unavailable for %s sockets: Redis unreachable", len(asks))
        return [False] * len(asks)
    if window_seconds() <= 0:
        return [True] * len(asks)
    return [bool(locked) for locked in results[4::5]]


def _announce_lock(pipe, key: str) -> None:
    """Queue the lock that lets one socket announce the count per window
    (its result is True for that one); a window of 0 announces every change."""
    window = window_seconds()
    # A little shorter than the wait, so a change in its last moment
    # schedules the next count rather than being missed.
    lock_ms = max(1, int(window * 1000) - 50)
    pipe.set(f"{key}:announce", 1, nx=True, px=lock_ms)


def heard_all(pipe, viewers: list[tuple[str, tuple[int, str]]], now: float) -> None:
    """Queue on ``pipe``: each (channel, (proposal, viewer)) socket heard from
    at ``now``, as a ping does (no count goes out: nothing changed)."""
    keys = set()
    for channel_name, (proposal_id, viewer) in viewers:
        key, sockets = _key(proposal_id), _sockets_key(proposal_id, viewer)
        pipe.zadd(sockets, {channel_name: now})
        pipe.zadd(key, {viewer: now})
        keys.update((key, sockets))
    for key in sorted(keys):
        pipe.expire(key, STALE_AFTER * 2)


def count(proposal_id: int) -> int | None:
    client = redis_client.client()
    if client is None:
        return None
    key = _key(proposal_id)
    try:
        with client.pipeline() as pipe:
            pipe.zremrangebyscore(key, "-inf", time.time() - STALE_AFTER)
            pipe.zcard(key)
            return int(pipe.execute()[1])
    except redis.RedisError:
        logger.warning("viewer count for proposal %s unavailable: Redis unreachable", proposal_id)
        return None
