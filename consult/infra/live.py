"""The seam between a write and the live path, for code below `discussion`.

`proposals` may not import `discussion`, which owns the event log and the
WebSocket consumers. Its services call these functions instead, and the
settings name the functions that do the work (CONSULT_LIVE_*), so the
dependency points down while the behaviour is wired up once, in settings.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

# A user's sockets join this group, so that logging out, a password change or
# a suspension can close every one of them wherever it is served.
USER_GROUP = "user.{user_id}"
# And this one, so that signing out closes the sockets of that session only.
SESSION_GROUP = "session.{digest}"


def session_group(session_key: str) -> str:
    import hashlib

    return SESSION_GROUP.format(digest=hashlib.sha256(session_key.encode()).hexdigest()[:40])


def emit(*, proposal, type: str, payload: dict) -> None:
    """Append a live event in the caller's transaction (see discussion.live.events)."""
    import_string(settings.CONSULT_LIVE_EVENT_SINK)(proposal=proposal, type=type, payload=payload)


def last_seq(proposal_id: int) -> int:
    """The proposal's latest event number: a page drawn now asks its socket
    for everything after it, so nothing falls between drawing and connecting."""
    return import_string(settings.CONSULT_LIVE_LAST_SEQ)(proposal_id)


def stance_changed(*, proposal_id: int) -> None:
    """A stance changed: its tallies go out, coalesced, after commit."""
    sink = import_string(settings.CONSULT_LIVE_STANCE_SINK)
    transaction.on_commit(lambda: sink(proposal_id=proposal_id))


# The longest a write waits for the channel layer to take a message (Redis
# unreachable, not refusing): the write is committed, readers catch up.
SEND_TIMEOUT = 5.0


def group_send(group: str, message: dict) -> None:
    """Send a message to a channel layer group from synchronous code (a write's
    on-commit hook, a task); raises what the layer raises.

    Not through the process's own event loop, as ``async_to_sync`` would: in
    a server process that loop is also writing every event to every socket,
    and a post that waited for its turn there to publish its event waited
    seconds once thousands of sockets were open (docs/benchmarks.md, the
    fan-out). A thread of the process runs a loop for these sends alone,
    with the layer's own connection for that loop.
    """
    from channels.layers import InMemoryChannelLayer, get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        return
    if isinstance(layer, InMemoryChannelLayer):
        # Its queues belong to the loop that reads them (a bare manage.py only).
        from asgiref.sync import async_to_sync

        async_to_sync(layer.group_send)(group, message)
        return
    _Sender.get().send(layer, group, message)


class _Sender:
    """The process's loop for group_send, in a daemon thread of its own."""

    _lock = threading.Lock()
    _current: _Sender | None = None

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.layer = None
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="live-sender", daemon=True).start()

    @classmethod
    def get(cls) -> _Sender:
        with cls._lock:
            # A forked child has the loop's object but not its thread.
            if cls._current is None or cls._current.pid != os.getpid():
                cls._current = cls()
            return cls._current

    def send(self, layer, group: str, message: dict) -> None:
        with self._lock:
            retired, self.layer = (self.layer, layer) if layer is not self.layer else (None, layer)
        if retired is not None and hasattr(retired, "flush"):
            # Settings reloaded (tests do): close the old layer's connection.
            try:
                self._wait(retired.flush())
            except Exception:
                logging.getLogger(__name__).warning("a retired channel layer did not close")
        self._wait(layer.group_send(group, message))

    def _wait(self, coroutine) -> None:
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        try:
            future.result(timeout=SEND_TIMEOUT)
        except TimeoutError:
            future.cancel()
            raise


def user_event(*, user_id: int, type: str, **data) -> None:
    """Send a message to every open socket of one person, now. Never raises:
    what it carries is also on the next page they load."""
    try:
        group_send(USER_GROUP.format(user_id=user_id), {"type": type, **data})
    except Exception:
        logging.getLogger(__name__).exception("%s to the sockets of user %s failed", type, user_id)


def user_sockets_close(*, user_id: int) -> None:
    """Close every open socket of a user, after commit. Never raises."""
    transaction.on_commit(lambda: user_event(user_id=user_id, type="user.close"))


def session_sockets_close(*, session_key: str) -> None:
    """Close the open sockets of one signed-in session (its other sessions stay live)."""
    try:
        group_send(session_group(session_key), {"type": "user.close"})
    except Exception:
        logging.getLogger(__name__).exception("closing the sockets of a session failed")
