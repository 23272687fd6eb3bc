"""After a Redis outage, every open proposal socket catches up at once.

While Redis is away, events are still written to the log (the database) but
their broadcasts are lost. Without this, readers would stay silently stale
until the next event revealed the gap. Each server process keeps its open
proposal sockets by consultation and, per consultation, the last event
number it passed on (a `Tail`, one more member of the hub's group, reading
one number per event, not one per socket). While sockets are open it asks
Redis every RECOVERY_CHECK_SECONDS whether it is there; when Redis comes
back it replays, from the log, what each consultation's readers missed.

An outage shorter than one check is caught too: Redis restarted between two
checks answers with a new run id, and a broadcast that failed in this
process in the meantime (the event is in the log, its broadcast lost) counts
as an outage of its own.
"""

from __future__ import annotations

import asyncio
import logging
import re
import weakref

from django.conf import settings

from consult.infra import redis_client

logger = logging.getLogger(__name__)

CHECK_SECONDS = 1.0
# The channel layer's own subscriptions come back within a second of Redis
# (channels_redis retries each second): the replay waits for them, so that
# nothing published meanwhile falls between the replay and the live stream.
SETTLE_SECONDS = 1.5

SEQ = re.compile(r'"seq":\s*(\d+)')

_registries: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# Broadcasts that failed in this process, from any thread (see events.broadcast).
_failed_broadcasts = [0]


def broadcast_failed() -> None:
    """A broadcast was lost: every registry replays from the log at its next check."""
    _failed_broadcasts[0] += 1


def check_seconds() -> float:
    return getattr(settings, "CONSULT_LIVE_RECOVERY_CHECK_SECONDS", CHECK_SECONDS)


def settle_seconds() -> float:
    return getattr(settings, "CONSULT_LIVE_RECOVERY_SETTLE_SECONDS", SETTLE_SECONDS)


def frame_seq(text: str) -> int | None:
    """The event number of an encoded event (the second key, see
    events.message), or None for a frame without one (a viewer count)."""
    found = SEQ.search(text, 0, 200)
    return int(found.group(1)) if found else None


def registry():
    loop = asyncio.get_running_loop()
    found = _registries.get(loop)
    if found is None:
        found = _registries[loop] = Registry()
    return found


class Tail:
    """The last event number the hub passed on for one consultation in this process."""

    reader_language = ""  # the hub sends it the site's language

    def __init__(self, seq: int = 0) -> None:
        self.seq = seq

    async def base_send(self, frame: dict) -> None:
        seq = frame_seq(frame.get("text") or "")
        if seq is not None and seq > self.seq:
            self.seq = seq


class Registry:
    def __init__(self) -> None:
        # group -> (its tail, the sockets of this process reading it)
        self.groups: dict[str, tuple[Tail, set]] = {}
        self.task: asyncio.Task | None = None
        self.up = True
        # What the last check saw: the server's run id, and the failed broadcasts.
        self.server: str | None = None
        self.failures = _failed_broadcasts[0]

    def lost(self) -> None:
        """Redis failed a socket: its return brings every socket's catch-up."""
        self.up = False

    def tail(self, group: str) -> Tail | None:
        entry = self.groups.get(group)
        return entry[0] if entry else None

    def add(self, group: str, consumer) -> Tail | None:
        """Count a socket in; the group's new Tail when it is the first (to join the hub)."""
        entry = self.groups.get(group)
        created = None
        if entry is None:
            created = Tail()
            entry = self.groups[group] = (created, set())
        entry[1].add(consumer)
        if self.task is None or self.task.done():
            self.task = asyncio.ensure_future(self._watch())
        return created

    def remove(self, group: str, consumer) -> Tail | None:
        """Count a socket out; the group's Tail when it was the last (to leave the hub)."""
        entry = self.groups.get(group)
        if entry is None:
            return None
        entry[1].discard(consumer)
        if entry[1]:
            return None
        del self.groups[group]
        if not self.groups and self.task is not None:
            self.task.cancel()
            self.task = None
        return entry[0]

    async def _watch(self) -> None:
        while self.groups:
            await asyncio.sleep(check_seconds())
            server = await asyncio.to_thread(redis_run_id)
            if server is None:
                if self.up:
                    logger.warning("Redis unreachable: live events wait in the event log")
                self.up = False
                continue
            failures, self.failures = self.failures, _failed_broadcasts[0]
            if failures != self.failures or (self.server and server != self.server):
                self.up = False  # away and back between two checks
            self.server = server
            if not self.up:
                logger.warning(
                    "Redis is back (or a broadcast was lost): open sockets catch up from the log"
                )
                self.up = True
                await asyncio.sleep(settle_seconds())
                await self.recover()

    async def recover(self) -> None:
        """Replay to every open socket what its consultation's broadcasts
        missed: from the log, after the last event this process passed on.
        Sockets that opened while Redis was away join their group's stream
        first. All at once, so that their reads share database trips."""
        from discussion.live.hub import hub

        catching_up = []
        for group, (tail, sockets) in list(self.groups.items()):
            try:
                await hub().join(group, tail)
                for consumer in sockets:
                    if consumer.detached:
                        await hub().join(group, consumer)
                        consumer.detached = False
            except Exception:  # gone again: the next return tries again
                logger.warning("live events of %s still unavailable", group)
                self.up = False
                return
            catching_up.extend(_caught_up(consumer, tail, group) for consumer in list(sockets))
        await asyncio.gather(*catching_up)


async def _caught_up(consumer, tail: Tail, group: str) -> None:
    try:
        await consumer.catch_up(tail)
    except Exception:  # a socket closing as we write, or the database away
        logger.warning("a reader of %s could not catch up after Redis returned", group)


def redis_run_id() -> str | None:
    """The Redis server's run id (new at each start), "" where the site runs
    without Redis, None while it cannot be reached."""
    client = redis_client.client()
    if client is None:
        return ""
    try:
        return str(client.info("server").get("run_id", ""))
    except Exception:
        return None
