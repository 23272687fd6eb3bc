"""The live channel of one proposal: one WebSocket per open proposal page.

Asynchronous, so that forwarding an event to a listener costs no thread: the
event arrives from the channel layer already encoded and goes straight out.
Only the actions (posting, voting) and the start of a connection touch the
database, in a worker thread.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from consult.accounts import sessions
from consult.infra.live import USER_GROUP, session_group
from consult.infra.ratelimit import RateLimited, address
from discussion.comments import limits, marks, services
from discussion.live import events, presence
from discussion.live.events import proposal_group
from discussion.live.hub import hub
from discussion.live.socket_sessions import watch
from discussion.models import Comment
from discussion.moderation import queue
from discussion.moderation import services as moderation
from proposals import selectors as proposal_selectors
from proposals.models import Proposal

CLOSE_SIGNED_OUT = 4401
CLOSE_NOT_FOUND = 4404
CLOSE_TOO_MANY = 4429
CLOSE_SERVER_ERROR = 1011
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
_announcements: set[asyncio.Task] = set()


def _off_loop(function):
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
            if not await _off_loop(limits.SocketCap.admit)(who, self.channel_name, cap):
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
            await _off_loop(limits.SocketCap.release)(self.counted, self.channel_name)

    # Messages that touch no database: handled without Channels' per-message
    # trip to a worker thread to tidy database connections.
    NO_DATABASE = frozenset({"user.close", "user.notify"})

    async def dispatch(self, message: dict) -> None:
        if message.get("type") in self.NO_DATABASE:
            await getattr(self, message["type"].replace(".", "_"))(message)
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
            await _off_loop(limits.SocketCap.heard)(self.counted, self.channel_name)

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
            unread = await database_sync_to_async(_unread)(user.pk)
            await self.send_json({"type": "notifications", "unread": unread})
        except Exception:
            await self.abandon()


def _unread(user_id: int) -> int:
    from consult.notifications.selectors import unread_count

    return unread_count(user_id=user_id)


class ProposalConsumer(LiveConsumer):
    """Joins the proposal's group and forwards its events untouched."""

    group: str | None = None
    proposal_id: int | None = None
    reader_language: str = ""

    async def connect(self) -> None:
        proposal_id = self.scope["url_route"]["kwargs"]["proposal_id"]
        if not await database_sync_to_async(_is_public)(proposal_id):
            await self.close(code=CLOSE_NOT_FOUND)
            return
        if not await self.join_user():
            return
        try:
            # Join before reading the sequence, so no event falls between state and stream.
            self.group = proposal_group(proposal_id)
            self.proposal_id = proposal_id
            # Fragments come in this reader's language only (see events.encoded).
            self.reader_language = self.language()
            await hub().join(self.group, self)
            await self.accept()
            user = self.scope.get("user")
            seq, missed, unread = await database_sync_to_async(_catch_up)(
                proposal_id, self._since(), user.pk if self.user_group else None
            )
            hello = {"type": "hello", "proposal": proposal_id, "seq": seq}
            if self.user_group:
                # Which comments are this reader's own: their mark, never their id.
                hello["me"] = marks.author_mark(proposal_id=proposal_id, user=user)
            if unread is not None:
                # Notifications that arrived while this page was away from the channel.
                hello["unread"] = unread
            await self.send_json(hello)
            if missed is None:
                await self.send_json({"type": "reload"})
            for event in missed or []:
                await self.send_json(_in_language(event, self.reader_language))
            await self._presence(joined=True)
        except Exception:
            await self.abandon()

    def _since(self) -> int | None:
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        try:
            return max(0, int(query["since"][0]))
        except (KeyError, ValueError, IndexError):
            return None

    async def disconnect(self, code: int) -> None:
        if self.group:
            await hub().leave(self.group, self)
            await self._presence(joined=False)
        await super().disconnect(code)

    async def _presence(self, *, joined: bool) -> None:
        announce = await _off_loop(presence.record)(
            self.proposal_id, self.channel_name, viewer=self.viewer(), joined=joined
        )
        if announce:
            task = asyncio.ensure_future(
                _announce_viewers(self.channel_layer, self.group, self.proposal_id)
            )
            _announcements.add(task)
            task.add_done_callback(_announcements.discard)

    async def proposal_viewers(self, event: dict) -> None:
        # Presence is ephemeral: no sequence number, never replayed.
        await self.send_json({"type": "viewers", "count": event.get("count")})

    async def proposal_event(self, event: dict) -> None:
        # Encoded once by the sender, for every listener. (A process still
        # running the previous release sends the payload unencoded.)
        text = event.get("text")
        if text is None:
            text = json.dumps(event.get("payload") or {}, separators=(",", ":"))
        await self.send(text_data=text)

    async def pinged(self) -> None:
        await super().pinged()
        # A ping keeps the socket counted; it changes no count, so it announces nothing.
        await _off_loop(presence.record)(
            self.proposal_id, self.channel_name, viewer=self.viewer(), joined=True, announce=False
        )

    async def act(self, content: dict) -> None:
        """Post and vote over the socket: the same services as the plain forms.
        The result reaches everyone (this client too) as an event."""
        action = ACTIONS.get(content["type"])
        if action is None:
            await self.send_json({"type": "error", "message": str(UNREADABLE)})
            return
        reply = await database_sync_to_async(self._act)(action, content)
        await self.send_json(reply)
        if reply.get("code") in (CLOSE_TOO_MANY, CLOSE_SIGNED_OUT):
            await self.close(code=reply["code"])

    def _act(self, action, content: dict) -> dict:
        user = self.scope.get("user")
        ref = content.get("ref")
        client = self.scope.get("client") or (None, None)
        with translation.override(self.language()):
            refused = self.refused_for_session(ref)
            if refused is not None:
                return refused
            try:
                extra = action(self, user, content, client[0])
            except RateLimited as error:
                return {
                    "type": "error",
                    "ref": ref,
                    "code": CLOSE_TOO_MANY,
                    "retry_after": error.retry_after,
                    "message": error.message,
                }
            except (ValidationError, PermissionDenied) as error:
                text = " ".join(getattr(error, "messages", [])) or str(error)
                reply = {"type": "error", "ref": ref, "message": text}
                if getattr(error, "code", None) in limits.REDRAW_CODES:
                    # The page's token was refused: here is a new one to send with.
                    reply["started"] = limits.fill_token()
                return reply
            except (
                ObjectDoesNotExist,
                KeyError,
                TypeError,
                ValueError,
                OverflowError,
            ):
                return {"type": "error", "ref": ref, "message": str(UNREADABLE)}
        return {"type": "ok", "ref": ref, **(extra or {})}


