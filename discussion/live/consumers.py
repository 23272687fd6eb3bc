"""What every live socket shares (the base consumer), the person's own
channel, and the clean close of any path not served.

Asynchronous, so that forwarding an event to a listener costs no thread.
The proposal's channel is in `proposal_consumer`, the moderators' queue in
`moderation_consumer`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import time
import uuid

from asgiref.sync import sync_to_async
from channels.consumer import AsyncConsumer, get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from channels.utils import await_many_dispatch
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from consult.accounts import sessions
from consult.infra.live import USER_GROUP, session_group
from consult.infra.ratelimit import address
from discussion.comments import limits
from discussion.live.batches import in_batch
from discussion.live.heartbeats import beats
from discussion.live.socket_sessions import watch

CLOSE_SIGNED_OUT = 4401
CLOSE_NOT_FOUND = 4404
CLOSE_TOO_MANY = 4429
CLOSE_SERVER_ERROR = 1011
# "Try again later" (RFC 6455 registry): the browser reconnects after its pause.
CLOSE_TRY_AGAIN = 1013
CLOSE_FORBIDDEN = 4403
UNREADABLE = _("Messages must be JSON objects with a type.")
TOO_MANY_SOCKETS = _(
    "You have too many pages open with live updates. Close some of them and reload this one."
)
TOO_MANY_FRAMES = _("Too many messages too quickly: live updates paused for a moment.")

# A channel layer that does not answer within this long is taken as away.
LAYER_TIMEOUT = 2.0

# Per socket, without Redis: a browser sends a ping every 30 s and a frame per
# click; a burst beyond this is a script.
FRAME_BURST = 30
FRAME_REFILL_PER_SECOND = 2.0

logger = logging.getLogger(__name__)


def off_loop(function):
    """Redis bookkeeping in a worker thread, so a slow Redis never stalls the loop."""
    return sync_to_async(function, thread_sensitive=False)


class DirectSend(AsyncConsumer):
    """The consumer's own frames (accept, hello, replies) go straight to the
    socket, past `base_send`, which a proposal socket points elsewhere while
    it holds the live stream back (see ProposalConsumer.hold)."""

    async def send(self, message: dict) -> None:
        await self.transport(message)


class LiveConsumer(AsyncJsonWebsocketConsumer, DirectSend):
    """What every live socket shares: the user's own group (a suspension or a
    logout closes it, a notification updates the unread count), the session it
    was opened with (when that ends, so does the socket), the cap on sockets
    per person and, for readers not signed in, per address, a bound on frames,
    and JSON that never crashes it."""

    user_group: str | None = None
    session_group: str | None = None
    # Who the socket counts against (limits.SocketCap): a person, or an address.
    counted: str | None = None
    watched_session: str | None = None

    def needs_channel(self) -> bool:
        """Whether the socket needs a channel of its own on the layer: only
        for what is one person's (a notification, a forced sign-out). A
        reader not signed in gets everything through the hub, and a channel
        per socket would cost each of them a Redis subscription."""
        user = self.scope.get("user")
        return user is not None and user.is_authenticated

    async def __call__(self, scope, receive, send) -> None:
        # Channels' own __call__, but a channel layer that fails (Redis away)
        # leaves the socket without a channel of its own instead of failing
        # the handshake with an HTTP 500.
        self.scope = scope
        self.base_send = self.transport = send
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.channel_name = f"local.{uuid.uuid4().hex}"
        receivers = [receive]
        if self.channel_layer is not None and self.needs_channel():
            try:
                self.channel_name = await asyncio.wait_for(
                    self.channel_layer.new_channel(), LAYER_TIMEOUT
                )
                receivers.append(functools.partial(self.channel_layer.receive, self.channel_name))
            except Exception:
                logger.warning("live socket opened without its own channel: the layer failed")
                self.channel_layer = None
        with contextlib.suppress(StopConsumer):
            await await_many_dispatch(receivers, self.dispatch)

    def viewer(self) -> str | None:
        """Who is reading, for counting: the person signed in, else their address."""
        user = self.scope.get("user")
        if user is not None and user.is_authenticated:
            return limits.SocketCap.person(user.pk)
        ip = (self.scope.get("client") or (None, None))[0]
        # No address (a Unix socket without proxy headers): nobody to count against.
        return address(ip) if ip else None

    async def join_user(self) -> bool:
        """Count this socket against its owner's cap (a person's, or for a reader
        not signed in their address's) and join the person's groups. False when
        the cap is reached (the socket has been closed)."""
        user = self.scope.get("user")
        signed_in = user is not None and user.is_authenticated
        who = self.viewer()
        if who is not None:
            cap = limits.sockets_per_user() if signed_in else limits.sockets_per_address()
            # With the other sockets opening now, in one round trip.
            ask = (who, self.channel_name, cap)
            admitted = await in_batch(limits.SocketCap.admit_all, ask, off_loop)
            if not admitted:
                await self.accept()
                await self.send_json(
                    {"type": "error", "code": CLOSE_TOO_MANY, "message": str(TOO_MANY_SOCKETS)}
                )
                await self.close(code=CLOSE_TOO_MANY)
                return False
            self.counted = who
        if not signed_in:
            return True
        session = self.scope.get("session")
        if session is not None and session.session_key:
            # Whatever Redis does, the session's end closes the socket.
            self.watched_session = session.session_key
            watch().add(self, session_key=session.session_key, user_id=user.pk)
        if self.channel_layer is None:
            return True
        self.user_group = USER_GROUP.format(user_id=user.pk)
        groups = [self.user_group]
        if self.watched_session:
            self.session_group = session_group(self.watched_session)
            groups.append(self.session_group)
        try:
            await layer_groups_add(self.channel_layer, groups, self.channel_name)
        except Exception:  # Redis away: the session watch still closes it
            logger.warning("live socket of user %s opened without its groups", user.pk)
        return True

    def session_ended(self):
        """Why the socket may no longer act as its person (their session ended),
        or None. Asked before every action; one query."""
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            return None
        session = self.scope.get("session")
        return sessions.session_ended(
            session_key=session.session_key if session is not None else None,
            user_id=user.pk,
            acting=True,
        )

    def refused_for_session(self, ref) -> dict | None:
        """The reply to an action when the socket's session has ended (the
        socket is then closed 4401), else None."""
        ended = self.session_ended()
        if ended is None:
            return None
        return {"type": "error", "ref": ref, "code": CLOSE_SIGNED_OUT, "message": str(ended)}

    async def session_over(self, reason) -> None:
        """The session this socket was opened with has ended: say why, and close."""
        with translation.override(self.language()):
            message = str(reason)
        await self.send_json({"type": "error", "code": CLOSE_SIGNED_OUT, "message": message})
        await self.close(code=CLOSE_SIGNED_OUT)

    async def abandon(self) -> None:
        """A connection that failed half-way (the database or Redis went away):
        logged, undone as a disconnect would, and closed as a server error."""
        logger.exception("live connection failed while starting")
        try:
            await self.disconnect(CLOSE_SERVER_ERROR)
        except Exception:
            logger.exception("cleaning up a failed live connection failed")
        await self.close(code=CLOSE_SERVER_ERROR)

    async def disconnect(self, code: int) -> None:
        if self.watched_session:
            watch().remove(self, session_key=self.watched_session)
            self.watched_session = None
        for group in (self.user_group, self.session_group):
            if group and self.channel_layer is not None:
                try:
                    await self.channel_layer.group_discard(group, self.channel_name)
                except Exception:  # Redis away: the group forgets it with its expiry
                    logger.warning("leaving %s failed", group)
        beats().forget(self.channel_name)
        if self.counted:
            # After any write of its pings, so that none brings it back.
            await beats().after_pings(limits.SocketCap.release, self.counted, self.channel_name)

    async def dispatch(self, message: dict) -> None:
        # Channels sends every message (a ping, a connect, a notification)
        # through a trip to the one database thread to tidy connections
        # first. Here every database call goes through database_sync_to_async,
        # which tidies them itself: the rest (pings every 30 s from thousands
        # of browsers, a herd of connects) never leaves the event loop, and
        # never queues behind the posts.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message.get('type')}")
        await handler(message)

    async def user_close(self, event: dict) -> None:
        await self.close(code=CLOSE_SIGNED_OUT)

    async def user_notify(self, event: dict) -> None:
        await self.send_json({"type": "notifications", "unread": event.get("unread", 0)})

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        if not self._frame_allowed():
            await self.send_json(
                {"type": "error", "code": CLOSE_TOO_MANY, "message": str(TOO_MANY_FRAMES)}
            )
            await self.close(code=CLOSE_TOO_MANY)
            return
        if text_data is None:
            await self.send_json({"type": "error", "message": str(UNREADABLE)})
            return
        await super().receive(text_data=text_data, **kwargs)

    def _frame_allowed(self) -> bool:
        now = time.monotonic()
        tokens, then = getattr(self, "_bucket", (FRAME_BURST, now))
        tokens = min(FRAME_BURST, tokens + (now - then) * FRAME_REFILL_PER_SECOND)
        self._bucket = (tokens - 1, now)
        return tokens >= 1

    @classmethod
    async def decode_json(cls, text_data: str):
        try:
            return json.loads(text_data)
        except (ValueError, RecursionError):
            return None

    async def receive_json(self, content, **kwargs) -> None:
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.send_json({"type": "error", "message": str(UNREADABLE)})
        elif content["type"] == "ping":
            await self.pinged()
            await self.send_json({"type": "pong"})
        else:
            await self.act(content)

    async def pinged(self) -> None:
        if self.counted:
            beats().socket_heard(self.counted, self.channel_name)

    async def act(self, content: dict) -> None:
        await self.send_json({"type": "error", "message": str(UNREADABLE)})

    def language(self) -> str:
        """The reader's language, from the cookie the language switcher sets."""
        chosen = self.scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME, "")
        codes = {code for code, _name in settings.LANGUAGES}
        return chosen if chosen in codes else settings.LANGUAGE_CODE


class NotFoundConsumer(AsyncJsonWebsocketConsumer):
    """Any WebSocket path we do not serve: a clean close, not a server error."""

    async def connect(self) -> None:
        await self.close(code=CLOSE_NOT_FOUND)


class MeConsumer(LiveConsumer):
    """The signed-in person's own channel, for pages without a proposal socket:
    the unread count stays live and a logout closes it."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_SIGNED_OUT)
            return
        if not await self.join_user():
            return
        try:
            await self.accept()
            unread = await database_sync_to_async(unread_count)(user.pk)
            await self.send_json({"type": "notifications", "unread": unread})
        except Exception:
            await self.abandon()


def unread_count(user_id: int) -> int:
    from consult.notifications.selectors import unread_count

    return unread_count(user_id=user_id)


async def layer_groups_add(layer, groups, channel_name: str) -> None:
    """Join a channel to groups, or raise if the layer does not answer in time."""
    joins = asyncio.gather(*(layer.group_add(group, channel_name) for group in groups))
    await asyncio.wait_for(joins, LAYER_TIMEOUT)


def frame_id(content: dict, key: str) -> int | None:
    """An id from a frame: absent, or a whole number; anything else is unreadable."""
    value = content.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise ValueError(key)
    return value
