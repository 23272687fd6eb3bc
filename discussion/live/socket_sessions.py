"""Open sockets end with their session, even when nobody touches them.

A socket makes no request, so the session's idle timeout and maximum age
(consult.accounts.sessions) would never reach it: each server process keeps
the signed-in sockets it serves by session, and every
CONSULT_SOCKET_SESSION_CHECK_SECONDS asks the database about all of those
sessions in one query, closing the sockets of the ones that have ended.
Each process watches only its own sockets, so several Daphne processes need
nothing shared, and the cost is one query per process per interval, however
many sockets are open.
"""

from __future__ import annotations

import asyncio
import logging
import weakref

from channels.db import database_sync_to_async
from django.conf import settings

from consult.accounts.sessions import sessions_ended

logger = logging.getLogger(__name__)

DEFAULT_CHECK_SECONDS = 30

# One watch per event loop: its task belongs to the loop that started it.
_watches: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def check_seconds() -> float:
    return getattr(settings, "CONSULT_SOCKET_SESSION_CHECK_SECONDS", DEFAULT_CHECK_SECONDS)


def watch() -> SessionWatch:
    loop = asyncio.get_running_loop()
    found = _watches.get(loop)
    if found is None:
        found = _watches[loop] = SessionWatch()
    return found


class SessionWatch:
    def __init__(self) -> None:
        # session key -> (whose session it is, the sockets opened with it)
        self.sessions: dict[str, tuple[int, set]] = {}
        self.task: asyncio.Task | None = None

    def add(self, consumer, *, session_key: str, user_id: int) -> None:
        self.sessions.setdefault(session_key, (user_id, set()))[1].add(consumer)
        if self.task is None or self.task.done():
            self.task = asyncio.ensure_future(self._run())

    def remove(self, consumer, *, session_key: str) -> None:
        entry = self.sessions.get(session_key)
        if entry is None:
            return
        entry[1].discard(consumer)
        if not entry[1]:
            del self.sessions[session_key]
        if not self.sessions and self.task is not None:
            self.task.cancel()
            self.task = None

    async def _run(self) -> None:
        while self.sessions:
            await asyncio.sleep(check_seconds())
            await self.check()

    async def check(self) -> None:
        owners = {key: user_id for key, (user_id, _sockets) in self.sessions.items()}
        if not owners:
            return
        try:
            ended = await database_sync_to_async(sessions_ended)(owners)
        except asyncio.CancelledError:
            raise
        except Exception:  # the database is away: the next round asks again
            logger.warning("the sessions of open sockets could not be checked")
            return
        for key, reason in ended.items():
            # Forgotten at once: a socket whose disconnect never comes (its
            # process cut it off) is not asked about again.
            _user_id, sockets = self.sessions.pop(key, (0, set()))
            for consumer in sockets:
                try:
                    await consumer.session_over(reason)
                except Exception:  # a socket closing as we write
                    logger.debug("a socket went away while its session ended")