async def _announce_viewers(layer, group: str, proposal_id: int) -> None:
    await asyncio.sleep(presence.window_seconds())
    count = await _off_loop(presence.count)(proposal_id)
    if count is not None:
        try:
            await layer.group_send(group, {"type": "proposal.viewers", "count": count})
        except Exception:  # the count is a courtesy; the next change sends it again
            logger.warning("viewer count for proposal %s not sent", proposal_id)


def _in_language(event: dict, language: str) -> dict:
    """A replayed event as the live one was sent: its fragment in one language."""
    html = event.get("html")
    if isinstance(html, dict):
        return {**event, "html": html.get(language) or html.get(settings.LANGUAGE_CODE, "")}
    return event


def _is_public(proposal_id: int) -> bool:
    return proposal_selectors.proposal_public_queryset().filter(pk=proposal_id).exists()


def _catch_up(
    proposal_id: int, since: int | None, user_id: int | None
) -> tuple[int, list[dict] | None, int | None]:
    seq = events.last_seq(proposal_id)
    missed = [] if since is None else events.events_since(proposal_id=proposal_id, seq=since)
    return seq, missed, (_unread(user_id) if user_id else None)


def _id(content: dict, key: str) -> int | None:
    """An id from a frame: absent, or a whole number; anything else is unreadable."""
    value = content.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise ValueError(key)
    return value


def _text(content: dict, key: str) -> str:
    value = content.get(key)
    if not isinstance(value, str):
        raise ValueError(key)
    return value


def _optional_text(content: dict, key: str) -> str:
    value = content.get(key, "")
    if not isinstance(value, str):
        raise ValueError(key)
    return value


def _post(consumer: ProposalConsumer, user, content: dict, ip: str | None) -> None:
    proposal = Proposal.objects.get(pk=consumer.proposal_id)
    parent_id, section_id, question_id = (
        _id(content, k) for k in ("parent", "section", "question")
    )
    body = _text(content, "body")
    limits.check_human(
        started=_optional_text(content, "started"), honeypot=_optional_text(content, "website")
    )
    parent = Comment.objects.get(pk=parent_id, proposal=proposal) if parent_id else None
    section = proposal.sections.get(pk=section_id) if section_id else None
    question = proposal.questions.get(pk=question_id) if question_id else None
    comment = services.comment_submit(
        actor=user,
        ip=ip,
        proposal=proposal,
        body=body,
        section=section,
        question=question,
        parent=parent,
    )
    if comment.is_held:
        # No event goes out: only its author sees it, marked as awaiting review.
        return {
            "held": {
                "id": comment.pk,
                "parent": comment.parent_id,
                "section": comment.section_id,
                "question": comment.question_id,
                "depth": comment.depth,
                "html": render_to_string(
                    "discussion/_comment.html", {"comment": comment, "live": True}
                ),
            }
        }
    return None


