"""Pings heard by this process, written to Redis together.

A browser pings every 30 s to say its page is still open, so that its socket
keeps counting against its owner's socket cap (comments.limits.SocketCap)
and its reader among the proposal's viewers (presence). At 2,000 open pages
that is 67 pings a second, and each one was two Redis round trips from a
worker thread: an eighth of the server's time while it fanned events out
(docs/benchmarks.md, the fan-out profile). A ping now notes its socket here,
and every FLUSH_SECONDS the process writes every noted socket in one
pipeline. Entries count as stale only after 90 s, so the few seconds' delay
changes no count.

A socket that closes is forgotten here first, and its leaving is written by
the same thread that writes the pings, after them: a ping noted before the
close can never bring the socket back after its leave.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
import weakref
from concurrent.futures import ThreadPoolExecutor

import redis

from consult.infra import redis_client
from discussion.comments.limits import SocketCap
from discussion.live import presence

logger = logging.getLogger(__name__)

FLUSH_SECONDS = 5.0

# One per event loop: the loop's timer writes what its sockets noted.
_beats: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def beats() -> Heartbeats:
    loop = asyncio.get_running_loop()
    found = _beats.get(loop)
    if found is None:
        found = _beats[loop] = Heartbeats(loop)
    return found


class Heartbeats:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.sockets: dict[str, str] = {}  # channel -> whose socket (SocketCap)
        self.viewers: dict[str, tuple[int, str]] = {}  # channel -> (proposal, viewer)
        self.timer: asyncio.TimerHandle | None = None
        # One thread: the pings and the leaves are written in the order noted.
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="heartbeats")

    def socket_heard(self, who: str, channel: str) -> None:
        self.sockets[channel] = who
        self._later()

    def viewer_heard(self, proposal_id: int, viewer: str, channel: str) -> None:
        self.viewers[channel] = (proposal_id, viewer)
        self._later()

    def forget(self, channel: str) -> None:
        """A socket closing: what it noted is not written."""
        self.sockets.pop(channel, None)
        self.viewers.pop(channel, None)

    async def after_pings(self, function, *args, **kwargs):
        """Run ``function`` (a leave) in the thread that writes the pings, after
        every write of pings begun before it."""
        call = functools.partial(function, *args, **kwargs)
        return await self.loop.run_in_executor(self.thread, call)

    def flush(self) -> asyncio.Future | None:
        """Write what was noted (the timer calls this); the write's future, if any."""
        self.timer = None
        sockets, viewers = list(self.sockets.items()), list(self.viewers.items())
        self.sockets, self.viewers = {}, {}
        if not sockets and not viewers:
            return None
        return self.loop.run_in_executor(self.thread, write, sockets, viewers)

    def _later(self) -> None:
        if self.timer is None:
            self.timer = self.loop.call_later(FLUSH_SECONDS, self.flush)


def write(sockets: list[tuple[str, str]], viewers: list[tuple[str, tuple[int, str]]]) -> None:
    """Every noted socket heard from now, in one pipeline. Never raises: a
    socket not refreshed is refreshed by its next ping."""
    client = redis_client.client()
    if client is None:
        return
    now = time.time()
    try:
        with client.pipeline(transaction=False) as pipe:
            SocketCap.heard_all(pipe, sockets, now)
            presence.heard_all(pipe, viewers, now)
            pipe.execute()
    except redis.RedisError:
        logger.warning("pings of %s sockets not written: Redis unreachable", len(sockets))
