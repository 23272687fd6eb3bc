"""One subscription per proposal per server process.

Channels' usual pattern gives every socket its own channel on the layer: an
event to two thousand readers becomes two thousand deliveries, each through
the consumer's dispatch. Here a process subscribes once per proposal that
has readers on it, and writes each event, already encoded, straight to its
own sockets in one pass (bench/fanout.py measures the difference). Sockets
still have their own channels for what is theirs alone (a notification, a
forced sign-out).
"""

from __future__ import annotations

import asyncio
import json
import logging
import weakref

from channels.layers import get_channel_layer
from django.conf import settings

logger = logging.getLogger(__name__)

# One hub per event loop: the layer's connections belong to the loop that made them.
_hubs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def hub() -> ProposalHub:
    loop = asyncio.get_running_loop()
    found = _hubs.get(loop)
    if found is None:
        found = _hubs[loop] = ProposalHub()
    return found


def frames_of(message: dict) -> dict[str, str] | None:
    """The text a group message puts on readers' sockets, by language."""
    if message.get("type") == "proposal.event":
        texts = message.get("texts")
        if texts is None:
            # A process still running the previous release sends one text, or
            # the payload unencoded.
            text = message.get("text")
            if text is None:
                text = json.dumps(message.get("payload") or {}, separators=(",", ":"))
            texts = {settings.LANGUAGE_CODE: text}
        return texts
    if message.get("type") == "proposal.viewers":
        # Presence is ephemeral: no sequence number, never replayed.
        return {
            settings.LANGUAGE_CODE: json.dumps({"type": "viewers", "count": message.get("count")})
        }
    return None


class ProposalHub:
    def __init__(self) -> None:
        self.members: dict[str, set] = {}
        self.readers: dict[str, tuple[asyncio.Task, str]] = {}
        self.locks: dict[str, asyncio.Lock] = {}

    async def join(self, group: str, consumer) -> None:
        """Add a socket to the group; returns once events of the group reach it."""
        async with self.locks.setdefault(group, asyncio.Lock()):
            self.members.setdefault(group, set()).add(consumer)
            if group not in self.readers:
                layer = get_channel_layer()
                channel = await layer.new_channel(prefix="hub.")
                await layer.group_add(group, channel)
                task = asyncio.ensure_future(self._read(layer, group, channel))
                self.readers[group] = (task, channel)

    async def leave(self, group: str, consumer) -> None:
        async with self.locks.setdefault(group, asyncio.Lock()):
            members = self.members.get(group, set())
            members.discard(consumer)
            if members or group not in self.readers:
                return
            task, channel = self.readers.pop(group)
            self.members.pop(group, None)
            task.cancel()
            try:
                await get_channel_layer().group_discard(group, channel)
            except Exception:  # the subscription ends with the connection anyway
                logger.warning("leaving the layer group %s failed", group)

    async def _read(self, layer, group: str, channel: str) -> None:
        while True:
            try:
                message = await layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                # Redis away: readers notice the gap at the next event and catch up.
                logger.warning("live events of %s paused: the channel layer failed", group)
                await asyncio.sleep(1)
                continue
            texts = frames_of(message)
            if texts is None:
                continue
            frames = {
                code: {"type": "websocket.send", "text": text} for code, text in texts.items()
            }
            fallback = frames.get(settings.LANGUAGE_CODE) or next(iter(frames.values()))
            for consumer in list(self.members.get(group, ())):
                try:
                    await consumer.base_send(frames.get(consumer.reader_language, fallback))
                except Exception:  # a socket closing as we write: its disconnect cleans up
                    logger.debug("a reader of %s went away mid-write", group)