def _vote(consumer: ProposalConsumer, user, content: dict, ip: str | None) -> None:
    comment = Comment.objects.get(pk=_id(content, "comment"), proposal_id=consumer.proposal_id)
    value = _text(content, "value")
    services.vote_submit(actor=user, ip=ip, comment=comment, value=value)


def _vote_withdraw(consumer: ProposalConsumer, user, content: dict, ip: str | None) -> None:
    comment = Comment.objects.get(pk=_id(content, "comment"), proposal_id=consumer.proposal_id)
    services.vote_withdraw_submit(actor=user, ip=ip, comment=comment)


ACTIONS = {"comment.post": _post, "comment.vote": _vote, "comment.vote_withdraw": _vote_withdraw}


CLOSE_FORBIDDEN = 4403
NOT_IN_QUEUE = _("That item is not in your queue.")
# A page of the queue selected at once is claimed in one frame.
CLAIMS_PER_FRAME = 50


class ModerationConsumer(LiveConsumer):
    """The moderators' queue, live: joins the queue group of each department
    where the person moderates (changes below those arrive there too, see
    queue.announce) and forwards the changes untouched. Signed-in moderators
    only; the socket also claims and releases items as they are selected."""

    queue_groups: tuple[str, ...] = ()
    # Forwarded as they come: no database, so no trip to a worker thread.
    NO_DATABASE = LiveConsumer.NO_DATABASE | {"queue.changed"}

    async def connect(self) -> None:
        user = self.scope.get("user")
        departments = []
        if user is not None and user.is_authenticated:
            departments = await database_sync_to_async(queue.moderated_department_ids)(user.pk)
        if not departments:
            # Accepted first, so that the browser sees why and stops trying.
            await self.accept()
            await self.close(code=CLOSE_FORBIDDEN)
            return
        if not await self.join_user():
            return
        try:
            self.queue_groups = tuple(queue.moderators_group(pk) for pk in departments)
            for group in self.queue_groups:
                await self.channel_layer.group_add(group, self.channel_name)
            await self.accept()
            await self.send_json({"type": "hello"})
        except Exception:
            await self.abandon()

    async def disconnect(self, code: int) -> None:
        for group in self.queue_groups:
            await self.channel_layer.group_discard(group, self.channel_name)
        await super().disconnect(code)

    async def queue_changed(self, event: dict) -> None:
        await self.send_json({**event, "type": "queue.changed"})

    async def act(self, content: dict) -> None:
        if content["type"] not in ("queue.claim", "queue.release"):
            await self.send_json({"type": "error", "message": str(UNREADABLE)})
            return
        reply = await database_sync_to_async(self._claims)(content)
        await self.send_json(reply)
        if reply.get("code") == CLOSE_SIGNED_OUT:
            await self.close(code=CLOSE_SIGNED_OUT)

    def _claims(self, content: dict) -> dict:
        """Claim or release the items of one frame, each on its own; the reply
        names the ones refused (another moderator has them) and why."""
        ref = content.get("ref") if isinstance(content.get("ref"), str) else None
        with translation.override(self.language()):
            refused = self.refused_for_session(ref)
            if refused is not None:
                return refused
        try:
            ids = _ids(content)
        except (KeyError, TypeError, ValueError):
            return {"type": "error", "ref": ref, "message": str(UNREADABLE)}
        claim = content["type"] == "queue.claim"
        take_over = content.get("take_over") is True
        refused = {}
        with translation.override(self.language()):
            for pk in ids:
                message = _claim_one(self.scope["user"], pk, claim=claim, take_over=take_over)
                if message:
                    refused[str(pk)] = message
        if refused:
            return {
                "type": "error",
                "ref": ref,
                "refused": refused,
                "message": " ".join(dict.fromkeys(refused.values())),
            }
        return {"type": "ok", "ref": ref}


def _ids(content: dict) -> list[int]:
    """The item ids of a claim frame: "comment" (one) or "comments" (a list)."""
    values = content["comments"] if "comments" in content else [content["comment"]]
    if not isinstance(values, list) or not 0 < len(values) <= CLAIMS_PER_FRAME:
        raise ValueError("comments")
    return [_id({"id": value}, "id") for value in values]


def _claim_one(user, pk: int, *, claim: bool, take_over: bool) -> str:
    """Nothing when done, else why not."""
    try:
        comment = Comment.objects.get(pk=pk)
        if claim:
            moderation.comment_claim(actor=user, comment=comment, take_over=take_over)
        else:
            moderation.comment_release(actor=user, comment=comment)
    except Comment.DoesNotExist:
        return str(NOT_IN_QUEUE)
    except (ValidationError, PermissionDenied) as error:
        return " ".join(getattr(error, "messages", None) or [str(error)])
    return ""
