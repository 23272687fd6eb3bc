"""What every live socket shares (the base consumer), the person's own
channel, and the clean close of any path not served.

Asynchronous, so that forwarding an event to a listener costs no thread.
The proposal's channel is in `proposal_consumer`, the moderators' queue in
`moderation_consumer`.
"""

from __future__ import annotations

import json
import logging
import time

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from consult.accounts import sessions
from consult.infra.live import USER_GROUP, session_group
from consult.infra.ratelimit import address
from discussion.comments import limits
from discussion.live.socket_sessions import watch

CLOSE_SIGNED_OUT = 4401
CLOSE_NOT_FOUND = 4404
CLOSE_TOO_MANY = 4429
CLOSE_SERVER_ERROR = 1011
CLOSE_FORBIDDEN = 4403
UNREADABLE = _("Messages must be JSON objects with a type.")
TOO_MANY_SOCKETS = _(
    "You have too many pages open with live updates. Close some of them and reload this one."
)
TOO_MANY_FRAMES = _("Too many messages too quickly: live updates paused for a moment.")

# Per socket, without Redis: a browser sends a ping every 30 s and a frame per
# click; a burst beyond this is a script.
FRAME_BURST = 30
FRAME_REFILL_PER_SECOND = 2.0

logger = logging.getLogger(__name__)


def off_loop(function):
    """Redis bookkeeping in a worker thread, so a slow Redis never stalls the loop."""
    return sync_to_async(function, thread_sensitive=False)


class LiveConsumer(AsyncJsonWebsocketConsumer):
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
            if not await off_loop(limits.SocketCap.admit)(who, self.channel_name, cap):
                await self.accept()
                await self.send_json(
                    {"type": "error", "code": CLOSE_TOO_MANY, "message": str(TOO_MANY_SOCKETS)}
                )
                await self.close(code=CLOSE_TOO_MANY)
                return False
            self.counted = who
        if not signed_in:
            return True
        self.user_group = USER_GROUP.format(user_id=user.pk)
        await self.channel_layer.group_add(self.user_group, self.channel_name)
        session = self.scope.get("session")
        if session is not None and session.session_key:
            self.session_group = session_group(session.session_key)
            await self.channel_layer.group_add(self.session_group, self.channel_name)
            self.watched_session = session.session_key
            watch().add(self, session_key=session.session_key, user_id=user.pk)
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
            if group:
                await self.channel_layer.group_discard(group, self.channel_name)
        if self.counted:
            await off_loop(limits.SocketCap.release)(self.counted, self.channel_name)

    # Messages that touch no database: handled without Channels' per-message
    # trip to a worker thread to tidy database connections.
    NO_DATABASE = frozenset({"user.close", "user.notify"})

    async def dispatch(self, message: dict) -> None:
        kind = message.get("type")
        if kind in self.NO_DATABASE:
            await getattr(self, kind.replace(".", "_"))(message)
        elif kind == "websocket.receive" and is_ping(message):
            # A browser pings every 30 s: at thousands of readers that is
            # dozens a second, which must not queue for the database thread
            # that serves every post and every new connection.
            await self.websocket_receive(message)
        else:
            await super().dispatch(message)

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
            await off_loop(limits.SocketCap.heard)(self.counted, self.channel_name)

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


PING_FRAMES = frozenset({'{"type":"ping"}', '{"type": "ping"}'})


def is_ping(message: dict) -> bool:
    """Whether a received frame is a keep-alive ping (as the browser writes it)."""
    text = message.get("text")
    return text is not None and text.strip() in PING_FRAMES


def frame_id(content: dict, key: str) -> int | None:
    """An id from a frame: absent, or a whole number; anything else is unreadable."""
    value = content.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise ValueError(key)
    return value
